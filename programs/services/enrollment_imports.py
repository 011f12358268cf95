"""Enrolment files: a CSV of emails checked into a stored preview, then enrolled all at
once or not at all.

The roster import's pattern (people.services.roster_import): the upload becomes a stored
batch whose rows each carry their problems; the preview lists them; commit enrols every
row in one transaction, after checking again, or nobody; a batch can be discarded.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from people import bounds
from people.models import Employee
from people.permissions import Actor, require
from people.tabular import TableFileError, read_csv
from programs.models import (
    Cohort,
    Enrollment,
    EnrollmentImport,
    EnrollmentImportRow,
    EnrollmentImportStatus,
)
from programs.services.cohorts import (
    PROBLEMS,
    enrollment_add,
    enrollment_problem_codes,
    problem_words,
)

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
    problems = enrollment_problem_codes(cohort=cohort, employees=matched, already_counted=None)
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
                check.errors.append(f"{check.email} {problem_words(code, cohort)}")
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
