"""Edge cases found in review: access across organisations, history corrections,
ambiguous input and concurrent or repeated jobs."""

import datetime
import io
from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from people import selectors, services
from people.models import (
    Employee,
    EmployeeRecord,
    ImportStatus,
    Job,
    JobStatus,
    Membership,
    RecordEvent,
    Role,
)
from tests.conftest import actor_for
from tests.factories import EmployeeFactory, MembershipFactory, UserFactory


@pytest.fixture
def actor(lnd_manager, org):
    return actor_for(lnd_manager, org)


@pytest.fixture
def do_import(django_capture_on_commit_callbacks):
    def _do(actor, text, filename="roster.csv"):
        content = text.encode() if isinstance(text, str) else text
        with django_capture_on_commit_callbacks(execute=True):
            batch = services.roster_import_start(actor=actor, filename=filename, content=content)
        batch.refresh_from_db()
        return batch

    return _do


def test_leaving_another_organisation_does_not_lock_a_user_out_of_ours(
    do_import, lnd_manager, org, other_org, outsider
):
    # Globex imports someone with our L&D manager's email, then terminates them.
    theirs = actor_for(outsider, other_org)
    services.roster_import_commit(
        actor=theirs, roster_import=do_import(theirs, f"email,name\n{lnd_manager.email},X\n")
    )
    person = Employee.objects.get(organization=other_org, email=lnd_manager.email)
    services.employee_access_grant(actor=theirs, employee=person, roles=[Role.LEARNER])
    batch = do_import(
        theirs,
        f"email,name,termination_date,termination_reason\n{lnd_manager.email},X,2024-01-31,involuntary\n",
    )
    services.roster_import_commit(actor=theirs, roster_import=batch)

    lnd_manager.refresh_from_db()
    assert lnd_manager.is_active
    access = selectors.org_access_for_user(user=lnd_manager)
    assert set(access) == {org.pk}
    assert Role.LND_MANAGER in access[org.pk].roles


def test_a_leaver_keeps_no_roles_where_they_left(org, other_org, lnd_manager):
    coach = UserFactory(email="coach@both.test")
    MembershipFactory(organization=org, user=coach, role=Role.COACH)
    MembershipFactory(organization=other_org, user=coach, role=Role.COACH)
    EmployeeFactory(
        organization=org,
        user=coach,
        termination_date=datetime.date(2024, 1, 31),
        termination_reason="voluntary",
    )
    access = selectors.org_access_for_user(user=coach)
    assert set(access) == {other_org.pk}
    services.logins_deactivate({coach.pk})
    coach.refresh_from_db()
    assert coach.is_active, "still coaches at the other organisation"


def test_correcting_a_leavers_level_does_not_bring_them_back(actor, org, do_import):
    services.roster_import_commit(
        actor=actor,
        roster_import=do_import(
            actor,
            "email,name,level,hire_date,termination_date,termination_reason\n"
            "gone@acme.test,Gone,L2,2022-01-01,2024-01-31,voluntary\n",
        ),
    )
    services.roster_import_commit(
        actor=actor, roster_import=do_import(actor, "email,name,level\ngone@acme.test,Gone,L3\n")
    )
    gone = Employee.objects.get(email="gone@acme.test")
    assert gone.pk not in selectors.roster_as_of(organization=org, on=timezone.localdate())
    assert gone.pk in selectors.roster_as_of(organization=org, on=datetime.date(2024, 1, 30))


def test_a_new_leaver_without_hire_date_is_not_counted_as_employed(actor, org, do_import):
    services.roster_import_commit(
        actor=actor,
        roster_import=do_import(
            actor,
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
        roster_import=do_import(actor, header + "x@acme.test,X,2022-01-01,2024-03-01,voluntary\n"),
    )
    services.roster_import_commit(
        actor=actor,
        roster_import=do_import(actor, header + "x@acme.test,X,2022-02-01,2024-04-01,voluntary\n"),
    )
    x = Employee.objects.get(email="x@acme.test")
    terminations = EmployeeRecord.objects.filter(employee=x, event=RecordEvent.TERMINATION)
    assert [r.effective_date for r in terminations] == [datetime.date(2024, 4, 1)]
    assert x.pk in selectors.roster_as_of(organization=org, on=datetime.date(2024, 3, 15))
    assert x.pk not in selectors.roster_as_of(organization=org, on=datetime.date(2022, 1, 15))


def test_two_rows_for_the_same_person_are_an_error(actor, do_import):
    services.roster_import_commit(
        actor=actor,
        roster_import=do_import(actor, "employee_id,email,name\nE1,old@acme.test,Old\n"),
    )
    batch = do_import(
        actor, "employee_id,email,name\nE1,new@acme.test,New\n,old@acme.test,Old again\n"
    )
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
def test_salaries_with_european_separators_are_read_right(actor, do_import, cell, stored):
    batch = do_import(actor, f"email;name;annual_salary\ns@acme.test;S;{cell}\n")
    assert batch.rows.get().data["annual_salary"] == stored


def test_ambiguous_salary_is_an_error_not_a_guess(actor, do_import):
    batch = do_import(actor, "email;name;annual_salary\ns@acme.test;S;1.2.3\n")
    assert "is not a number" in " ".join(batch.rows.get().errors)


def test_values_longer_than_the_database_allows_are_row_errors(actor, do_import):
    batch = do_import(actor, f"email,name,level,employee_id\nl@acme.test,L,{'x' * 41},{'9' * 65}\n")
    errors = " ".join(batch.rows.get().errors)
    assert "level is longer than 40" in errors and "employee_id is longer than 64" in errors


def test_a_sheet_claiming_a_huge_range_is_read_quickly(actor, do_import, settings):
    wb = Workbook()
    ws = wb.active
    ws.append(["email", "name"])
    ws.append(["a@acme.test", "A"])
    ws.cell(row=200_000, column=16_000, value="far away")
    buffer = io.BytesIO()
    wb.save(buffer)
    batch = do_import(actor, buffer.getvalue(), filename="big.xlsx")
    assert batch.rows.filter(data__email="a@acme.test").exists()


def test_a_late_check_never_overwrites_an_applied_import(actor, do_import):
    batch = do_import(actor, "email,name\nlate@acme.test,Late\n")
    services.roster_import_commit(actor=actor, roster_import=batch)
    services.roster_import_parse(roster_import=batch, progress=lambda p, m: None)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED


def test_discarding_an_applied_import_is_refused(actor, do_import):
    batch = do_import(actor, "email,name\nd@acme.test,D\n")
    stale_copy = type(batch).objects.get(pk=batch.pk)
    services.roster_import_commit(actor=actor, roster_import=batch)
    with pytest.raises(services.ImportNotCommittable):
        services.roster_import_discard(actor=actor, roster_import=stale_copy)


def test_renaming_a_team_makes_open_previews_stale(actor, team, do_import):
    batch = do_import(actor, "email,name,team\nt@acme.test,T,Platform\n")
    services.team_update(actor=actor, team=team, name="Platform Engineering", lead=None)
    with pytest.raises(services.ImportNotCommittable, match="roster changed"):
        services.roster_import_commit(actor=actor, roster_import=batch)


def test_upload_survives_a_broker_that_is_down(client, lnd_manager, settings):
    from config.celery import app

    client.force_login(lnd_manager)
    app.conf.task_always_eager = False
    try:
        with mock.patch.object(
            app.tasks["people.tasks.parse_roster_import"], "delay", side_effect=OSError("down")
        ):
            from django.core.files.uploadedfile import SimpleUploadedFile

            response = client.post(
                reverse("people:imports"),
                {"file": SimpleUploadedFile("r.csv", b"email,name\nb@acme.test,B\n")},
            )
    finally:
        app.conf.task_always_eager = True
    assert response.status_code == 302
    assert Job.objects.get().status == JobStatus.QUEUED


def test_a_job_whose_message_keeps_getting_lost_gives_up_and_says_so(actor, settings):
    batch = services.roster_import_start(actor=actor, filename="r.csv", content=b"email,name\n")
    past = timezone.now() - datetime.timedelta(hours=1)
    for _ in range(settings.LODESTAR_JOB_MAX_ATTEMPTS + 1):
        Job.objects.filter(pk=batch.job_id).update(queued_at=past)
        services.jobs_sweep_stale()  # re-sends are dropped: no on_commit callbacks run here
    job = Job.objects.get(pk=batch.job_id)
    assert job.status == JobStatus.FAILED
    batch.refresh_from_db()
    assert batch.status == ImportStatus.INVALID
    assert "could not finish checking" in batch.file_errors[0]


def test_a_passing_database_fault_puts_the_job_back_in_the_queue(actor):
    batch = services.roster_import_start(actor=actor, filename="r.csv", content=b"email,name\n")

    def flaky(job, progress):
        raise OperationalError("database is locked")

    with pytest.raises(services.JobRetryLater):
        services.job_run(job_id=batch.job_id, work=flaky)
    assert Job.objects.get(pk=batch.job_id).status == JobStatus.QUEUED


def test_a_token_cannot_create_tokens(client, actor):
    _, secret = services.api_token_create(actor=actor, name="leaked", roles=None, read_only=False)
    response = client.post(
        "/api/v1/tokens/",
        {"name": "fresh"},
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        content_type="application/json",
    )
    assert response.status_code == 403


def test_tokens_are_listed_per_organisation(client, lnd_manager, org, other_org):
    MembershipFactory(organization=other_org, user=lnd_manager, role=Role.EXECUTIVE)
    services.api_token_create(
        actor=actor_for(lnd_manager, other_org), name="globex", roles=None, read_only=True
    )
    client.force_login(lnd_manager)
    assert client.get("/api/v1/tokens/").json()["count"] == 0


@pytest.mark.parametrize("header", [" ", "Bearer  ", "Token abc"])
def test_odd_authorization_headers_are_not_500(client, db, header):
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=header).status_code in (401, 403)


def test_huge_filter_values_are_400(client, lnd_manager):
    client.force_login(lnd_manager)
    assert client.get("/api/v1/employees/?team=99999999999999999999999").status_code == 400


def test_pages_of_people_with_the_same_name_never_overlap(client, lnd_manager, org):
    EmployeeFactory.create_batch(6, organization=org, full_name="Sam Same")
    client.force_login(lnd_manager)
    seen = []
    for page in range(1, 7):
        data = client.get(
            f"/api/v1/employees/?search=Sam&ordering=full_name&page_size=1&page={page}"
        )
        seen += [e["id"] for e in data.json()["results"]]
    assert len(set(seen)) == 6


def test_line_manager_does_not_learn_of_salary_changes(client, line_manager, learner_employee):
    EmployeeRecord.objects.create(
        organization=learner_employee.organization,
        employee=learner_employee,
        effective_date=datetime.date(2024, 4, 1),
        event=RecordEvent.CHANGE,
        changed_fields=["level", "annual_salary"],
    )
    client.force_login(line_manager)
    page = client.get(reverse("people:detail", args=[learner_employee.pk]))
    assert b"annual_salary" not in page.content, page.content.decode()[-1500:]
    api = client.get(f"/api/v1/employees/{learner_employee.pk}/history/").json()
    assert all("annual_salary" not in r["changed_fields"] for r in api["results"])


def test_someone_leaving_next_month_is_still_active(client, lnd_manager, org):
    soon = EmployeeFactory(
        organization=org,
        full_name="Soon Gone",
        termination_date=timezone.localdate() + datetime.timedelta(days=30),
        termination_reason="voluntary",
    )
    client.force_login(lnd_manager)
    page = client.get(reverse("people:list") + "?q=Soon")
    assert b"Leaving" in page.content
    assert soon.full_name.encode() in page.content


def test_demo_loader_refuses_production(settings):
    from django.core.management import CommandError, call_command

    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("load_demo")


def test_membership_of_other_org_cannot_be_revoked_by_id(client, lnd_manager, outsider):
    client.force_login(lnd_manager)
    theirs = Membership.objects.get(user=outsider)
    assert client.post(reverse("people:revoke_role", args=[theirs.pk])).status_code == 404
