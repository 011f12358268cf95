import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from openpyxl import Workbook

from people import selectors, services
from people.models import (
    Employee,
    EmployeeRecord,
    ImportStatus,
    RecordEvent,
    Role,
    RosterImport,
    RowAction,
    Team,
)
from tests.conftest import actor_for
from tests.people.conftest import GOOD, HEADER


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
    with pytest.raises(ValidationError) as exc:
        services.roster_import_start(actor=actor, filename="big.csv", content=b"x" * 101)
    assert "the limit is 0 KB" in exc.value.message_dict["file"][0]
    assert not RosterImport.objects.exists()


def test_leaving_another_organisation_does_not_lock_a_user_out_of_ours(
    do_import, lnd_manager, org, other_org, outsider
):
    # Globex imports someone with our L&D manager's email, then terminates them.
    theirs = actor_for(outsider, other_org)
    services.roster_import_commit(
        actor=theirs, roster_import=do_import(f"email,name\n{lnd_manager.email},X\n", by=theirs)
    )
    person = Employee.objects.get(organization=other_org, email=lnd_manager.email)
    services.employee_access_grant(actor=theirs, employee=person, roles=[Role.LEARNER])
    batch = do_import(
        f"email,name,termination_date,termination_reason\n{lnd_manager.email},X,2024-01-31,involuntary\n",
        by=theirs,
    )
    services.roster_import_commit(actor=theirs, roster_import=batch)

    lnd_manager.refresh_from_db()
    assert lnd_manager.is_active
    access = selectors.org_access_for_user(user=lnd_manager)
    assert set(access) == {org.pk}
    assert Role.LND_MANAGER in access[org.pk].roles


def test_an_import_of_another_organisation_cannot_be_applied_here(
    do_import, actor, other_org, outsider
):
    theirs = actor_for(outsider, other_org)
    batch = do_import("email,name\nspy@globex.test,Spy\n", by=theirs)
    with pytest.raises(RosterImport.DoesNotExist):
        services.roster_import_commit(actor=actor, roster_import=batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEW
    assert not Employee.objects.filter(email="spy@globex.test").exists()


def test_correcting_a_leavers_level_does_not_bring_them_back(actor, org, do_import):
    services.roster_import_commit(
        actor=actor,
        roster_import=do_import(
            "email,name,level,hire_date,termination_date,termination_reason\n"
            "gone@acme.test,Gone,L2,2022-01-01,2024-01-31,voluntary\n",
        ),
    )
    services.roster_import_commit(
        actor=actor, roster_import=do_import("email,name,level\ngone@acme.test,Gone,L3\n")
    )
    gone = Employee.objects.get(email="gone@acme.test")
    assert gone.pk not in selectors.roster_as_of(organization=org, on=timezone.localdate())
    assert gone.pk in selectors.roster_as_of(organization=org, on=datetime.date(2024, 1, 30))


def test_a_new_leaver_without_hire_date_is_not_counted_as_employed(actor, org, do_import):
    services.roster_import_commit(
        actor=actor,
        roster_import=do_import(
            "email,name,termination_date,termination_reason\n"
            "old@acme.test,Old,2023-06-30,voluntary\n",
        ),
    )
    old = Employee.objects.get(email="old@acme.test")
    assert old.pk not in selectors.roster_as_of(organization=org, on=timezone.localdate())


def test_correcting_a_termination_date_replaces_the_record(actor, org, do_import):
    header = "email,name,hire_date,termination_date,termination_reason\n"
    services.roster_import_commit(
        actor=actor,
        roster_import=do_import(header + "x@acme.test,X,2022-01-01,2024-03-01,voluntary\n"),
    )
    services.roster_import_commit(
        actor=actor,
        roster_import=do_import(header + "x@acme.test,X,2022-02-01,2024-04-01,voluntary\n"),
    )
    x = Employee.objects.get(email="x@acme.test")
    terminations = EmployeeRecord.objects.filter(employee=x, event=RecordEvent.TERMINATION)
    assert [r.effective_date for r in terminations] == [datetime.date(2024, 4, 1)]
    assert x.pk in selectors.roster_as_of(organization=org, on=datetime.date(2024, 3, 15))
    assert x.pk not in selectors.roster_as_of(organization=org, on=datetime.date(2022, 1, 15))


def test_two_rows_for_the_same_person_are_an_error(actor, do_import):
    services.roster_import_commit(
        actor=actor, roster_import=do_import("employee_id,email,name\nE1,old@acme.test,Old\n")
    )
    batch = do_import("employee_id,email,name\nE1,new@acme.test,New\n,old@acme.test,Old again\n")
    assert batch.status == ImportStatus.INVALID
    assert "same person" in " ".join(batch.rows.get(row_number=3).errors)


@pytest.mark.parametrize(
    ("cell", "stored"),
    [
        ("52000,50", "52000.50"),
        ("85.000,50", "85000.50"),
        ("85,000", "85000.00"),
        ("85 000", "85000.00"),
    ],
)
def test_salaries_with_european_separators_are_read_right(do_import, cell, stored):
    batch = do_import(f"email;name;annual_salary\ns@acme.test;S;{cell}\n")
    assert batch.rows.get().data["annual_salary"] == stored


def test_ambiguous_salary_is_an_error_not_a_guess(do_import):
    batch = do_import("email;name;annual_salary\ns@acme.test;S;1.2.3\n")
    assert "is not a number" in " ".join(batch.rows.get().errors)


def test_a_sheet_claiming_a_huge_range_is_read_quickly(do_import):
    wb = Workbook()
    ws = wb.active
    ws.append(["email", "name"])
    ws.append(["a@acme.test", "A"])
    ws.cell(row=200_000, column=16_000, value="far away")
    buffer = io.BytesIO()
    wb.save(buffer)
    batch = do_import(buffer.getvalue(), filename="big.xlsx")
    assert batch.rows.filter(data__email="a@acme.test").exists()


def test_a_late_check_never_overwrites_an_applied_import(actor, do_import):
    batch = do_import("email,name\nlate@acme.test,Late\n")
    services.roster_import_commit(actor=actor, roster_import=batch)
    services.roster_import_parse(roster_import=batch, progress=lambda p, m: None)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED


def test_discarding_an_applied_import_is_refused(actor, do_import):
    batch = do_import("email,name\nd@acme.test,D\n")
    stale_copy = type(batch).objects.get(pk=batch.pk)
    services.roster_import_commit(actor=actor, roster_import=batch)
    with pytest.raises(services.ImportNotCommittable):
        services.roster_import_discard(actor=actor, roster_import=stale_copy)
    assert Employee.objects.filter(email="d@acme.test").exists()


def test_renaming_a_team_makes_open_previews_stale(actor, team, do_import):
    batch = do_import("email,name,team\nt@acme.test,T,Platform\n")
    services.team_update(actor=actor, team=team, name="Platform Engineering", lead=None)
    with pytest.raises(services.ImportNotCommittable, match="roster changed"):
        services.roster_import_commit(actor=actor, roster_import=batch)
