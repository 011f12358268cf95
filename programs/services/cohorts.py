"""Cohorts, enrolment from the roster, coaches, moves, withdrawals and attendance. Enrolment
files (a CSV preview) are in enrollment_imports."""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from people.audit import audit_log
from people.events import EventName, event_emit_many
from people.models import Employee, Role, User
from people.permissions import Actor, require
from people.services import employees_access_grant
from programs.models import (
    Cohort,
    Enrollment,
    EnrollmentStatus,
    LiveSessionAttendance,
    Module,
    ModuleKind,
    ModuleProgress,
    Program,
    ProgressStatus,
)
from programs.permissions import can_take_attendance, may_coach
from programs.services.learning import module_completed_payload
from programs.services.welcome import enrolment_welcome_queue
from programs.signals import program_copied

logger = logging.getLogger(__name__)


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
    # Learners with the fewest coaches who may coach them choose first, so the others
    # still even out the load (and the result does not depend on row order).
    orphans.sort(key=lambda e: (sum(picker.may_coach(c, e.employee) for c in picker.load), e.pk))
    for enrollment in orphans:
        enrollment.coach_id = picker.pick(enrollment.employee)
    Enrollment.objects.bulk_update(orphans, ["coach"])


# Why someone cannot be enrolled: a code, the words after their name, and the label
# an enrolment file's preview counts them under.
PROBLEMS = {
    "not_an_email": ("is not an email address.", "Not an email address"),
    "duplicate": ("appears twice in the file.", "Twice in the file"),
    "unknown": ("is not on the roster (unknown email).", "Not on the roster"),
    "foreign": ("is not on this organisation's roster.", "Not on the roster"),
    "left": ("has left the organisation.", "Left the organisation"),
    "enrolled": ("is already enrolled in this cohort.", "Already enrolled"),
    "capacity": ("would exceed the cohort's capacity of {capacity}.", "Over the cohort's capacity"),
}


def problem_words(code: str, cohort: Cohort) -> str:
    return PROBLEMS[code][0].format(capacity=cohort.capacity)


def enrollment_problem_codes(
    *, cohort: Cohort, employees: list[Employee], already_counted: int | None
) -> dict[int, list[str]]:
    """Like enrollment_problems, as codes of PROBLEMS (an enrolment file counts them)."""
    today = cohort.organization.today()
    active = set(
        Enrollment.objects.filter(cohort=cohort, status=EnrollmentStatus.ACTIVE).values_list(
            "employee_id", flat=True
        )
    )
    seats = cohort.capacity - (len(active) if already_counted is None else already_counted)
    problems: dict[int, list[str]] = {}
    for employee in employees:
        codes = []
        if employee.organization_id != cohort.organization_id:
            codes.append("foreign")
        elif not employee.is_employed_on(today):
            codes.append("left")
        if employee.pk in active:
            codes.append("enrolled")
        if not codes:
            seats -= 1
            if seats < 0:
                codes.append("capacity")
        if codes:
            problems[employee.pk] = codes
    return problems


def enrollment_problems(
    *, cohort: Cohort, employees: list[Employee], already_counted: int | None = None
) -> dict[int, list[str]]:
    """Why each person cannot be enrolled (empty when all can), in a fixed number of queries.

    People are taken in the order given, so when seats run out it is the later ones
    who would exceed the capacity.
    """
    codes = enrollment_problem_codes(
        cohort=cohort, employees=employees, already_counted=already_counted
    )
    return {pk: [problem_words(c, cohort) for c in found] for pk, found in codes.items()}


def _raise_enrollment_problems(*, cohort: Cohort, employees: list[Employee]) -> None:
    """Over capacity is a fact about the whole choice, not about whoever came last, so it
    is said once as a count; each person with a problem of their own is named."""
    codes = enrollment_problem_codes(cohort=cohort, employees=employees, already_counted=None)
    errors: dict[str, list[str]] = {}
    if any("capacity" in found for found in codes.values()):
        active = cohort.enrollments.filter(status=EnrollmentStatus.ACTIVE).count()
        left = max(cohort.capacity - active, 0)
        errors["places"] = [
            f"{left} place{'' if left == 1 else 's'} left; you chose {len(employees)}."
        ]
    by_id = {e.pk: e for e in employees}
    named = []
    for pk, found in codes.items():
        own = [problem_words(c, cohort) for c in found if c != "capacity"]
        if own:
            named.append(f"{by_id[pk].full_name} {' '.join(own)}")
    if named:
        errors["learners"] = named
    if errors:
        raise ValidationError(errors)


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
    gives them the learner role, emailing each a welcome naming the program, cohort and
    start date (with a link to choose a password if they have none) unless `notify` is
    False.
    All or nobody: any problem raises ValidationError, with "places" saying how many
    places are left when more are chosen than fit ("8 places left; you chose 10.") and
    "learners" naming everyone who cannot be enrolled and why."""
    require(actor, "manage_programs")
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk, organization=actor.organization)
    _raise_enrollment_problems(cohort=cohort, employees=employees)
    picker = _CoachPicker(cohort)
    enrollments = Enrollment.objects.bulk_create(
        Enrollment(cohort=cohort, employee=e, coach_id=picker.pick(e)) for e in employees
    )
    # The learner's welcome names the program, cohort and start date, so the generic
    # invitation is not sent as well; people who already sign in get it too.
    _grant_learner_logins(actor=actor, employees=employees)
    if notify:
        enrolment_welcome_queue(enrollments=enrollments)
    audit_log(
        organization=actor.organization,
        actor=actor.user,
        action="cohort.enrolled",
        target=cohort.name,
        detail={"count": len(enrollments)},
    )
    return enrollments


def _grant_learner_logins(*, actor: Actor, employees: list[Employee]) -> None:
    employees_access_grant(actor=actor, employees=employees, role=Role.LEARNER, notify=False)


@transaction.atomic
def enrollment_withdraw(*, actor: Actor, enrollment: Enrollment) -> None:
    """Ends an enrolment; everything the learner did stays on record. Another
    organisation's enrolment is Enrollment.DoesNotExist."""
    require(actor, "manage_programs")
    if enrollment.cohort.organization_id != actor.organization.pk:
        raise Enrollment.DoesNotExist
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
    already = set(
        ModuleProgress.objects.filter(
            module=module, enrollment__in=present, status=ProgressStatus.COMPLETED
        ).values_list("enrollment_id", flat=True)
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
    event_emit_many(
        name=EventName.MODULE_COMPLETED,
        actor=actor,
        organization=cohort.organization,
        payloads=[module_completed_payload(e, module) for e in present if e.pk not in already],
    )
    audit_log(
        organization=actor.organization,
        actor=actor.user,
        action="cohort.attendance_taken",
        target=cohort.name,
        detail={"module_id": module.pk, "present": len(present)},
    )
    return len(present)
