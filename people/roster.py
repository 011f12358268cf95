"""Reading and checking roster files. Pure functions: nothing here writes.

services.roster_import_parse stores what these return as a preview; only
services.roster_import_commit changes the roster.
"""

import datetime
import io
import re
import zoneinfo
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from people import bounds
from people.models import Employee, RowAction, Team, TerminationReason
from people.tabular import TableFileError, read_csv

REQUIRED_COLUMNS = ("email", "name")
OPTIONAL_COLUMNS = (
    "employee_id",
    "team",
    "manager_email",
    "manager_employee_id",
    "job_title",
    "level",
    "hire_date",
    "termination_date",
    "termination_reason",
    "annual_salary",
    "top_performer",
    "time_zone",
    "effective_date",
)
KNOWN_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
ALIASES = {
    "full_name": "name",
    "work_email": "email",
    "email_address": "email",
    "employee_number": "employee_id",
    "manager": "manager_email",
    "salary": "annual_salary",
    "is_top_performer": "top_performer",
    "timezone": "time_zone",
    "title": "job_title",
}
# Fields whose changes are HR history (and feed reporting lines and ROI later).
TRACKED_FIELDS = ("team", "manager", "job_title", "level", "annual_salary", "is_top_performer")
# The model's limits, so a value that passes the preview also fits the database.
MAX_LENGTHS = {
    "email": Employee._meta.get_field("email").max_length,
    "name": Employee._meta.get_field("full_name").max_length,
    "employee_id": Employee._meta.get_field("employee_id").max_length,
    "team": Team._meta.get_field("name").max_length,
    "job_title": Employee._meta.get_field("job_title").max_length,
    "level": Employee._meta.get_field("level").max_length,
}
TRUE_WORDS = {"yes", "y", "true", "1", "x"}
FALSE_WORDS = {"no", "n", "false", "0"}
KNOWN_TIME_ZONES = zoneinfo.available_timezones()


# The file as a whole cannot be read; the message tells the user how to fix it. The
# same error as for any uploaded table, so a CSV is read one way everywhere.
RosterFileError = TableFileError


@dataclass
class RosterFile:
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]
    warnings: list[str] = field(default_factory=list)


def _normalise_header(raw: object) -> str:
    text = str(raw or "").strip().lower()
    text = re.sub(r"[\s\-/.]+", "_", text)
    return ALIASES.get(text, text)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# Wider than any roster needs; a sheet claiming thousands of columns is not read cell by cell.
MAX_COLUMNS = 60


def _read_xlsx(content: bytes, max_rows: int) -> list[list[str]]:
    # Imported here: openpyxl is slow to import and only XLSX uploads need it, so web
    # processes that never see one do not pay for it.
    from openpyxl import load_workbook

    # The upload limit bounds the packed file only; a 1 MB XLSX can unpack to 1 GB.
    try:
        bounds.check_zip_unpacked_size(content)
    except bounds.BoundsError as exc:
        raise RosterFileError(str(exc)) from None
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise RosterFileError(
            "The XLSX file could not be opened. Save it again from Excel or upload a CSV."
        ) from None
    table: list[list[str]] = []
    scanned = 0
    try:
        sheet = workbook.worksheets[0]
        # Stream the rows and stop early, so a tiny file claiming a huge sheet cannot
        # make the worker build millions of empty cells.
        for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            scanned += 1
            cells = [_cell_text(cell) for cell in row]
            if any(cells):
                table.append(cells)
                if len(table) > max_rows + 1:
                    break
            elif scanned > max_rows + 10_000:
                break
    except RosterFileError:
        raise
    except Exception:
        raise RosterFileError(
            "The XLSX file could not be read. Save it again from Excel or upload a CSV."
        ) from None
    finally:
        workbook.close()
    return table


def read_roster_file(*, filename: str, content: bytes, max_rows: int) -> RosterFile:
    """Reads a CSV or XLSX roster into rows keyed by canonical column names.

    Raises RosterFileError with a message meant for the person who uploaded it.
    """
    if not content:
        raise RosterFileError("The file is empty.")
    is_xlsx = filename.lower().endswith(".xlsx") or content[:2] == b"PK"
    table = _read_xlsx(content, max_rows) if is_xlsx else read_csv(content)
    table = [row for row in table if any(str(cell).strip() for cell in row)]
    if not table:
        raise RosterFileError("The file has no header row.")
    header = [_normalise_header(cell) for cell in table[0]]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise RosterFileError(
            "Missing required column(s): "
            + ", ".join(missing)
            + ". The first row must name the columns, for example: "
            "email,name,employee_id,team,manager_email,hire_date."
        )
    duplicates = sorted({name for name in header if name and header.count(name) > 1})
    if duplicates:
        raise RosterFileError("Column(s) appear twice: " + ", ".join(duplicates) + ".")
    warnings = []
    unknown = [name for name in header if name and name not in KNOWN_COLUMNS]
    if unknown:
        warnings.append("Ignored unknown column(s): " + ", ".join(unknown) + ".")
    if len(table) - 1 > max_rows:
        raise RosterFileError(
            f"The file has {len(table) - 1} rows; at most {max_rows} can be imported at once."
        )
    rows = []
    for offset, raw in enumerate(table[1:], start=2):
        values = {}
        for index, name in enumerate(header):
            if name in KNOWN_COLUMNS:
                values[name] = _cell_text(raw[index]) if index < len(raw) else ""
        rows.append((offset, values))
    if not rows:
        raise RosterFileError("The file has a header row but no people.")
    columns = [name for name in header if name in KNOWN_COLUMNS]
    return RosterFile(columns=columns, rows=rows, warnings=warnings)


@dataclass
class RowCheck:
    row_number: int
    data: dict
    errors: list[str]
    action: str = RowAction.ERROR
    changes: list[dict] = field(default_factory=list)
    employee_pk: int | None = None


def _parse_date(value: str, column: str, errors: list[str]) -> str | None:
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        errors.append(f"{column} '{value[:40]}' is not a date in YYYY-MM-DD form.")
        return None
    problem = _out_of_range(column, day)
    if problem:
        errors.append(problem)
        return None
    return day.isoformat()


# --- Rules shared with the single-person edit ---------------------------------------------
# people.services.employees.employee_update (the edit page and PATCH /api/v1/employees/)
# calls these too. Each returns {field: message}: an import lists the messages on the
# row, the edit shows each under its field. One implementation, so a file and a form
# can never disagree about who may manage whom or when someone may leave.


def _out_of_range(field_name: str, day: datetime.date) -> str | None:
    if bounds.MIN_DATE <= day <= bounds.MAX_DATE:
        return None
    return (
        f"{field_name} {day.isoformat()} is not a real date for a roster: "
        f"use a date between {bounds.MIN_DATE.year} and {bounds.MAX_DATE.year}."
    )


def date_problems(
    *,
    hire_date: datetime.date | None = None,
    termination_date: datetime.date | None = None,
    effective_date: datetime.date | None = None,
) -> dict[str, str]:
    """Each date within the years a roster can hold, and nothing before the hire: nobody
    leaves before they joined, and history never starts before the hire."""
    days = {
        "hire_date": hire_date,
        "termination_date": termination_date,
        "effective_date": effective_date,
    }
    problems = {
        name: problem
        for name, day in days.items()
        if day is not None and (problem := _out_of_range(name, day))
    }
    if hire_date is None or problems:
        return problems
    hired = hire_date.isoformat()
    if termination_date is not None and termination_date < hire_date:
        problems["termination_date"] = (
            f"termination_date {termination_date.isoformat()} is before the hire date {hired}."
        )
    if effective_date is not None and effective_date < hire_date:
        problems["effective_date"] = (
            f"effective_date {effective_date.isoformat()} is before the hire date {hired}: "
            "history never starts before the hire."
        )
    return problems


def leaving_problems(*, has_leaving_date: bool, termination_reason: str) -> dict[str, str]:
    """A termination_reason is one of TerminationReason, is needed with a leaving date,
    and means nothing without one."""
    if termination_reason and termination_reason not in TerminationReason.values:
        return {
            "termination_reason": f"termination_reason '{termination_reason[:40]}' must be "
            "'voluntary' or 'involuntary'."
        }
    if has_leaving_date and not termination_reason:
        return {
            "termination_reason": "termination_reason is needed with a termination_date: "
            "say whether leaving was voluntary or involuntary."
        }
    if termination_reason and not has_leaving_date:
        return {"termination_reason": "termination_reason is given but termination_date is empty."}
    return {}


def manager_problem(
    *, person: Hashable, manager: Hashable | None, manager_of: Mapping[Hashable, Hashable | None]
) -> str | None:
    """Why `manager` cannot manage `person`, or None when they can.

    `manager_of` says who manages whom, keyed by anything that names one person (a
    roster id, or a row of a file). The chain is walked in memory, so the caller loads
    it once (one query) however deep it goes; a loop elsewhere in it ends the walk.
    """
    if manager is None:
        return None
    if manager == person:
        return "A person cannot be their own manager."
    seen: set[Hashable] = set()
    current: Hashable | None = manager
    while current is not None and current not in seen:
        if current == person:
            return (
                "The manager chain loops back to this person: the new manager reports "
                "to them, directly or through others."
            )
        seen.add(current)
        current = manager_of.get(current)
    return None


_GROUPED_AMOUNT = re.compile(r"^\d{1,3}([,.' ]\d{3})+$")


def _normalise_amount(value: str) -> str | None:
    """'85000', '85,000.50', '85.000,50', "85'000" or '52000,50' as a plain decimal.

    None when the separators are ambiguous: a wrong guess would silently multiply a
    salary by a hundred or a thousand.
    """
    text = value.strip().replace("\u00a0", " ")
    for symbol in ("€", "$", "£", "EUR", "USD", "GBP", "CHF"):
        text = text.replace(symbol, "")
    text = text.strip()
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        grouping = "." if decimal == "," else ","
        text = text.replace(grouping, "").replace(" ", "").replace(decimal, ".")
    elif "," in text or "." in text:
        mark = "," if "," in text else "."
        whole, _, tail = text.rpartition(mark)
        if _GROUPED_AMOUNT.match(text.replace(" ", "")) and len(tail) == 3:
            # '85,000' or '85.000': a thousands separator, never a decimal mark.
            text = text.replace(mark, "").replace(" ", "")
        elif text.count(mark) == 1 and len(tail) in (1, 2):
            text = (whole + "." + tail).replace(" ", "")
        else:
            return None
    elif _GROUPED_AMOUNT.match(text) or "'" in text:
        text = text.replace(" ", "").replace("'", "")
    return text


def _parse_salary(value: str, errors: list[str]) -> str | None:
    cleaned = _normalise_amount(value)
    try:
        amount = Decimal(cleaned) if cleaned is not None else None
    except InvalidOperation:
        amount = None
    if amount is None:
        errors.append(f"annual_salary '{value}' is not a number (e.g. 85000 or 85000.50).")
        return None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        errors.append(f"annual_salary '{value}' must be a positive amount.")
        return None
    return str(amount.quantize(Decimal("0.01")))


def _date_or_none(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def clean_row(values: dict[str, str], errors: list[str]) -> dict:
    """Turns one row's text into typed, JSON-safe values; appends each problem."""
    data: dict = {}
    email = values.get("email", "").strip().lower()
    if not email:
        errors.append("email is missing.")
    else:
        try:
            validate_email(email)
            data["email"] = email
        except ValidationError:
            errors.append(f"email '{email}' is not a valid email address.")
    name = values.get("name", "").strip()
    if not name:
        errors.append("name is missing.")
    else:
        data["name"] = name
    for column in ("employee_id", "team", "job_title", "level"):
        if values.get(column):
            data[column] = values[column].strip()
    for column, limit in MAX_LENGTHS.items():
        if len(data.get(column, "")) > limit:
            errors.append(f"{column} is longer than {limit} characters.")
            data.pop(column)
    if values.get("manager_email"):
        data["manager_email"] = values["manager_email"].strip().lower()
    if values.get("manager_employee_id"):
        data["manager_employee_id"] = values["manager_employee_id"].strip()
    for column in ("hire_date", "termination_date", "effective_date"):
        if values.get(column):
            parsed = _parse_date(values[column], column, errors)
            if parsed:
                data[column] = parsed
    reason = values.get("termination_reason", "").strip().lower()
    leaving = leaving_problems(
        has_leaving_date=bool(values.get("termination_date")), termination_reason=reason
    )
    errors.extend(leaving.values())
    if reason and "termination_reason" not in leaving:
        data["termination_reason"] = reason
    errors.extend(
        date_problems(
            hire_date=_date_or_none(data.get("hire_date")),
            termination_date=_date_or_none(data.get("termination_date")),
            effective_date=_date_or_none(data.get("effective_date")),
        ).values()
    )
    if values.get("annual_salary"):
        salary = _parse_salary(values["annual_salary"], errors)
        if salary is not None:
            data["annual_salary"] = salary
    flag = values.get("top_performer", "").strip().lower()
    if flag:
        if flag in TRUE_WORDS:
            data["top_performer"] = True
        elif flag in FALSE_WORDS:
            data["top_performer"] = False
        else:
            errors.append(f"top_performer '{flag}' must be yes or no.")
    tz = values.get("time_zone", "").strip()
    if tz:
        if tz in KNOWN_TIME_ZONES:
            data["time_zone"] = tz
        else:
            errors.append(f"time_zone '{tz}' is not a known time zone (e.g. Europe/Berlin).")
    return data


def _fmt(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def check_rows(
    *,
    rows: list[tuple[int, dict[str, str]]],
    employees: Iterable[Employee],
    teams: Iterable[Team],
    progress: Callable[[int, int], None] | None = None,
) -> list[RowCheck]:
    """Checks every row against the file and the current roster.

    Returns one RowCheck per row: its cleaned data, every error, and what commit
    would do (create, update, unchanged). Nothing is written.
    """
    by_email = {e.email.lower(): e for e in employees}
    by_emp_id = {e.employee_id: e for e in by_email.values() if e.employee_id}
    by_pk = {e.pk: e for e in by_email.values()}
    team_names = {t.pk: t.name for t in teams}
    checks: list[RowCheck] = []
    seen_email: dict[str, int] = {}
    seen_emp_id: dict[str, int] = {}
    seen_person: dict[int, int] = {}

    # Pass 1: clean each row and match it to an existing person.
    for index, (row_number, values) in enumerate(rows):
        errors: list[str] = []
        data = clean_row(values, errors)
        check = RowCheck(row_number=row_number, data=data, errors=errors)
        email, emp_id = data.get("email"), data.get("employee_id")
        if email:
            if email in seen_email:
                errors.append(f"email {email} also appears on row {seen_email[email]}.")
            else:
                seen_email[email] = row_number
        if emp_id:
            if emp_id in seen_emp_id:
                errors.append(f"employee_id {emp_id} also appears on row {seen_emp_id[emp_id]}.")
            else:
                seen_emp_id[emp_id] = row_number
        match_by_id = by_emp_id.get(emp_id) if emp_id else None
        match_by_email = by_email.get(email) if email else None
        if match_by_id and match_by_email and match_by_id.pk != match_by_email.pk:
            errors.append(
                f"employee_id {emp_id} belongs to {match_by_id.email}, but {email} "
                f"belongs to another person ({match_by_email.full_name})."
            )
        else:
            existing = match_by_id or match_by_email
            if existing is not None:
                if emp_id and existing.employee_id and existing.employee_id != emp_id:
                    errors.append(
                        f"{email} already has employee_id {existing.employee_id}, not {emp_id}."
                    )
                if existing.pk in seen_person:
                    errors.append(
                        f"This row and row {seen_person[existing.pk]} are the same person "
                        f"({existing.full_name}); keep one row per person."
                    )
                else:
                    seen_person[existing.pk] = row_number
                check.employee_pk = existing.pk
        checks.append(check)
        if progress and index % 500 == 0:
            progress(index, len(rows) * 2)

    # Pass 2: resolve managers to someone in the file or on the roster.
    file_by_email = {c.data["email"]: c for c in checks if c.data.get("email")}
    file_by_emp_id = {c.data["employee_id"]: c for c in checks if c.data.get("employee_id")}

    def person_key(check: RowCheck) -> str:
        return f"e:{check.employee_pk}" if check.employee_pk else f"r:{check.row_number}"

    manager_of: dict[str, str | None] = {
        f"e:{e.pk}": (f"e:{e.manager_id}" if e.manager_id else None) for e in by_pk.values()
    }
    for check in checks:
        data = check.data
        ref = data.get("manager_email") or data.get("manager_employee_id")
        if not ref:
            continue
        if data.get("manager_email"):
            target = file_by_email.get(ref)
            existing = by_email.get(ref)
        else:
            target = file_by_emp_id.get(ref)
            existing = by_emp_id.get(ref)
        if target is not None:
            key = person_key(target)
        elif existing is not None:
            key = f"e:{existing.pk}"
        else:
            check.errors.append(f"Unknown manager '{ref}': not in this file or on the roster.")
            continue
        data["manager_key"] = key
        manager_of[person_key(check)] = key

    checks_by_row = {c.row_number: c for c in checks}
    for index, check in enumerate(checks):
        problem = manager_problem(
            person=person_key(check), manager=check.data.get("manager_key"), manager_of=manager_of
        )
        if problem:
            check.errors.append(problem)
        if check.employee_pk is not None:
            _check_against_hire(check, by_pk[check.employee_pk])
        _decide_action(check, by_pk, team_names, checks_by_row=checks_by_row)
        if progress and index % 500 == 0:
            progress(len(rows) + index, len(rows) * 2)
    return checks


def _check_against_hire(check: RowCheck, existing: Employee) -> None:
    """An update row's dates against the person's hire date on the roster, when the
    row does not bring a new one: no history before the hire, no leaving before it."""
    data = check.data
    if data.get("hire_date") or existing.hire_date is None:
        return
    problems = date_problems(
        hire_date=existing.hire_date,
        termination_date=_date_or_none(data.get("termination_date")),
        effective_date=_date_or_none(data.get("effective_date")),
    )
    check.errors.extend(problems.values())


def _manager_label(key: str | None, by_pk: dict[int, Employee], checks_by_row: dict) -> str:
    if not key:
        return ""
    kind, ident = key.split(":")
    if kind == "e":
        person = by_pk.get(int(ident))
        return person.email if person else ""
    return checks_by_row[int(ident)].data.get("email", "")


def _decide_action(check, by_pk, team_names, *, checks_by_row) -> None:
    if check.errors:
        check.action = RowAction.ERROR
        return
    data = check.data
    if check.employee_pk is None:
        check.action = RowAction.CREATE
        return
    existing = by_pk[check.employee_pk]
    changes = []

    def compare(field_name: str, old, new) -> None:
        if _fmt(old) != _fmt(new):
            changes.append({"field": field_name, "old": _fmt(old), "new": _fmt(new)})

    compare("name", existing.full_name, data["name"])
    compare("email", existing.email, data["email"])
    if "employee_id" in data:
        compare("employee_id", existing.employee_id, data["employee_id"])
    if "team" in data:
        old_team = team_names.get(existing.team_id, "")
        if old_team.casefold() != data["team"].casefold():
            changes.append({"field": "team", "old": old_team, "new": data["team"]})
    if "manager_key" in data:
        old_key = f"e:{existing.manager_id}" if existing.manager_id else None
        if old_key != data["manager_key"]:
            changes.append(
                {
                    "field": "manager",
                    "old": _manager_label(old_key, by_pk, checks_by_row),
                    "new": _manager_label(data["manager_key"], by_pk, checks_by_row),
                }
            )
    for column, attr in (
        ("job_title", "job_title"),
        ("level", "level"),
        ("hire_date", "hire_date"),
        ("termination_date", "termination_date"),
        ("termination_reason", "termination_reason"),
        ("annual_salary", "annual_salary"),
        ("top_performer", "is_top_performer"),
        ("time_zone", "time_zone"),
    ):
        if column in data:
            old = getattr(existing, attr)
            if isinstance(old, datetime.date):
                old = old.isoformat()
            if isinstance(old, Decimal):
                old = str(old.quantize(Decimal("0.01")))
            compare(attr if column != "top_performer" else "is_top_performer", old, data[column])
    # A later hire date than a recorded termination, with no new termination, is a rehire.
    if (
        existing.termination_date
        and data.get("hire_date")
        and "termination_date" not in data
        and data["hire_date"] > existing.termination_date.isoformat()
    ):
        changes.append(
            {"field": "termination_date", "old": existing.termination_date.isoformat(), "new": ""}
        )
        data["rehire"] = True
    check.changes = changes
    check.action = RowAction.UPDATE if changes else RowAction.UNCHANGED
