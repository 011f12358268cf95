import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from people import selectors, services
from people.models import (
    Employee,
    EmployeeRecord,
    ImportStatus,
    RecordEvent,
    RosterImport,
    RowAction,
    Team,
)
from tests.conftest import actor_for

HEADER = "employee_id,name,email,team,manager_email,job_title,level,hire_date,annual_salary,top_performer\n"
GOOD = HEADER + (
    "E1,Ada Lovelace,ada@acme.test,Platform,,CTO,M3,2021-03-01,150000,yes\n"
    "E2,Grace Hopper,grace@acme.test,Platform,ada@acme.test,Engineering Manager,M1,2022-01-10,98000,no\n"
    "E3,Linus Torvalds,linus@acme.test,Kernel,grace@acme.test,Senior Engineer,L5,2022-06-01,91000,\n"
)


@pytest.fixture
def actor(lnd_manager, org):
    return actor_for(lnd_manager, org)


@pytest.fixture
def do_import(actor, django_capture_on_commit_callbacks):
    """Uploads a file and runs its background check (tasks run in-process in tests)."""

    def _do(text, filename="roster.csv"):
        content = text.encode("utf-8") if isinstance(text, str) else text
        with django_capture_on_commit_callbacks(execute=True):
            batch = services.roster_import_start(actor=actor, filename=filename, content=content)
        batch.refresh_from_db()
        return batch

    return _do


def rows_by_number(batch):
    return {r.row_number: r for r in batch.rows.all()}


def test_good_file_previews_then_commits_everyone_with_reporting_lines(actor, org, do_import):
    batch = do_import(GOOD)
    assert batch.status == ImportStatus.PREVIEW
    assert batch.summary["create"] == 3
    assert batch.summary["new_teams"] == ["Kernel", "Platform"]
    assert not Employee.objects.filter(email="ada@acme.test").exists(), "preview writes nothing"

    result = services.roster_import_commit(actor=actor, roster_import=batch)

    assert result["created"] == 3
    linus = Employee.objects.get(organization=org, email="linus@acme.test")
    assert linus.manager.email == "grace@acme.test"
    assert linus.manager.manager.email == "ada@acme.test"
    assert linus.team.name == "Kernel"
    assert Employee.objects.get(email="ada@acme.test").is_top_performer
    assert Employee.objects.get(email="grace@acme.test").annual_salary == Decimal("98000.00")
    hire = EmployeeRecord.objects.get(employee=linus)
    assert hire.event == RecordEvent.HIRE and hire.effective_date == datetime.date(2022, 6, 1)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED


def test_reimporting_the_same_file_changes_nothing(actor, org, do_import):
    services.roster_import_commit(actor=actor, roster_import=do_import(GOOD))
    records_before = EmployeeRecord.objects.count()

    again = do_import(GOOD)

    assert again.summary["unchanged"] == 3
    assert again.summary["create"] == again.summary["update"] == 0
    result = services.roster_import_commit(actor=actor, roster_import=again)
    assert result["created"] == result["updated"] == 0
    assert EmployeeRecord.objects.count() == records_before


def test_xlsx_file_imports_like_csv(actor, org, do_import):
    wb = Workbook()
    ws = wb.active
    ws.append(["Email", "Full Name", "Employee ID", "Hire Date", "Salary"])
    ws.append(["ada@acme.test", "Ada Lovelace", 1001, datetime.date(2021, 3, 1), 150000])
    buffer = io.BytesIO()
    wb.save(buffer)

    batch = do_import(buffer.getvalue(), filename="roster.xlsx")

    assert batch.status == ImportStatus.PREVIEW, batch.rows.first().errors
    services.roster_import_commit(actor=actor, roster_import=batch)
    ada = Employee.objects.get(organization=org, email="ada@acme.test")
    assert ada.employee_id == "1001"
    assert ada.hire_date == datetime.date(2021, 3, 1)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("E9,No Email,,Platform,,,,,,", "email is missing"),
        ("E9,Bad Email,not-an-email,Platform,,,,,,", "not a valid email"),
        (
            "E9,Bad Date,bad@acme.test,Platform,,,,31/02/2024,,",
            "hire_date '31/02/2024' is not a date",
        ),
        (
            "E9,Ghost Boss,ghost@acme.test,Platform,nobody@acme.test,,,,,",
            "Unknown manager 'nobody@acme.test'",
        ),
        ("E9,Dup,ada@acme.test,Platform,,,,,,", "email ada@acme.test also appears on row 2"),
        ("E1,Dup Id,other@acme.test,Platform,,,,,,", "employee_id E1 also appears on row 2"),
        ("E9,Money,money@acme.test,Platform,,,,,lots,", "annual_salary 'lots' is not a number"),
        ("E9,Flag,flag@acme.test,Platform,,,,,,maybe", "top_performer 'maybe' must be yes or no"),
        ("E9,Me,me@acme.test,Platform,me@acme.test,,,,,", "cannot be their own manager"),
        ("E9,,noname@acme.test,,,,,,,", "name is missing"),
    ],
)
def test_each_kind_of_bad_row_is_named_and_blocks_the_whole_import(
    actor, org, do_import, line, message
):
    batch = do_import(GOOD.splitlines()[0] + "\n" + GOOD.splitlines()[1] + "\n" + line + "\n")

    assert batch.status == ImportStatus.INVALID
    bad = rows_by_number(batch)[3]
    assert bad.action == RowAction.ERROR
    assert any(message in error for error in bad.errors), bad.errors
    with pytest.raises(services.ImportNotCommittable):
        services.roster_import_commit(actor=actor, roster_import=batch)
    assert not Employee.objects.filter(email="ada@acme.test").exists(), "good rows not written"


def test_termination_without_reason_and_before_hire_are_errors(actor, do_import):
    batch = do_import(
        "email,name,hire_date,termination_date,termination_reason\n"
        "a@acme.test,A,2022-01-01,2023-01-01,\n"
        "b@acme.test,B,2022-01-01,2021-01-01,voluntary\n"
        "c@acme.test,C,2022-01-01,2023-01-01,fired\n"
    )
    rows = rows_by_number(batch)
    assert "termination_reason is needed" in " ".join(rows[2].errors)
    assert "termination_date 2021-01-01 is before the hire date 2022-01-01" in " ".join(
        rows[3].errors
    )
    assert "must be 'voluntary' or 'involuntary'" in " ".join(rows[4].errors)


def test_manager_loop_is_an_error(actor, do_import):
    batch = do_import(
        "email,name,manager_email\na@acme.test,A,b@acme.test\nb@acme.test,B,a@acme.test\n"
    )
    assert all("loops back" in " ".join(r.errors) for r in batch.rows.all())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name;email\nÄnne;anne@acme.test\n".encode("cp1252"), "not UTF-8"),
        (b"name,team\nAda,Platform\n", "Missing required column(s): email"),
        (b"", "The file is empty"),
        (b"email,name\n", "no people"),
        (b"PK\x03\x04garbage", "could not be opened"),
    ],
)
def test_unreadable_files_get_one_clear_message(actor, do_import, content, message):
    batch = do_import(content)
    assert batch.status == ImportStatus.INVALID
    assert message in batch.file_errors[0]


def test_semicolon_csv_with_bom_is_read(actor, do_import):
    batch = do_import("\ufeffemail;name\nanne@acme.test;Änne Müller\n".encode())
    assert batch.status == ImportStatus.PREVIEW
    assert batch.rows.get().data["name"] == "Änne Müller"


def test_changes_are_matched_by_employee_id_and_recorded_as_dated_history(actor, org, do_import):
    services.roster_import_commit(actor=actor, roster_import=do_import(GOOD))
    moved = HEADER.replace(",top_performer", ",top_performer,effective_date") + (
        "E3,Linus Torvalds,linus.t@acme.test,Platform,ada@acme.test,Staff Engineer,L6,2022-06-01,99000,,2024-05-01\n"
    )

    batch = do_import(moved)

    row = batch.rows.get()
    assert row.action == RowAction.UPDATE
    fields = {c["field"] for c in row.changes}
    assert {"email", "team", "manager", "job_title", "level", "annual_salary"} <= fields
    services.roster_import_commit(actor=actor, roster_import=batch)
    linus = Employee.objects.get(employee_id="E3", organization=org)
    assert linus.email == "linus.t@acme.test"
    change = EmployeeRecord.objects.filter(employee=linus, event=RecordEvent.CHANGE).get()
    assert change.effective_date == datetime.date(2024, 5, 1)
    assert set(change.changed_fields) == {"team", "manager", "job_title", "level", "annual_salary"}


def test_history_rebuilds_a_past_dates_reporting_lines(actor, org, do_import):
    services.roster_import_commit(actor=actor, roster_import=do_import(GOOD))
    services.roster_import_commit(
        actor=actor,
        roster_import=do_import(
            "employee_id,name,email,manager_email,effective_date\n"
            "E3,Linus Torvalds,linus@acme.test,ada@acme.test,2024-05-01\n"
        ),
    )
    ids = dict(Employee.objects.filter(organization=org).values_list("email", "pk"))

    before = selectors.reporting_lines_as_of(organization=org, on=datetime.date(2024, 4, 30))
    after = selectors.reporting_lines_as_of(organization=org, on=datetime.date(2024, 5, 1))
    early = selectors.reporting_lines_as_of(organization=org, on=datetime.date(2021, 12, 31))

    assert before[ids["linus@acme.test"]] == ids["grace@acme.test"]
    assert after[ids["linus@acme.test"]] == ids["ada@acme.test"]
    assert ids["ada@acme.test"] in early and ids["grace@acme.test"] not in early


def test_termination_column_records_leaver_and_deactivates_login(actor, org, do_import, learner):
    learner_row = (
        "email,name,termination_date,termination_reason\n"
        f"{learner.email},Learner,2024-02-29,voluntary\n"
    )
    batch = do_import(learner_row)
    assert batch.summary["terminations"] == 1

    services.roster_import_commit(actor=actor, roster_import=batch)

    employee = Employee.objects.get(organization=org, user=learner)
    assert employee.termination_date == datetime.date(2024, 2, 29)
    assert employee.termination_reason == "voluntary"
    learner.refresh_from_db()
    assert not learner.is_active
    assert employee.pk not in selectors.roster_as_of(organization=org, on=datetime.date(2024, 3, 1))
    assert employee.pk in selectors.roster_as_of(organization=org, on=datetime.date(2024, 2, 28))


def test_people_missing_from_the_file_are_not_terminated(actor, org, do_import, learner_employee):
    services.roster_import_commit(actor=actor, roster_import=do_import(GOOD))
    learner_employee.refresh_from_db()
    assert learner_employee.termination_date is None
    assert learner_employee.user.is_active


def test_a_preview_made_before_another_import_cannot_be_applied(actor, do_import):
    first = do_import(GOOD)
    second = do_import(GOOD)
    services.roster_import_commit(actor=actor, roster_import=first)

    with pytest.raises(services.ImportNotCommittable, match="roster changed"):
        services.roster_import_commit(actor=actor, roster_import=second)


def test_commit_failure_midway_leaves_nothing_written(actor, org, do_import, monkeypatch):
    batch = do_import(GOOD)

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(EmployeeRecord.objects, "bulk_create", boom)
    with pytest.raises(RuntimeError):
        services.roster_import_commit(actor=actor, roster_import=batch)

    assert not Employee.objects.filter(email__in=["ada@acme.test", "linus@acme.test"]).exists()
    assert not Team.objects.filter(name="Kernel").exists()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEW


def test_an_applied_import_cannot_be_applied_twice(actor, do_import):
    batch = do_import(GOOD)
    services.roster_import_commit(actor=actor, roster_import=batch)
    with pytest.raises(services.ImportNotCommittable, match="already applied"):
        services.roster_import_commit(actor=actor, roster_import=batch)


def test_oversized_file_is_refused_before_storing(actor, settings):
    settings.LODESTAR_IMPORT_MAX_BYTES = 100
    with pytest.raises(Exception, match="limit"):
        services.roster_import_start(actor=actor, filename="big.csv", content=b"x" * 101)
    assert not RosterImport.objects.exists()
