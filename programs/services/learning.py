"""A learner working through their program: modules started, completed and rated, reflections, scenario attempts."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from people.events import EventName, event_emit
from people.permissions import Actor
from programs import scenario_format
from programs.models import (
    AttemptStatus,
    Enrollment,
    EnrollmentStatus,
    Module,
    ModuleKind,
    ModuleProgress,
    ProgressStatus,
    Reflection,
    Scenario,
    ScenarioAttempt,
)
from programs.permissions import is_own_enrollment

logger = logging.getLogger(__name__)


def own_active_check(actor: Actor, enrollment: Enrollment) -> None:
    if not is_own_enrollment(actor, enrollment):
        raise Enrollment.DoesNotExist
    if enrollment.status != EnrollmentStatus.ACTIVE:
        raise ValidationError({"enrollment": "This enrolment has ended."})


def _released(enrollment: Enrollment, module: Module) -> None:
    today = enrollment.cohort.organization.today()
    if module.program_id != enrollment.cohort.program_id:
        raise Module.DoesNotExist
    if enrollment.cohort.week_starts(module.release_week) > today:
        raise ValidationError({"module": "This module is not released yet."})


def module_start(*, actor: Actor, enrollment: Enrollment, module: Module) -> ModuleProgress:
    own_active_check(actor, enrollment)
    _released(enrollment, module)
    progress, _ = ModuleProgress.objects.get_or_create(
        enrollment=enrollment, module=module, defaults={"status": ProgressStatus.IN_PROGRESS}
    )
    return progress


SELF_COMPLETED_KINDS = {ModuleKind.LESSON, ModuleKind.SBI_PRACTICE, ModuleKind.DELEGATION_PRACTICE}


@transaction.atomic
def module_mark_done(*, actor: Actor, enrollment: Enrollment, module: Module) -> ModuleProgress:
    """The learner marks a lesson or practice module done. Scenarios finish by reaching an
    ending, reflections by being written and live sessions by the facilitator's attendance."""
    if module.kind not in SELF_COMPLETED_KINDS:
        raise ValidationError(
            {"module": f"A {module.get_kind_display().lower()} is completed by doing it."}
        )
    return module_complete(actor=actor, enrollment=enrollment, module=module)


@transaction.atomic
def module_complete(*, actor: Actor, enrollment: Enrollment, module: Module) -> ModuleProgress:
    """Completes a module for the learner (once: completing it again changes nothing and
    announces nothing)."""
    progress = module_start(actor=actor, enrollment=enrollment, module=module)
    if progress.status != ProgressStatus.COMPLETED:
        progress.status, progress.completed_at = ProgressStatus.COMPLETED, timezone.now()
        progress.save(update_fields=["status", "completed_at"])
        event_emit(
            name=EventName.MODULE_COMPLETED,
            actor=actor,
            payload=module_completed_payload(enrollment, module),
        )
    return progress


def module_completed_payload(enrollment: Enrollment, module: Module) -> dict:
    return {
        "enrollment_id": enrollment.pk,
        "cohort_id": enrollment.cohort_id,
        "employee_id": enrollment.employee_id,
        "module_id": module.pk,
        "module_kind": module.kind,
    }


@transaction.atomic
def module_rate(
    *, actor: Actor, enrollment: Enrollment, module: Module, rating: int, comment: str = ""
) -> ModuleProgress:
    """Reaction data: 1-5 and a comment, once the module is finished."""
    own_active_check(actor, enrollment)
    if not 1 <= int(rating) <= 5:
        raise ValidationError({"rating": "Rate the module from 1 to 5."})
    progress = ModuleProgress.objects.filter(
        enrollment=enrollment, module=module, status=ProgressStatus.COMPLETED
    ).first()
    if progress is None:
        raise ValidationError({"rating": "Finish the module before rating it."})
    progress.rating, progress.rating_comment = int(rating), comment.strip()[:2000]
    progress.save(update_fields=["rating", "rating_comment"])
    return progress


@transaction.atomic
def reflection_save(
    *, actor: Actor, enrollment: Enrollment, module: Module, text: str
) -> Reflection:
    """Saves the learner's reflection (private to them and their coach) and completes the module."""
    own_active_check(actor, enrollment)
    _released(enrollment, module)
    if not text.strip():
        raise ValidationError({"text": "Write your reflection before saving."})
    reflection, _ = Reflection.objects.update_or_create(
        enrollment=enrollment,
        module=module,
        defaults={"text": text.strip(), "updated_at": timezone.now()},
    )
    module_complete(actor=actor, enrollment=enrollment, module=module)
    return reflection


@transaction.atomic
def attempt_start(
    *, actor: Actor, enrollment: Enrollment, module: Module, replay: bool = False
) -> ScenarioAttempt:
    """Resumes the learner's unfinished attempt at this scenario, or starts one on the
    scenario's current version (a replay always starts afresh)."""
    own_active_check(actor, enrollment)
    _released(enrollment, module)
    if module.kind != ModuleKind.SCENARIO or module.scenario is None:
        raise ValidationError({"module": "This module has no scenario."})
    unfinished = ScenarioAttempt.objects.filter(
        enrollment=enrollment, module=module, status=AttemptStatus.IN_PROGRESS
    ).first()
    if unfinished and not replay:
        return unfinished
    # Read the current version afresh: it may have been published a moment ago.
    version = (
        Scenario.objects.select_related("current_version")
        .get(pk=module.scenario_id)
        .current_version
    )
    module_start(actor=actor, enrollment=enrollment, module=module)
    return ScenarioAttempt.objects.create(
        enrollment=enrollment,
        module=module,
        version=version,
        current_step=version.definition["start"],
    )


@transaction.atomic
def attempt_choose(
    *, actor: Actor, attempt: ScenarioAttempt, step_id: str, choice: int
) -> ScenarioAttempt:
    """Records one choice: its feedback and score changes, then the next step or the
    ending. A stale form (the step was already answered) is refused, not applied twice."""
    attempt = (
        ScenarioAttempt.objects.select_for_update()
        .select_related("version", "enrollment")
        .get(pk=attempt.pk)
    )
    own_active_check(actor, attempt.enrollment)
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise ValidationError({"choice": "This attempt is finished; start a replay to play again."})
    if step_id != attempt.current_step:
        raise ValidationError(
            {"choice": "That step was already answered; here is where you are now."}
        )
    step = scenario_format.step_of(attempt.version.definition, step_id)
    if step is None or not 0 <= choice < len(step["choices"]):
        raise ValidationError({"choice": "Choose one of the options."})
    picked = step["choices"][choice]
    attempt.path = [*attempt.path, {"step": step_id, "choice": choice}]
    scores = dict(attempt.scores)
    for key, delta in picked["scores"].items():
        scores[key] = scores.get(key, 0) + delta
    attempt.scores = scores
    if picked.get("ending"):
        attempt.status, attempt.ending = AttemptStatus.FINISHED, picked["ending"]
        attempt.current_step, attempt.finished_at = "", timezone.now()
        attempt.total_score = sum(scores.values())
    else:
        attempt.current_step = picked["next"]
    attempt.save()
    if attempt.status == AttemptStatus.FINISHED:
        enrollment = attempt.enrollment
        event_emit(
            name=EventName.SCENARIO_ATTEMPT_FINISHED,
            actor=actor,
            payload={
                "attempt_id": attempt.pk,
                "enrollment_id": enrollment.pk,
                "cohort_id": enrollment.cohort_id,
                "employee_id": enrollment.employee_id,
                "module_id": attempt.module_id,
                "scenario_version_id": attempt.version_id,
                "ending": attempt.ending,
                "total_score": attempt.total_score,
                "scores": attempt.scores,
            },
        )
        module_complete(actor=actor, enrollment=enrollment, module=attempt.module)
    return attempt
