"""Cohorts, enrolment (from the roster or a CSV preview), coaches, moves, withdrawals and attendance."""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from people import bounds
from people.audit import audit_log
from people.events import EventName, event_emit_many
from people.models import Employee, Role, User
from people.permissions import Actor, require
from people.services import employees_access_grant
from people.tabular import TableFileError, read_csv
from programs.models import (
    Cohort,
    Enrollment,
    EnrollmentImport,
    EnrollmentImportRow,
    EnrollmentImportStatus,
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


def _problem_words(code: str, cohort: Cohort) -> str:
    return PROBLEMS[code][0].format(capacity=cohort.capacity)


def _enrollment_problem_codes(
    *, cohort: Cohort, employees: list[Employee], already_counted: int | None
) -> dict[int, list[str]]:
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
    codes = _enrollment_problem_codes(
        cohort=cohort, employees=employees, already_counted=already_counted
    )
    return {pk: [_problem_words(c, cohort) for c in found] for pk, found in codes.items()}


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


# --- Enrolment files ------------------------------------------------------------------
# The roster import's pattern (people.services.roster_import): the upload becomes a stored
# batch whose rows each carry their problems; the preview lists them; commit enrols every
# row in one transaction, after checking again, or nobody; a batch can be discarded.
#
# Unlike a roster file, an enrolment file is checked in the request, not in a Celery job:
# it holds at most MAX_ENROLMENT_ROWS emails and checking them is four queries whatever
# their number, well under a second, so a job and a progress bar would only add a wait.

MAX_ENROLMENT_ROWS = 2000
EMAIL_HEADERS = {"email", "work_email", "e-mail", "email_address", "work email"}
MAX_EMAIL_LENGTH = EnrollmentImportRow._meta.get_field("email").max_length


class EnrollmentImportNotCommittable(ValidationError):
    pass


@dataclass
class _RowCheck:
    row_number: int
    email: str
    employee: Employee | None = None
    codes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _enrollment_file_read(content: bytes) -> list[tuple[int, str]]:
    """(row number in the file, email) for every non-blank row. The email is the first
    column, or the column headed 'email' when the first row is a header.

    Raises TableFileError with a message for the person who uploaded the file.
    """
    table = read_csv(content)
    numbered = [
        (number, row)
        for number, row in enumerate(table, start=1)
        if any(cell.strip() for cell in row)
    ]
    column = 0
    if numbered:
        header = [cell.strip().lower() for cell in numbered[0][1]]
        named = [i for i, cell in enumerate(header) if cell in EMAIL_HEADERS]
        if named and not any("@" in cell for cell in header):
            column = named[0]
            numbered = numbered[1:]
    if not numbered:
        raise TableFileError(
            "The file has no email addresses: one email per line (a header 'email' is allowed)."
        )
    if len(numbered) > MAX_ENROLMENT_ROWS:
        raise TableFileError(
            f"The file has {len(numbered)} rows; enrol at most {MAX_ENROLMENT_ROWS} at once."
        )
    return [
        (number, row[column].strip().lower() if column < len(row) else "")
        for number, row in numbered
    ]


def _enrollment_rows_check(*, cohort: Cohort, rows: list[tuple[int, str]]) -> list[_RowCheck]:
    """Every row's problems against the roster and the cohort as they are now. Rows are
    taken in file order, so it is the later rows that would exceed the capacity. Four
    queries, whatever the number of rows; nothing is written."""
    checks = [_RowCheck(row_number=number, email=email) for number, email in rows]
    valid: list[_RowCheck] = []
    first_row: dict[str, int] = {}
    for check in checks:
        try:
            if len(check.email) > MAX_EMAIL_LENGTH:
                raise ValidationError("too long")
            validate_email(check.email)
        except ValidationError:
            check.codes.append("not_an_email")
            continue
        if check.email in first_row:
            check.codes.append("duplicate")
        else:
            first_row[check.email] = check.row_number
            valid.append(check)
    on_roster = {
        e.email.lower(): e
        for e in Employee.objects.filter(
            organization_id=cohort.organization_id, email__in=[c.email for c in valid]
        )
    }
    for check in valid:
        check.employee = on_roster.get(check.email)
        if check.employee is None:
            check.codes.append("unknown")
    matched = [c.employee for c in valid if c.employee is not None]
    problems = _enrollment_problem_codes(cohort=cohort, employees=matched, already_counted=None)
    for check in checks:
        if check.employee is not None and check.codes == []:
            check.codes.extend(problems.get(check.employee.pk, []))
        for code in check.codes:
            if code == "not_an_email":
                shown = check.email[:80] + ("…" if len(check.email) > 80 else "")
                check.errors.append(
                    f"'{shown}' is not an email address." if shown else "The email is empty."
                )
            elif code == "duplicate":
                check.errors.append(
                    f"{check.email} appears twice in the file (first on row "
                    f"{first_row[check.email]})."
                )
            else:
                check.errors.append(f"{check.email} {_problem_words(code, cohort)}")
    return checks


def _enrollment_summary(checks: list[_RowCheck]) -> dict:
    counts: dict[str, int] = {}
    for check in checks:
        for code in check.codes:
            label = PROBLEMS[code][1]
            counts[label] = counts.get(label, 0) + 1
    with_problems = sum(1 for c in checks if c.codes)
    return {
        "rows": len(checks),
        "ready": len(checks) - with_problems,
        "with_problems": with_problems,
        "problems": [{"label": label, "count": n} for label, n in counts.items()],
    }


def enrollment_import_start(
    *, actor: Actor, cohort: Cohort, filename: str, content: bytes
) -> EnrollmentImport:
    """Stores an uploaded CSV of emails as a batch and checks every row against the
    roster and the cohort. Nobody is enrolled until the batch is committed.

    Returns the batch: in PREVIEW when every row can be enrolled, INVALID otherwise
    (a file that cannot be read has `file_error`; rows have their `errors`). Raises
    ValidationError({"file": ...}) for a file over the upload limit.
    """
    require(actor, "manage_programs")
    if cohort.organization_id != actor.organization.pk:
        raise Cohort.DoesNotExist
    if len(content) > settings.LODESTAR_IMPORT_MAX_BYTES:
        raise ValidationError(
            {
                "file": f"The file is {len(content) // 1024} KB; the limit is "
                f"{settings.LODESTAR_IMPORT_MAX_BYTES // 1024} KB."
            }
        )
    with transaction.atomic():
        batch = EnrollmentImport.objects.create(
            cohort=cohort, uploaded_by=actor.user, filename=bounds.clean_filename(filename)
        )
        try:
            rows = _enrollment_file_read(content)
        except TableFileError as exc:
            batch.file_error = str(exc)
            batch.status = EnrollmentImportStatus.INVALID
            batch.save(update_fields=["file_error", "status"])
            return batch
        _enrollment_import_store(
            batch=batch, checks=_enrollment_rows_check(cohort=cohort, rows=rows)
        )
    return batch


def _enrollment_import_store(*, batch: EnrollmentImport, checks: list[_RowCheck]) -> None:
    """Replaces the batch's rows with `checks` and sets its status and counts from them."""
    EnrollmentImportRow.objects.filter(enrollment_import=batch).delete()
    EnrollmentImportRow.objects.bulk_create(
        (
            EnrollmentImportRow(
                enrollment_import=batch,
                row_number=c.row_number,
                email=c.email[:MAX_EMAIL_LENGTH],
                employee=c.employee,
                errors=c.errors,
            )
            for c in checks
        ),
        batch_size=1000,
    )
    batch.summary = _enrollment_summary(checks)
    batch.status = (
        EnrollmentImportStatus.INVALID
        if batch.summary["with_problems"]
        else EnrollmentImportStatus.PREVIEW
    )
    batch.save(update_fields=["summary", "status"])


def _enrollment_import_lock(
    *, actor: Actor, enrollment_import: EnrollmentImport
) -> EnrollmentImport:
    return (
        EnrollmentImport.objects.select_for_update(of=("self",))
        .select_related("cohort")
        .get(pk=enrollment_import.pk, cohort__organization=actor.organization)
    )


def enrollment_import_commit(
    *, actor: Actor, enrollment_import: EnrollmentImport
) -> list[Enrollment]:
    """Enrols every row of a checked batch in one transaction, or nobody.

    The rows are checked again first, with the cohort locked: someone may have been
    enrolled, left the company or filled the last seats since the preview. Then the
    batch is stored with its new problems (INVALID) and EnrollmentImportNotCommittable
    says how many rows changed. Also refused for a batch with problems, or one already
    enrolled or discarded.
    """
    require(actor, "manage_programs")
    with transaction.atomic():
        batch = _enrollment_import_lock(actor=actor, enrollment_import=enrollment_import)
        if batch.status == EnrollmentImportStatus.COMMITTED:
            raise EnrollmentImportNotCommittable("This file was already enrolled.")
        if batch.status != EnrollmentImportStatus.PREVIEW:
            raise EnrollmentImportNotCommittable(
                "Only a checked file without problems can be enrolled. Fix the file and "
                "upload it again."
            )
        cohort = (
            Cohort.objects.select_for_update()
            .select_related("organization")
            .get(pk=batch.cohort_id)
        )
        rows = list(batch.rows.values_list("row_number", "email"))
        checks = _enrollment_rows_check(cohort=cohort, rows=rows)
        stale = [c for c in checks if c.errors]
        if not stale:
            enrollments = enrollment_add(
                actor=actor, cohort=cohort, employees=[c.employee for c in checks]
            )
            batch.status = EnrollmentImportStatus.COMMITTED
            batch.committed_at = timezone.now()
            batch.committed_by = actor.user
            batch.save(update_fields=["status", "committed_at", "committed_by"])
            enrollment_import.status = batch.status
            return enrollments
        # Keep the fresh check, so the preview shows what changed; nobody is enrolled.
        _enrollment_import_store(batch=batch, checks=checks)
    enrollment_import.status = batch.status
    raise EnrollmentImportNotCommittable(
        f"Nobody was enrolled: since this file was checked, {len(stale)} "
        f"row{'s have' if len(stale) != 1 else ' has'} a problem ("
        + "; ".join(stale[0].errors)
        + (" and more" if len(stale) > 1 else "")
        + "). Each row's problem is listed below."
    )


@transaction.atomic
def enrollment_import_discard(*, actor: Actor, enrollment_import: EnrollmentImport) -> None:
    """Marks a batch as discarded; nobody is enrolled. An enrolled batch stays enrolled."""
    require(actor, "manage_programs")
    batch = _enrollment_import_lock(actor=actor, enrollment_import=enrollment_import)
    if batch.status == EnrollmentImportStatus.COMMITTED:
        raise EnrollmentImportNotCommittable("An enrolled file cannot be discarded.")
    batch.status = EnrollmentImportStatus.DISCARDED
    batch.save(update_fields=["status"])
    enrollment_import.status = batch.status


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
