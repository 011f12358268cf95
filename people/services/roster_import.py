"""Roster imports: check a file into a stored preview, then commit every row or none."""

import datetime
import logging
import zoneinfo
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from people import bounds, roster
from people.audit import audit_log
from people.jobs import enqueue_on_commit
from people.models import (
    Employee,
    EmployeeRecord,
    ImportStatus,
    Job,
    Organization,
    RecordEvent,
    RosterImport,
    RosterImportRow,
    RowAction,
    Team,
)
from people.permissions import Actor, require
from people.services.employees import (
    history_state,
    logins_deactivate,
    record_from,
    roster_version_bump,
)

logger = logging.getLogger(__name__)


def roster_import_start(*, actor: Actor, filename: str, content: bytes) -> RosterImport:
    """Stores an uploaded roster file and queues its check. Nothing on the roster changes.

    Raises ValidationError({"file": ...}) for a file that is too large.
    """
    require(actor, "manage_roster")
    if len(content) > settings.LODESTAR_IMPORT_MAX_BYTES:
        raise ValidationError(
            {
                "file": f"The file is {len(content) // 1024} KB; the limit is "
                f"{settings.LODESTAR_IMPORT_MAX_BYTES // 1024} KB."
            }
        )
    with transaction.atomic():
        job = Job.objects.create(
            organization=actor.organization,
            kind="roster_import.parse",
            created_by=actor.user,
            message="Waiting for a worker",
        )
        batch = RosterImport.objects.create(
            organization=actor.organization,
            uploaded_by=actor.user,
            filename=bounds.clean_filename(filename),
            content=content,
            job=job,
        )
        enqueue_on_commit(job_id=job.pk, kind=job.kind)
    return batch


def roster_import_parse(
    *, roster_import: RosterImport, progress: Callable[[int, str], None]
) -> None:
    """Reads and checks the file, then stores every row with its errors as the preview.

    Runs outside a transaction (it may take a while) and writes its result in one
    short atomic step, only while the import is still being checked: a late or
    repeated run never overwrites an import that was already previewed, applied or
    discarded.
    """
    org = roster_import.organization
    progress(2, "Reading the file")
    version = Organization.objects.values_list("roster_version", flat=True).get(pk=org.pk)
    file_errors: list[str] = []
    warnings: list[str] = []
    checks: list[roster.RowCheck] = []
    try:
        parsed = roster.read_roster_file(
            filename=roster_import.filename,
            content=bytes(roster_import.content),
            max_rows=settings.LODESTAR_IMPORT_MAX_ROWS,
        )
    except roster.RosterFileError as exc:
        file_errors.append(str(exc))
    else:
        warnings = parsed.warnings
        employees = list(Employee.objects.filter(organization=org))
        teams = list(Team.objects.filter(organization=org))
        total = max(len(parsed.rows) * 2, 1)
        checks = roster.check_rows(
            rows=parsed.rows,
            employees=employees,
            teams=teams,
            progress=lambda done, _total: progress(
                5 + int(85 * done / total), f"Checked {done // 2} of {len(parsed.rows)} rows"
            ),
        )
    counts = {action: 0 for action in RowAction.values}
    for check in checks:
        counts[check.action] += 1
    new_teams = _new_team_names(org, checks)
    summary = {
        "rows": len(checks),
        **counts,
        "terminations": sum(1 for c in checks if _terminates(c)),
        "new_teams": new_teams,
        "warnings": warnings,
    }
    progress(92, "Saving the preview")
    with transaction.atomic():
        current = RosterImport.objects.select_for_update().only("status").get(pk=roster_import.pk)
        if current.status != ImportStatus.PARSING:
            return
        RosterImportRow.objects.filter(roster_import=roster_import).delete()
        RosterImportRow.objects.bulk_create(
            (
                RosterImportRow(
                    roster_import=roster_import,
                    row_number=c.row_number,
                    data=c.data,
                    errors=c.errors,
                    action=c.action,
                    changes=c.changes,
                    employee_id=c.employee_pk,
                )
                for c in checks
            ),
            batch_size=1000,
        )
        roster_import.file_errors = file_errors
        roster_import.summary = summary
        roster_import.roster_version = version
        roster_import.status = (
            ImportStatus.INVALID if file_errors or counts[RowAction.ERROR] else ImportStatus.PREVIEW
        )
        roster_import.save(update_fields=["file_errors", "summary", "roster_version", "status"])


def roster_imports_fail(*, job_ids: list[int]) -> None:
    """Called when a check job fails for good: the import shows why, instead of
    checking forever."""
    RosterImport.objects.filter(job_id__in=job_ids, status=ImportStatus.PARSING).update(
        status=ImportStatus.INVALID,
        file_errors=[
            "Lodestar could not finish checking this file. Upload it again; if it keeps "
            "failing, ask your administrator to look at the worker logs."
        ],
    )


def _terminates(check: roster.RowCheck) -> bool:
    if check.action == RowAction.CREATE:
        return bool(check.data.get("termination_date"))
    return any(c["field"] == "termination_date" and c["new"] for c in check.changes)


def _new_team_names(org: Organization, checks: list[roster.RowCheck]) -> list[str]:
    existing = {
        name.casefold()
        for name in Team.objects.filter(organization=org).values_list("name", flat=True)
    }
    names: dict[str, str] = {}
    for check in checks:
        name = check.data.get("team")
        if name and name.casefold() not in existing:
            names.setdefault(name.casefold(), name)
    return sorted(names.values())


class ImportNotCommittable(ValidationError):
    pass


def roster_import_commit(*, actor: Actor, roster_import: RosterImport) -> dict:
    """Applies every row of a checked import in one transaction, or nothing.

    Refuses (ImportNotCommittable) when the import has errors, was already applied
    or discarded, or when the roster changed since the preview was made. Returns
    the summary of what changed.
    """
    require(actor, "manage_roster")
    with transaction.atomic():
        batch = RosterImport.objects.select_for_update().get(pk=roster_import.pk)
        org = Organization.objects.select_for_update().get(pk=actor.organization.pk)
        if batch.organization_id != org.pk:
            raise RosterImport.DoesNotExist
        if batch.status == ImportStatus.COMMITTED:
            raise ImportNotCommittable("This import was already applied.")
        if batch.status != ImportStatus.PREVIEW:
            raise ImportNotCommittable("Only a checked import without errors can be applied.")
        if batch.roster_version != org.roster_version:
            raise ImportNotCommittable(
                "The roster changed since this preview was made. Upload the file again "
                "to check it against the current roster."
            )
        result = _apply_rows(actor=actor, org=org, batch=batch)
        batch.status = ImportStatus.COMMITTED
        batch.committed_at = timezone.now()
        batch.committed_by = actor.user
        batch.save(update_fields=["status", "committed_at", "committed_by"])
        roster_version_bump(org)
        audit_log(
            organization=org,
            actor=actor.user,
            action="roster.imported",
            target=batch.filename,
            detail={"import_id": batch.pk, **result},
        )
    return result


_EMPLOYEE_UPDATE_FIELDS = [
    "full_name",
    "email",
    "employee_id",
    "team",
    "manager",
    "job_title",
    "level",
    "time_zone",
    "annual_salary",
    "is_top_performer",
    "hire_date",
    "termination_date",
    "termination_reason",
    "updated_at",
]


def _field_values(person: Employee) -> dict:
    return {
        f: getattr(person, Employee._meta.get_field(f).attname) for f in _EMPLOYEE_UPDATE_FIELDS
    }


def _apply_row_data(person: Employee, data: dict, teams: dict[str, Team]) -> None:
    """Copies one checked row onto an Employee (not saved). Absent columns keep their value."""
    person.full_name = data["name"]
    person.email = data["email"]
    for column in ("employee_id", "job_title", "level", "time_zone"):
        if column in data:
            setattr(person, column, data[column])
    if "team" in data:
        person.team = teams[data["team"].casefold()]
    if "annual_salary" in data:
        person.annual_salary = Decimal(data["annual_salary"])
    if "top_performer" in data:
        person.is_top_performer = data["top_performer"]
    if "hire_date" in data:
        person.hire_date = datetime.date.fromisoformat(data["hire_date"])
    if "termination_date" in data:
        person.termination_date = datetime.date.fromisoformat(data["termination_date"])
        person.termination_reason = data["termination_reason"]
    elif data.get("rehire"):
        person.termination_date = None
        person.termination_reason = ""
    person.updated_at = timezone.now()


def _apply_rows(*, actor: Actor, org: Organization, batch: RosterImport) -> dict:
    """Writes every create and update of a checked import with bulk queries.

    The number of queries grows with bulk batches (1 000 rows each), never per row.
    """
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(org.time_zone))
    source = f"import:{batch.pk}"
    rows = list(batch.rows.exclude(action=RowAction.UNCHANGED).order_by("row_number"))
    existing = Employee.objects.in_bulk([r.employee_id for r in rows if r.employee_id])

    teams = {t.name.casefold(): t for t in Team.objects.filter(organization=org)}
    new_teams: dict[str, Team] = {}
    for row in rows:
        name = row.data.get("team")
        if name and name.casefold() not in teams and name.casefold() not in new_teams:
            new_teams[name.casefold()] = Team(organization=org, name=name)
    Team.objects.bulk_create(new_teams.values())
    teams = {t.name.casefold(): t for t in Team.objects.filter(organization=org)}

    person_of_row: dict[int, Employee] = {}
    before: dict[int, dict] = {}
    before_fields: dict[int, dict] = {}
    creates: list[Employee] = []
    for row in rows:
        if row.action == RowAction.CREATE:
            person = Employee(organization=org)
            creates.append(person)
        else:
            person = existing[row.employee_id]
            before[row.row_number] = history_state(person)
            before_fields[row.row_number] = _field_values(person)
        _apply_row_data(person, row.data, teams)
        person_of_row[row.row_number] = person

    # Managers who are already on the roster are set before saving; managers created by
    # this same file get their id only after bulk_create, so those links follow it.
    late_manager_links: list[tuple[Employee, Employee]] = []
    for row in rows:
        key = row.data.get("manager_key")
        if not key:
            continue
        kind, ident = key.split(":")
        person = person_of_row[row.row_number]
        if kind == "e":
            person.manager_id = int(ident)
        else:
            late_manager_links.append((person, person_of_row[int(ident)]))
    Employee.objects.bulk_create(creates, batch_size=1000)
    for person, manager in late_manager_links:
        person.manager_id = manager.pk
    created = {id(person) for person in creates}
    Employee.objects.bulk_update(
        [person for person, _ in late_manager_links if id(person) in created],
        ["manager"],
        batch_size=1000,
    )
    # Update only the columns that changed, grouped by which ones: a file in which
    # everyone changes team writes two columns, not fourteen.
    updated: list[Employee] = []
    by_changed_fields: dict[tuple[str, ...], list[Employee]] = {}
    for row in rows:
        if row.action != RowAction.UPDATE:
            continue
        person = person_of_row[row.row_number]
        updated.append(person)
        now = _field_values(person)
        changed = tuple(
            f for f in _EMPLOYEE_UPDATE_FIELDS if now[f] != before_fields[row.row_number][f]
        )
        by_changed_fields.setdefault(changed, []).append(person)
    for fields, people in by_changed_fields.items():
        Employee.objects.bulk_update(people, fields, batch_size=1000)

    records: list[EmployeeRecord] = []
    leaver_user_ids: set[int] = set()
    counts = {"created": len(creates), "updated": len(updated), "terminated": 0}
    for row in rows:
        person = person_of_row[row.row_number]
        effective = (
            datetime.date.fromisoformat(row.data["effective_date"])
            if "effective_date" in row.data
            else today
        )
        if row.action == RowAction.CREATE or row.data.get("rehire"):
            hired = person.hire_date or effective
            if person.termination_date and person.termination_date < hired:
                # No hire date and already gone: on the roster until the day they left.
                hired = person.termination_date
            records.append(
                record_from(
                    person,
                    effective_date=hired,
                    event=RecordEvent.HIRE,
                    changed_fields=[],
                    source=source,
                )
            )
        else:
            after = history_state(person)
            changed = [f for f in roster.TRACKED_FIELDS if before[row.row_number][f] != after[f]]
            if changed:
                records.append(
                    record_from(
                        person,
                        effective_date=effective,
                        event=RecordEvent.CHANGE,
                        changed_fields=changed,
                        source=source,
                    )
                )
        newly_terminated = person.termination_date and (
            row.action == RowAction.CREATE
            or any(c["field"] == "termination_date" and c["new"] for c in row.changes)
        )
        if newly_terminated:
            counts["terminated"] += 1
            records.append(
                record_from(
                    person,
                    effective_date=person.termination_date,
                    event=RecordEvent.TERMINATION,
                    changed_fields=["termination"],
                    source=source,
                )
            )
            if person.user_id and person.termination_date <= today:
                leaver_user_ids.add(person.user_id)
    _correct_history(person_of_row=person_of_row, rows=rows)
    EmployeeRecord.objects.bulk_create(records, batch_size=1000)
    logins_deactivate(leaver_user_ids)
    counts["history_records"] = len(records)
    counts["new_teams"] = len(new_teams)
    return counts


def _correct_history(*, person_of_row: dict[int, Employee], rows: list[RosterImportRow]) -> None:
    """A changed hire or termination date corrects the record of the current employment
    instead of adding a second one (which would count the person twice)."""
    hire_moves: dict[int, datetime.date] = {}
    dropped_terminations: set[tuple[int, datetime.date]] = set()
    for row in rows:
        if row.action != RowAction.UPDATE or row.data.get("rehire"):
            continue
        person = person_of_row[row.row_number]
        for change in row.changes:
            if change["field"] == "hire_date" and change["old"] and change["new"]:
                hire_moves[person.pk] = person.hire_date
            if change["field"] == "termination_date" and change["old"] and change["new"]:
                dropped_terminations.add((person.pk, datetime.date.fromisoformat(change["old"])))
    if dropped_terminations:
        stale = EmployeeRecord.objects.filter(
            employee_id__in={pk for pk, _ in dropped_terminations}, event=RecordEvent.TERMINATION
        ).only("pk", "employee_id", "effective_date")
        EmployeeRecord.objects.filter(
            pk__in=[
                r.pk for r in stale if (r.employee_id, r.effective_date) in dropped_terminations
            ]
        ).delete()
    if hire_moves:
        latest: dict[int, EmployeeRecord] = {}
        for record in EmployeeRecord.objects.filter(
            employee_id__in=list(hire_moves), event=RecordEvent.HIRE
        ).order_by("employee_id", "-effective_date", "-id"):
            latest.setdefault(record.employee_id, record)
        for employee_id, record in latest.items():
            record.effective_date = hire_moves[employee_id]
        EmployeeRecord.objects.bulk_update(latest.values(), ["effective_date"], batch_size=1000)


@transaction.atomic
def roster_import_discard(*, actor: Actor, roster_import: RosterImport) -> None:
    """Marks an import as discarded; the roster is untouched. Applied imports stay applied."""
    require(actor, "manage_roster")
    batch = RosterImport.objects.select_for_update().get(
        pk=roster_import.pk, organization=actor.organization
    )
    if batch.status == ImportStatus.COMMITTED:
        raise ImportNotCommittable("An applied import cannot be discarded.")
    batch.status = ImportStatus.DISCARDED
    batch.save(update_fields=["status"])
    roster_import.status = batch.status
