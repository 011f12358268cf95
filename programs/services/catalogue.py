"""Program templates and their modules, and the copy each cohort runs."""

import datetime
import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from people import bounds
from people.permissions import Actor, require
from programs.models import (
    Competency,
    Module,
    ModuleKind,
    Program,
    Scenario,
)
from programs.signals import program_saved

logger = logging.getLogger(__name__)


def _competencies_of(actor: Actor, ids, already: set[int] = frozenset()) -> list[Competency]:
    """The chosen competencies; a retired one may stay where it was, never be newly added."""
    found = list(Competency.objects.filter(organization=actor.organization, pk__in=list(ids or [])))
    retired = [c.name for c in found if c.is_retired and c.pk not in already]
    if retired:
        raise ValidationError(
            {"competencies": f"Retired competencies cannot be added: {', '.join(retired)}."}
        )
    if len(found) != len(set(ids or [])):
        raise ValidationError(
            {"competencies": "Choose competencies from this organisation's framework."}
        )
    return found


@transaction.atomic
def program_save(
    *,
    actor: Actor,
    title: str,
    audience: str,
    duration_weeks: int,
    description: str = "",
    cost_per_participant: Decimal = Decimal("0"),
    competency_ids: list[int] | None = None,
    program: Program | None = None,
) -> Program:
    """Creates or updates a program template (or a cohort's copy). Shortening it below a
    module's release week is refused, naming the module. Sends program_saved, so each
    chosen competency gets its default target level (assessments)."""
    require(actor, "manage_programs")
    errors = {}
    if not title.strip():
        errors["title"] = "A program needs a title."
    if not 1 <= int(duration_weeks) <= 52:
        errors["duration_weeks"] = "A program runs from 1 to 52 weeks."
    if cost_per_participant is not None and cost_per_participant < 0:
        errors["cost_per_participant"] = "The cost cannot be negative."
    if program is not None and not errors:
        late = program.modules.filter(release_week__gt=duration_weeks).first()
        if late:
            errors["duration_weeks"] = (
                f"'{late.title}' is released in week {late.release_week}; move it before "
                f"shortening the program to {duration_weeks} weeks."
            )
    if errors:
        raise ValidationError(errors)
    already = set(program.competencies.values_list("pk", flat=True)) if program else set()
    competencies = _competencies_of(actor, competency_ids, already)
    created = program is None
    program = program or Program(organization=actor.organization)
    program.title, program.audience = title.strip(), audience
    program.duration_weeks, program.description = int(duration_weeks), description.strip()
    program.cost_per_participant = cost_per_participant or Decimal("0")
    program.save()
    program.competencies.set(competencies)
    program_saved.send(sender=Program, program=program, created=created)
    return program


@transaction.atomic
def module_save(
    *,
    actor: Actor,
    program: Program,
    title: str,
    kind: str,
    release_week: int,
    body: str = "",
    scenario: Scenario | None = None,
    competency_ids: list[int] | None = None,
    estimated_minutes: int = 15,
    session_starts_at: datetime.datetime | None = None,
    session_location: str = "",
    module: Module | None = None,
) -> Module:
    """Adds a module to a program (or edits one), checking it fits the program."""
    require(actor, "manage_programs")
    errors = {}
    if program.organization_id != actor.organization.pk:
        raise Program.DoesNotExist
    if not title.strip():
        errors["title"] = "A module needs a title."
    if kind not in ModuleKind.values:
        errors["kind"] = "Choose a kind of module."
    if not 1 <= int(release_week) <= program.duration_weeks:
        errors["release_week"] = (
            f"Week {release_week} is outside the program, which runs {program.duration_weeks} weeks."
        )
    if kind == ModuleKind.SCENARIO and scenario is None:
        errors["scenario"] = "Choose the scenario this module plays."
    if scenario is not None and scenario.organization_id != actor.organization.pk:
        errors["scenario"] = "Choose a scenario from this organisation's library."
    if kind in (ModuleKind.LESSON, ModuleKind.REFLECTION) and not body.strip():
        errors["body"] = "Write the lesson or the reflection prompt."
    elif problem := bounds.markdown_problem(body):
        errors["body"] = problem
    if kind == ModuleKind.LIVE_SESSION and not session_location.strip():
        errors["session_location"] = "Say where the session happens: a room or a video link."
    if session_starts_at is not None:
        # Shown in every reader's time zone: year 9999 would overflow on the way.
        earliest = datetime.date(2000, 1, 1)
        latest = actor.organization.today() + datetime.timedelta(days=365 * 10)
        if not earliest <= session_starts_at.date() <= latest:
            errors["session_starts_at"] = (
                f"Choose a session date between {earliest:%Y} and {latest:%d %B %Y}."
            )
    if errors:
        raise ValidationError(errors)
    already = set(module.competencies.values_list("pk", flat=True)) if module else set()
    competencies = _competencies_of(actor, competency_ids, already)
    if module is None:
        last = program.modules.aggregate(m=Max("position"))["m"]
        module = Module(program=program, position=(last or 0) + 1)
    module.title, module.kind, module.release_week = title.strip(), kind, int(release_week)
    module.body = body
    module.scenario = scenario if kind == ModuleKind.SCENARIO else None
    module.estimated_minutes = estimated_minutes
    module.session_starts_at = session_starts_at
    module.session_location = session_location.strip()
    module.save()
    if not competencies and scenario is not None:
        competencies = list(scenario.competencies.all())
    module.competencies.set(competencies)
    return module


@transaction.atomic
def module_delete(*, actor: Actor, module: Module) -> None:
    """Removes a module no learner has started; started modules are part of someone's history."""
    require(actor, "manage_programs")
    if module.program.organization_id != actor.organization.pk:
        raise Module.DoesNotExist
    if module.progress.exists() or module.attempts.exists():
        raise ValidationError(
            {"module": "Learners have started this module; it cannot be removed."}
        )
    module.delete()
