"""Every write in programs/: competencies, programs and modules, scenarios and their
attempts, cohorts and enrolment, learner progress and practice, reminders."""

import csv
import datetime
import io
import logging
import zoneinfo
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.text import slugify

from people import bounds
from people.audit import audit_log
from people.models import Employee, Organization, Role, User
from people.permissions import Actor, require
from people.services import employees_access_grant
from programs import scenarios
from programs.models import (
    SEEDED_COMPETENCIES,
    AttemptStatus,
    Cohort,
    Competency,
    DelegationDecision,
    Enrollment,
    EnrollmentImport,
    EnrollmentStatus,
    LiveSessionAttendance,
    Module,
    ModuleKind,
    ModuleProgress,
    Program,
    ProgressStatus,
    Reflection,
    ReminderKind,
    ReminderSent,
    SbiEntry,
    Scenario,
    ScenarioAttempt,
    ScenarioVersion,
)
from programs.permissions import can_take_attendance, is_own_enrollment, may_coach
from programs.practice import delegation_recommend, sbi_check
from programs.signals import program_copied

logger = logging.getLogger(__name__)
LIBRARY_DIR = Path(__file__).resolve().parent / "content" / "scenarios"


# --- Competencies -------------------------------------------------------------------


def competencies_seed(*, organization: Organization) -> None:
    """Gives a new organisation the standard framework. Safe to run again."""
    existing = set(
        Competency.objects.filter(organization=organization).values_list("key", flat=True)
    )
    Competency.objects.bulk_create(
        Competency(organization=organization, key=key, name=name, description=text, position=i)
        for i, (key, name, text) in enumerate(SEEDED_COMPETENCIES)
        if key not in existing
    )


@transaction.atomic
def competency_save(
    *, actor: Actor, name: str, description: str = "", competency: Competency | None = None
) -> Competency:
    """Adds a competency or renames one. Its key never changes, so scenario files keep working."""
    require(actor, "manage_programs")
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A competency needs a name."})
    clash = Competency.objects.filter(organization=actor.organization, name__iexact=name)
    if competency is not None:
        clash = clash.exclude(pk=competency.pk)
    if clash.exists():
        raise ValidationError({"name": f"There is already a competency called '{name}'."})
    if competency is None:
        key = slugify(name).replace("-", "_")[:60] or "competency"
        base, n = key, 2
        while Competency.objects.filter(organization=actor.organization, key=key).exists():
            key, n = f"{base}_{n}", n + 1
        position = (
            Competency.objects.filter(organization=actor.organization).aggregate(m=Max("position"))[
                "m"
            ]
            or 0
        ) + 1
        competency = Competency(organization=actor.organization, key=key, position=position)
    competency.name, competency.description = name, description.strip()
    competency.save()
    return competency


@transaction.atomic
def competency_set_retired(*, actor: Actor, competency: Competency, retired: bool) -> None:
    """Retires (hides from new programs) or restores a competency. Never deletes: past
    scores and scenario files refer to it."""
    require(actor, "manage_programs")
    competency.is_retired = retired
    competency.save(update_fields=["is_retired"])


# --- Programs and modules -------------------------------------------------------------


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
    """Creates or updates a program template. Shortening it below a module's release week
    is refused, naming the module."""
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
    program = program or Program(organization=actor.organization)
    program.title, program.audience = title.strip(), audience
    program.duration_weeks, program.description = int(duration_weeks), description.strip()
    program.cost_per_participant = cost_per_participant or Decimal("0")
    program.save()
    program.competencies.set(competencies)
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


# --- Scenarios ---------------------------------------------------------------------------


def _known_keys(organization: Organization) -> set[str]:
    return set(Competency.objects.filter(organization=organization).values_list("key", flat=True))


def scenario_spec(scenario: Scenario) -> scenarios.ScenarioSpec:
    return scenarios.ScenarioSpec(
        key=scenario.key,
        title=scenario.title,
        summary=scenario.summary,
        competencies=sorted(c.key for c in scenario.competencies.all()),
        estimated_minutes=scenario.estimated_minutes,
        definition=scenario.current_version.definition,
    )


def scenario_export_yaml(*, scenario: Scenario) -> str:
    return scenarios.to_yaml(scenario_spec(scenario))


@transaction.atomic
def scenario_publish(
    *,
    organization: Organization,
    spec: scenarios.ScenarioSpec,
    user: User | None,
    is_library: bool = False,
) -> tuple[Scenario, bool]:
    """Stores a checked scenario: a new scenario, or a new version of the one with the
    same key. Attempts already made keep the version they were played on. Returns the
    scenario and whether anything changed (publishing identical content is a no-op)."""
    scenario = (
        Scenario.objects.select_for_update().filter(organization=organization, key=spec.key).first()
    )
    if scenario is None:
        scenario = Scenario.objects.create(
            organization=organization, key=spec.key, title=spec.title, is_library=is_library
        )
    elif (
        scenario.current_version
        and scenario.current_version.definition == spec.definition
        and scenario.title == spec.title
        and scenario.summary == spec.summary
        and scenario.estimated_minutes == spec.estimated_minutes
        and sorted(c.key for c in scenario.competencies.all()) == sorted(spec.competencies)
    ):
        return scenario, False
    number = (scenario.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    version = ScenarioVersion.objects.create(
        scenario=scenario, number=number, definition=spec.definition, created_by=user
    )
    scenario.title, scenario.summary = spec.title, spec.summary
    scenario.estimated_minutes, scenario.current_version = spec.estimated_minutes, version
    scenario.save()
    scenario.competencies.set(
        Competency.objects.filter(organization=organization, key__in=spec.competencies)
    )
    return scenario, True


def scenario_import(
    *,
    actor: Actor,
    content: bytes | str,
    expected_key: str | None = None,
    must_be_new: bool = False,
) -> tuple[Scenario, bool]:
    """Reads a YAML scenario file and publishes it. Raises ValidationError({"file": [...]})
    listing every problem; nothing is stored unless the whole file is valid."""
    require(actor, "manage_programs")
    try:
        spec = scenarios.validate(
            scenarios.parse_yaml(content), known_competencies=_known_keys(actor.organization)
        )
    except scenarios.ScenarioFileError as exc:
        raise ValidationError({"file": exc.errors}) from None
    if (
        must_be_new
        and Scenario.objects.filter(organization=actor.organization, key=spec.key).exists()
    ):
        raise ValidationError(
            {"file": [f"A scenario with key '{spec.key}' exists already; choose another key."]}
        )
    if expected_key and spec.key != expected_key:
        raise ValidationError(
            {"file": [f"The file is for scenario '{spec.key}', not '{expected_key}'."]}
        )
    scenario, changed = scenario_publish(
        organization=actor.organization, spec=spec, user=actor.user
    )
    if changed:
        audit_log(
            organization=actor.organization,
            actor=actor.user,
            action="scenario.published",
            target=scenario.key,
            detail={"version": scenario.current_version.number},
        )
    return scenario, changed


def scenario_library_load(*, organization: Organization) -> int:
    """Loads Lodestar's shipped scenarios into an organisation. Safe to run again:
    a scenario the organisation already has is left as it is."""
    known = _known_keys(organization)
    have = set(Scenario.objects.filter(organization=organization).values_list("key", flat=True))
    loaded = 0
    for path in sorted(LIBRARY_DIR.glob("*.yaml")):
        spec = scenarios.validate(scenarios.parse_yaml(path.read_bytes()), known_competencies=known)
        if spec.key in have:
            continue
        scenario_publish(organization=organization, spec=spec, user=None, is_library=True)
        loaded += 1
    return loaded


def organization_content_seed(*, organization: Organization) -> None:
    """Everything a new organisation starts with: the framework and the scenario library."""
    competencies_seed(organization=organization)
    scenario_library_load(organization=organization)


# --- Cohorts and enrolment ---------------------------------------------------------------


def _coach_users(actor: Actor, user_ids) -> list[User]:
    coaches = list(
        User.objects.filter(
            pk__in=list(user_ids or []),
            memberships__organization=actor.organization,
            memberships__role=Role.COACH,
        ).distinct()
    )
    if len(coaches) != len(set(user_ids or [])):
        raise ValidationError({"coaches": "Choose coaches who hold the coach role here."})
    return coaches


def _program_copy(program: Program) -> Program:
    """A cohort's own copy of a program: its modules, weeks, sessions and competencies."""
    copy = Program.objects.create(
        organization=program.organization,
        title=program.title,
        audience=program.audience,
        description=program.description,
        duration_weeks=program.duration_weeks,
        cost_per_participant=program.cost_per_participant,
        template_id=program.template_id or program.pk,
    )
    copy.competencies.set(program.competencies.all())
    modules = list(
        program.modules.prefetch_related("competencies").order_by("release_week", "position", "id")
    )
    copies = Module.objects.bulk_create(
        Module(
            program=copy,
            position=m.position,
            release_week=m.release_week,
            kind=m.kind,
            title=m.title,
            body=m.body,
            scenario_id=m.scenario_id,
            estimated_minutes=m.estimated_minutes,
            session_starts_at=m.session_starts_at,
            session_location=m.session_location,
        )
        for m in modules
    )
    links = Module.competencies.through
    links.objects.bulk_create(
        links(module_id=new.pk, competency_id=c.pk)
        for old, new in zip(modules, copies, strict=True)
        for c in old.competencies.all()
    )
    program_copied.send(
        sender=Program,
        source=program,
        copy=copy,
        module_map={old.pk: new for old, new in zip(modules, copies, strict=True)},
    )
    return copy


@transaction.atomic
def cohort_save(
    *,
    actor: Actor,
    program: Program,
    name: str,
    start_date: datetime.date,
    end_date: datetime.date | None,
    capacity: int,
    facilitator: User | None = None,
    coach_ids: list[int] | None = None,
    cohort: Cohort | None = None,
) -> Cohort:
    """Creates or edits a cohort. A past start date is allowed (backfilling); the end
    defaults to the program's length and must come after the start."""
    require(actor, "manage_programs")
    if program.organization_id != actor.organization.pk:
        raise Program.DoesNotExist
    today = actor.organization.today()
    earliest, latest = datetime.date(2000, 1, 1), today + datetime.timedelta(days=365 * 5)
    if not earliest <= start_date <= latest:
        raise ValidationError(
            {"start_date": f"Choose a start date between {earliest:%Y} and {latest:%d %B %Y}."}
        )
    end_date = end_date or start_date + datetime.timedelta(weeks=program.duration_weeks)
    errors = {}
    if not name.strip():
        errors["name"] = "A cohort needs a name."
    if not earliest <= end_date <= latest + datetime.timedelta(weeks=52):
        errors["end_date"] = "Choose an end date within a year of the latest possible start."
    elif end_date <= start_date:
        errors["end_date"] = "The cohort must end after it starts."
    if capacity < 1:
        errors["capacity"] = "Capacity must be at least 1."
    if (
        cohort is not None
        and capacity < cohort.enrollments.filter(status=EnrollmentStatus.ACTIVE).count()
    ):
        errors["capacity"] = "More learners are already enrolled than this capacity allows."
    if errors:
        raise ValidationError(errors)
    keeps_program = cohort is not None and program.pk in (
        cohort.program_id,
        cohort.program.template_id,
    )
    if cohort is not None and not keeps_program and cohort.enrollments.exists():
        raise ValidationError({"program": "The program cannot change once learners are enrolled."})
    source = cohort.program if keeps_program else program
    last_week = source.modules.aggregate(m=Max("release_week"))["m"]
    if last_week and start_date + datetime.timedelta(weeks=last_week - 1) > end_date:
        raise ValidationError(
            {"end_date": f"The cohort would end before week {last_week}'s modules are released."}
        )
    coaches = _coach_users(actor, coach_ids)
    old_copy = None
    if keeps_program:
        program = cohort.program
    else:
        # Copy on first use: the cohort runs its own copy from now on.
        old_copy = cohort.program if cohort is not None else None
        program = _program_copy(program)
    cohort = cohort or Cohort(organization=actor.organization)
    cohort.program, cohort.name = program, name.strip()
    cohort.start_date, cohort.end_date, cohort.capacity = start_date, end_date, capacity
    cohort.facilitator = facilitator
    cohort.save()
    if old_copy is not None and old_copy.template_id and not old_copy.cohorts.exists():
        old_copy.delete()  # the unused copy of the program this cohort no longer runs
    cohort.coaches.set(coaches)
    _reassign_coaches(cohort)
    audit_log(
        organization=actor.organization, actor=actor.user, action="cohort.saved", target=cohort.name
    )
    return cohort


def _reassign_coaches(cohort: Cohort) -> None:
    """Learners whose coach left the cohort, who had none, or whose coach may not coach
    them (their own line manager, say) get the least-loaded coach who may, so 'their
    coach' is always one of the cohort's."""
    picker = _CoachPicker(cohort)
    active = list(
        cohort.enrollments.filter(status=EnrollmentStatus.ACTIVE).select_related("employee")
    )
    orphans = [e for e in active if not picker.may_coach(e.coach_id, e.employee)]
    for enrollment in orphans:
        picker.release(enrollment.coach_id)
    for enrollment in orphans:
        enrollment.coach_id = picker.pick(enrollment.employee)
    Enrollment.objects.bulk_update(orphans, ["coach"])


def enrollment_problems(
    *, cohort: Cohort, employees: list[Employee], already_counted: int | None = None
) -> dict[int, list[str]]:
    """Why each person cannot be enrolled (empty when all can), in a fixed number of queries."""
    today = cohort.organization.today()
    active = set(
        Enrollment.objects.filter(cohort=cohort, status=EnrollmentStatus.ACTIVE).values_list(
            "employee_id", flat=True
        )
    )
    seats = cohort.capacity - (len(active) if already_counted is None else already_counted)
    problems: dict[int, list[str]] = {}
    for employee in employees:
        errs = []
        if employee.organization_id != cohort.organization_id:
            errs.append("is not on this organisation's roster.")
        elif not employee.is_employed_on(today):
            errs.append("has left the organisation.")
        if employee.pk in active:
            errs.append("is already enrolled in this cohort.")
        if not errs:
            seats -= 1
            if seats < 0:
                errs.append(f"would exceed the cohort's capacity of {cohort.capacity}.")
        if errs:
            problems[employee.pk] = errs
    return problems


class _CoachPicker:
    """The least-loaded of a cohort's coaches who may coach a given learner (never the
    learner themselves, never their line manager). Two queries, whatever the numbers."""

    def __init__(self, cohort: Cohort) -> None:
        coach_ids = list(cohort.coaches.values_list("pk", flat=True))
        self.load = dict.fromkeys(coach_ids, 0)
        for coach_id, n in (
            Enrollment.objects.filter(
                cohort=cohort, status=EnrollmentStatus.ACTIVE, coach_id__in=coach_ids
            )
            .values_list("coach_id")
            .annotate(n=Count("id"))
        ):
            self.load[coach_id] = n
        self.employee_of = dict(
            Employee.objects.filter(
                organization_id=cohort.organization_id, user_id__in=coach_ids
            ).values_list("user_id", "pk")
        )

    def may_coach(self, coach_id: int | None, learner: Employee) -> bool:
        return coach_id in self.load and may_coach(
            coach_user_id=coach_id,
            coach_employee_id=self.employee_of.get(coach_id),
            learner=learner,
        )

    def pick(self, learner: Employee) -> int | None:
        eligible = [c for c in self.load if self.may_coach(c, learner)]
        if not eligible:
            return None
        coach_id = min(eligible, key=lambda c: (self.load[c], c))
        self.load[coach_id] += 1
        return coach_id

    def release(self, coach_id: int | None) -> None:
        if coach_id in self.load:
            self.load[coach_id] -= 1


@transaction.atomic
def enrollment_add(
    *, actor: Actor, cohort: Cohort, employees: list[Employee], notify: bool = True
) -> list[Enrollment]:
    """Enrols people, each with one of the cohort's coaches (the least loaded), and
    gives them the learner role (emailing an invitation unless `notify` is False).
    All or nobody: any problem raises ValidationError."""
    require(actor, "manage_programs")
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk, organization=actor.organization)
    problems = enrollment_problems(cohort=cohort, employees=employees)
    if problems:
        by_id = {e.pk: e for e in employees}
        raise ValidationError(
            {
                "learners": [
                    f"{by_id[pk].full_name} {' '.join(errs)}" for pk, errs in problems.items()
                ]
            }
        )
    picker = _CoachPicker(cohort)
    enrollments = Enrollment.objects.bulk_create(
        Enrollment(cohort=cohort, employee=e, coach_id=picker.pick(e)) for e in employees
    )
    _grant_learner_logins(actor=actor, employees=employees, notify=notify)
    audit_log(
        organization=actor.organization,
        actor=actor.user,
        action="cohort.enrolled",
        target=cohort.name,
        detail={"count": len(enrollments)},
    )
    return enrollments


def _grant_learner_logins(*, actor: Actor, employees: list[Employee], notify: bool) -> None:

    employees_access_grant(actor=actor, employees=employees, role=Role.LEARNER, notify=notify)


MAX_ENROLMENT_ROWS = 2000


def enrollment_import_start(
    *, actor: Actor, cohort: Cohort, filename: str, content: bytes
) -> EnrollmentImport:
    """Checks a CSV of emails against the roster and the cohort and stores the preview.
    Nobody is enrolled until it is committed."""
    require(actor, "manage_programs")
    batch = EnrollmentImport(
        cohort=cohort, uploaded_by=actor.user, filename=bounds.clean_filename(filename)
    )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        batch.file_error = (
            f"The file is not UTF-8 text (unexpected byte 0x{content[exc.start]:02x}). "
            "In Excel, save it as 'CSV UTF-8'."
        )
        batch.save()
        return batch
    if "\x00" in text:
        batch.file_error = (
            "The file holds a NUL character, so it is not a plain CSV. Save it again as "
            "'CSV UTF-8' with one email per line."
        )
        batch.save()
        return batch
    try:
        rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    except csv.Error as exc:
        batch.file_error = f"The CSV file could not be read ({exc}). Put one email per line."
        batch.save()
        return batch
    if (
        rows
        and "@" not in rows[0][0]
        and rows[0][0].strip().lower() in {"email", "work_email", "e-mail"}
    ):
        rows = rows[1:]
    if not rows:
        batch.file_error = (
            "The file has no email addresses: one email per line (a header 'email' is allowed)."
        )
    elif len(rows) > MAX_ENROLMENT_ROWS:
        batch.file_error = (
            f"The file has {len(rows)} rows; enrol at most {MAX_ENROLMENT_ROWS} at once."
        )
    if batch.file_error:
        batch.save()
        return batch
    emails = [r[0].strip().lower()[:254] for r in rows]
    roster = {
        e.email.lower(): e
        for e in Employee.objects.filter(organization=cohort.organization, email__in=emails)
    }
    known = [roster[e] for e in dict.fromkeys(emails) if e in roster]
    problems = enrollment_problems(cohort=cohort, employees=known)
    seen: set[str] = set()
    out = []
    for number, email in enumerate(emails, start=1):
        errors = []
        person = roster.get(email)
        if email in seen:
            errors.append("appears twice in the file.")
        elif person is None:
            errors.append("is not on the roster (unknown email).")
        else:
            errors += problems.get(person.pk, [])
        seen.add(email)
        out.append(
            {
                "row": number,
                "email": email,
                "name": person.full_name if person else "",
                "employee_id": person.pk if person else None,
                "errors": errors,
            }
        )
    batch.rows = out
    batch.save()
    return batch


def enrollment_import_commit(*, actor: Actor, batch: EnrollmentImport) -> list[Enrollment]:
    """Enrols every row of a clean preview, or nobody (the checks run again now)."""
    require(actor, "manage_programs")
    if batch.cohort.organization_id != actor.organization.pk:
        raise EnrollmentImport.DoesNotExist
    if batch.committed_at:
        raise ValidationError({"file": "This file was already enrolled."})
    if not batch.can_commit:
        raise ValidationError({"file": "Fix every row's problem and upload the file again."})
    with transaction.atomic():
        locked = EnrollmentImport.objects.select_for_update().get(pk=batch.pk)
        if locked.committed_at:
            raise ValidationError({"file": "This file was already enrolled."})
        employees = list(
            Employee.objects.filter(
                organization=actor.organization, pk__in=[r["employee_id"] for r in batch.rows]
            )
        )
        enrollments = enrollment_add(actor=actor, cohort=batch.cohort, employees=employees)
        locked.committed_at = timezone.now()
        locked.save(update_fields=["committed_at"])
    return enrollments


@transaction.atomic
def enrollment_withdraw(*, actor: Actor, enrollment: Enrollment) -> None:
    """Ends an enrolment; everything the learner did stays on record."""
    require(actor, "manage_programs")
    if enrollment.status != EnrollmentStatus.ACTIVE:
        raise ValidationError({"enrollment": "This enrolment has already ended."})
    enrollment.status, enrollment.ended_at = EnrollmentStatus.WITHDRAWN, timezone.now()
    enrollment.save(update_fields=["status", "ended_at"])
    audit_log(
        organization=actor.organization,
        actor=actor.user,
        action="enrollment.withdrawn",
        target=str(enrollment.employee),
        detail={"cohort_id": enrollment.cohort_id},
    )


@transaction.atomic
def enrollment_move(*, actor: Actor, enrollment: Enrollment, to_cohort: Cohort) -> Enrollment:
    """Moves a learner to another cohort. The old enrolment keeps its history and
    points at the new one."""
    require(actor, "manage_programs")
    if to_cohort.organization_id != actor.organization.pk:
        raise Cohort.DoesNotExist
    if to_cohort.pk == enrollment.cohort_id:
        raise ValidationError({"cohort": "The learner is already in this cohort."})
    if enrollment.status != EnrollmentStatus.ACTIVE:
        raise ValidationError({"enrollment": "This enrolment has already ended."})
    [new] = enrollment_add(actor=actor, cohort=to_cohort, employees=[enrollment.employee])
    enrollment.status, enrollment.ended_at, enrollment.moved_to = (
        EnrollmentStatus.MOVED,
        timezone.now(),
        new,
    )
    enrollment.save(update_fields=["status", "ended_at", "moved_to"])
    audit_log(
        organization=actor.organization,
        actor=actor.user,
        action="enrollment.moved",
        target=str(enrollment.employee),
        detail={"from_cohort_id": enrollment.cohort_id, "to_cohort_id": to_cohort.pk},
    )
    return new


def progress_export_audit(*, actor: Actor, cohort: Cohort) -> None:
    """Exports of learners' progress leave an audit entry (who, which cohort, when)."""
    audit_log(
        organization=actor.organization,
        actor=actor.user,
        action="cohort.progress_exported",
        target=cohort.name,
        detail={"cohort_id": cohort.pk},
    )


@transaction.atomic
def attendance_record(
    *, actor: Actor, cohort: Cohort, module: Module, attended_ids: set[int]
) -> int:
    """Takes attendance for a live session: every active learner is marked present or
    absent. Present learners have the module completed. Returns how many attended."""
    if not can_take_attendance(actor, cohort):
        raise Cohort.DoesNotExist
    if module.kind != ModuleKind.LIVE_SESSION or module.program_id != cohort.program_id:
        raise ValidationError(
            {"module": "Attendance is taken for this cohort's live sessions only."}
        )
    enrollments = list(cohort.enrollments.filter(status=EnrollmentStatus.ACTIVE))
    now = timezone.now()
    LiveSessionAttendance.objects.filter(module=module, enrollment__in=enrollments).delete()
    LiveSessionAttendance.objects.bulk_create(
        LiveSessionAttendance(
            module=module,
            enrollment=e,
            attended=e.pk in attended_ids,
            recorded_by=actor.user,
            recorded_at=now,
        )
        for e in enrollments
    )
    present = [e for e in enrollments if e.pk in attended_ids]
    # A session is completed by attending it: correcting someone to absent undoes that.
    ModuleProgress.objects.filter(module=module, enrollment__in=enrollments).exclude(
        enrollment__in=present
    ).delete()
    done = set(
        ModuleProgress.objects.filter(module=module, enrollment__in=present).values_list(
            "enrollment_id", flat=True
        )
    )
    ModuleProgress.objects.bulk_create(
        ModuleProgress(
            enrollment=e, module=module, status=ProgressStatus.COMPLETED, completed_at=now
        )
        for e in present
        if e.pk not in done
    )
    ModuleProgress.objects.filter(module=module, enrollment__in=present).exclude(
        status=ProgressStatus.COMPLETED
    ).update(status=ProgressStatus.COMPLETED, completed_at=now)
    audit_log(
        organization=actor.organization,
        actor=actor.user,
        action="cohort.attendance_taken",
        target=cohort.name,
        detail={"module_id": module.pk, "present": len(present)},
    )
    return len(present)


# --- Learner progress -----------------------------------------------------------------------


def _own_active(actor: Actor, enrollment: Enrollment) -> None:
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
    _own_active(actor, enrollment)
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
    progress = module_start(actor=actor, enrollment=enrollment, module=module)
    if progress.status != ProgressStatus.COMPLETED:
        progress.status, progress.completed_at = ProgressStatus.COMPLETED, timezone.now()
        progress.save(update_fields=["status", "completed_at"])
    return progress


@transaction.atomic
def module_rate(
    *, actor: Actor, enrollment: Enrollment, module: Module, rating: int, comment: str = ""
) -> ModuleProgress:
    """Reaction data: 1-5 and a comment, once the module is finished."""
    _own_active(actor, enrollment)
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
    _own_active(actor, enrollment)
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


# --- Scenario attempts ------------------------------------------------------------------------


@transaction.atomic
def attempt_start(
    *, actor: Actor, enrollment: Enrollment, module: Module, replay: bool = False
) -> ScenarioAttempt:
    """Resumes the learner's unfinished attempt at this scenario, or starts one on the
    scenario's current version (a replay always starts afresh)."""
    _own_active(actor, enrollment)
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
    _own_active(actor, attempt.enrollment)
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise ValidationError({"choice": "This attempt is finished; start a replay to play again."})
    if step_id != attempt.current_step:
        raise ValidationError(
            {"choice": "That step was already answered; here is where you are now."}
        )
    step = scenarios.step_of(attempt.version.definition, step_id)
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
        module_complete(actor=actor, enrollment=attempt.enrollment, module=attempt.module)
    return attempt


# --- Practice tools ----------------------------------------------------------------------------


@transaction.atomic
def sbi_entry_save(
    *,
    actor: Actor,
    enrollment: Enrollment,
    situation: str,
    behavior: str,
    impact: str,
    request: str = "",
    save_anyway: bool = False,
) -> tuple[SbiEntry | None, list]:
    """Checks an SBI entry and saves it to the practice log when the checker finds
    nothing, or when the learner chooses to save anyway. Returns (entry or None, flags)."""
    _own_active(actor, enrollment)
    flags = sbi_check(situation=situation, behavior=behavior, impact=impact, request=request)
    required = {f.field for f in flags if f.code.endswith("_missing")}
    if required or (flags and not save_anyway):
        return None, flags
    entry = SbiEntry.objects.create(
        enrollment=enrollment,
        situation=situation.strip(),
        behavior=behavior.strip(),
        impact=impact.strip(),
        request=request.strip(),
    )
    return entry, flags


@transaction.atomic
def delegation_decision_log(
    *,
    actor: Actor,
    enrollment: Enrollment,
    task: str,
    delegate_name: str,
    complexity: int,
    readiness: int,
    chosen_level: str | None = None,
) -> DelegationDecision:
    """Logs a real delegation decision with the matrix's recommendation beside the
    level the learner chose."""
    _own_active(actor, enrollment)
    errors = {}
    if not task.strip():
        errors["task"] = "Describe the task."
    if not delegate_name.strip():
        errors["delegate_name"] = "Say who you are delegating to."
    try:
        advice = delegation_recommend(complexity=int(complexity), readiness=int(readiness))
    except (TypeError, ValueError) as exc:
        errors["complexity"] = str(exc)
        advice = None
    if errors:
        raise ValidationError(errors)
    return DelegationDecision.objects.create(
        enrollment=enrollment,
        task=task.strip()[:300],
        delegate_name=delegate_name.strip()[:200],
        complexity=int(complexity),
        readiness=int(readiness),
        recommended_level=advice.level,
        chosen_level=chosen_level or advice.level,
    )


@transaction.atomic
def delegation_outcome_record(
    *, actor: Actor, decision: DelegationDecision, outcome: str
) -> DelegationDecision:
    _own_active(actor, decision.enrollment)
    if not outcome.strip():
        raise ValidationError({"outcome": "Say how it went."})
    decision.outcome, decision.outcome_recorded_at = outcome.strip(), timezone.now()
    decision.save(update_fields=["outcome", "outcome_recorded_at"])
    return decision


# --- Reminders -------------------------------------------------------------------------------


RELEASE_REMINDER_DAYS = 6
MAX_REMINDER_ATTEMPTS = 5


def reminders_send_due(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Queues and sends reminder emails about modules released this week and modules now
    overdue (a week after release), for active learners.

    Driven by database state through the ReminderSent outbox: each reminder is queued
    once (a unique row), then sent and marked; a failed send is retried on the next run,
    so a re-run, a second beat or a lost queue neither repeats nor loses one. Modules
    released before the learner was enrolled get no reminder (backfilled cohorts).
    """
    now = now or timezone.now()
    queued = reminders_queue_due(now=now)
    sent = reminders_deliver(now=now)
    return {**queued, **sent}


def reminders_queue_due(*, now: datetime.datetime) -> dict[str, int]:
    enrollments = list(
        Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE, employee__user__isnull=False)
        .filter(
            Q(employee__termination_date__isnull=True)
            | Q(employee__termination_date__gt=now.date())
        )
        .select_related("cohort__organization")
    )
    queued = {ReminderKind.RELEASED.value: 0, ReminderKind.OVERDUE.value: 0}
    if not enrollments:
        return queued
    modules_by_program: dict[int, list[Module]] = {}
    for module in Module.objects.filter(program_id__in={e.cohort.program_id for e in enrollments}):
        modules_by_program.setdefault(module.program_id, []).append(module)
    done = set(
        ModuleProgress.objects.filter(
            enrollment__in=enrollments, status=ProgressStatus.COMPLETED
        ).values_list("enrollment_id", "module_id")
    )
    already = set(
        ReminderSent.objects.filter(enrollment__in=enrollments).values_list(
            "enrollment_id", "module_id", "kind"
        )
    )
    due: list[ReminderSent] = []
    for enrollment in enrollments:
        tz = zoneinfo.ZoneInfo(enrollment.cohort.organization.time_zone)
        today = timezone.localdate(now, timezone=tz)
        enrolled_on = timezone.localdate(enrollment.enrolled_at, timezone=tz)
        for module in modules_by_program.get(enrollment.cohort.program_id, []):
            released = enrollment.cohort.week_starts(module.release_week)
            if released > today or released > enrollment.cohort.end_date or released < enrolled_on:
                continue
            if (enrollment.pk, module.pk) in done:
                continue
            if today >= released + datetime.timedelta(days=7):
                kind = ReminderKind.OVERDUE
            elif today <= released + datetime.timedelta(days=RELEASE_REMINDER_DAYS):
                kind = ReminderKind.RELEASED
            else:
                continue
            if (enrollment.pk, module.pk, kind) in already:
                continue
            due.append(
                ReminderSent(enrollment=enrollment, module=module, kind=kind, created_at=now)
            )
            queued[kind] += 1
    # ignore_conflicts: a concurrent run that queued the same reminder wins, harmlessly.
    ReminderSent.objects.bulk_create(due, ignore_conflicts=True)
    return queued


def reminders_deliver(*, now: datetime.datetime) -> dict[str, int]:
    """Sends every pending reminder and marks it sent; failures stay pending."""

    delivered = failed = 0
    with transaction.atomic():
        pending = list(
            ReminderSent.objects.filter(sent_at__isnull=True, attempts__lt=MAX_REMINDER_ATTEMPTS)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("enrollment__employee__user", "enrollment__cohort__program", "module")
        )
        if not pending:
            return {"sent": 0, "failed": 0}
        connection = get_connection()
        sent_ids, failed_ids = [], []
        for reminder in pending:
            subject, body, _from, to = _reminder_message(
                reminder.enrollment, reminder.module, reminder.kind
            )
            try:
                connection.send_messages([EmailMessage(subject, body, None, to)])
            except Exception:
                logger.exception("Reminder %s could not be sent; it stays pending", reminder.pk)
                failed_ids.append(reminder.pk)
            else:
                sent_ids.append(reminder.pk)
        ReminderSent.objects.filter(pk__in=sent_ids).update(sent_at=now, attempts=F("attempts") + 1)
        ReminderSent.objects.filter(pk__in=failed_ids).update(attempts=F("attempts") + 1)
        delivered, failed = len(sent_ids), len(failed_ids)
    return {"sent": delivered, "failed": failed}


def _reminder_message(enrollment: Enrollment, module: Module, kind: str) -> tuple:

    user = enrollment.employee.user
    link = settings.LODESTAR_BASE_URL.rstrip("/") + "/learn/"
    if kind == ReminderKind.RELEASED:
        subject = f"New this week: {module.title}"
        body = f"Hello {user.get_short_name()},\n\n'{module.title}' is now open in {enrollment.cohort.program.title}.\n\n{link}\n"
    else:
        subject = f"Catch up: {module.title}"
        body = f"Hello {user.get_short_name()},\n\n'{module.title}' was due a week after its release. Pick it up when you can:\n\n{link}\n"
    return (subject, body, None, [user.email])
