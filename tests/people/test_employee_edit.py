import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from people import selectors, services
from people.models import EmployeeRecord, ImportStatus, RecordEvent
from tests.conftest import actor_for
from tests.factories import EmployeeFactory, TeamFactory


def edit(actor, person, **changes):
    fields = dict(
        team=person.team,
        manager=person.manager,
        job_title=person.job_title,
        level=person.level,
        annual_salary=person.annual_salary,
        is_top_performer=person.is_top_performer,
        effective_date=datetime.date(2025, 6, 1),
        termination_date=person.termination_date,
        termination_reason=person.termination_reason,
    )
    fields.update(changes)
    return services.employee_update(actor=actor, employee=person, **fields)


def test_a_move_is_kept_as_dated_history(lnd_manager, org, learner_employee, line_manager_employee):
    actor = actor_for(lnd_manager, org)
    data = TeamFactory(organization=org, name="Data")
    boss = EmployeeFactory(organization=org)
    edit(actor, learner_employee, team=data, manager=boss, level="L4")
    record = EmployeeRecord.objects.get(employee=learner_employee, event=RecordEvent.CHANGE)
    assert set(record.changed_fields) == {"team", "manager", "level"}
    before = selectors.reporting_lines_as_of(organization=org, on=datetime.date(2025, 5, 31))
    after = selectors.reporting_lines_as_of(organization=org, on=datetime.date(2025, 6, 1))
    assert (
        before[learner_employee.pk] == line_manager_employee.pk
        and after[learner_employee.pk] == boss.pk
    )


def test_a_manager_loop_and_self_management_are_refused(
    lnd_manager, org, learner_employee, line_manager_employee
):
    actor = actor_for(lnd_manager, org)
    with pytest.raises(ValidationError, match="reports to"):
        edit(actor, line_manager_employee, manager=learner_employee)
    with pytest.raises(ValidationError, match="own manager"):
        edit(actor, learner_employee, manager=learner_employee)


def test_recording_a_leaver_closes_their_login(lnd_manager, org, learner_employee, learner):
    edit(
        actor_for(lnd_manager, org),
        learner_employee,
        termination_date=datetime.date(2025, 6, 30),
        termination_reason="voluntary",
    )
    learner.refresh_from_db()
    assert not learner.is_active
    assert (
        EmployeeRecord.objects.filter(
            employee=learner_employee, event=RecordEvent.TERMINATION
        ).count()
        == 1
    )


def test_the_edit_page_and_api(client, lnd_manager, learner_employee, line_manager, org):
    client.force_login(lnd_manager)
    url = reverse("people:edit", args=[learner_employee.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"effective_date": "2025-06-01", "termination_date": "2025-06-30"})
    assert bad.status_code == 200 and b"voluntary or involuntary" in bad.content
    ok = client.post(
        url, {"effective_date": "2025-06-01", "level": "L5", "job_title": "Staff Engineer"}
    )
    assert ok.status_code == 302
    learner_employee.refresh_from_db()
    assert learner_employee.level == "L5"
    api = client.patch(
        f"/api/v1/employees/{learner_employee.pk}/",
        {"effective_date": "2025-07-01", "manager_id": 10**12},
        content_type="application/json",
    )
    assert api.status_code == 400 and "manager_id" in api.json()
    api = client.patch(
        f"/api/v1/employees/{learner_employee.pk}/",
        {"effective_date": "2025-07-01", "is_top_performer": True},
        content_type="application/json",
    )
    assert api.status_code == 200 and api.json()["is_top_performer"] is True
    client.force_login(line_manager)
    denied = client.patch(
        f"/api/v1/employees/{learner_employee.pk}/",
        {"effective_date": "2025-07-01"},
        content_type="application/json",
    )
    assert denied.status_code == 403
    assert client.get(url).status_code == 403


# --- The roster's rules, shared with the import --------------------------------------


def chain(org, depth):
    """A reporting line `depth` people long: [top, their report, ..., the bottom]."""
    people = [EmployeeFactory(organization=org, full_name="Top")]
    for n in range(1, depth):
        people.append(EmployeeFactory(organization=org, full_name=f"Level {n}", manager=people[-1]))
    return people


def nothing_written(person, records_before, version_before):
    person.refresh_from_db()
    person.organization.refresh_from_db()
    return (
        EmployeeRecord.objects.filter(employee=person).count() == records_before
        and person.organization.roster_version == version_before
    )


def test_a_loop_three_levels_deep_is_refused_by_the_service_and_nothing_is_written(
    lnd_manager, org
):
    top, _, bottom = chain(org, 3)
    records, version = EmployeeRecord.objects.filter(employee=top).count(), org.roster_version
    with pytest.raises(ValidationError) as refused:
        edit(actor_for(lnd_manager, org), top, manager=bottom, level="L9")
    assert list(refused.value.message_dict) == ["manager"]
    assert "loops back" in refused.value.message_dict["manager"][0]
    assert nothing_written(top, records, version)
    assert top.manager is None and top.level == "L3"


def test_a_loop_three_levels_deep_is_refused_on_the_edit_page_and_the_api(client, lnd_manager, org):
    top, _, bottom = chain(org, 3)
    records, version = EmployeeRecord.objects.filter(employee=top).count(), org.roster_version
    client.force_login(lnd_manager)
    page = client.post(
        reverse("people:edit", args=[top.pk]),
        {"effective_date": "2025-06-01", "manager": bottom.pk, "level": "L9"},
    )
    assert page.status_code == 200
    assert page.context["form"].errors["manager"] == [
        "The manager chain loops back to this person: the new manager reports to them, "
        "directly or through others."
    ]
    api = client.patch(
        f"/api/v1/employees/{top.pk}/",
        {"effective_date": "2025-06-01", "manager_id": bottom.pk, "level": "L9"},
        content_type="application/json",
    )
    assert api.status_code == 400 and "loops back" in api.json()["manager"][0]
    assert nothing_written(top, records, version)
    assert top.manager is None and top.level == "L3"


def test_a_loop_three_levels_deep_is_refused_by_a_roster_import(lnd_manager, org):
    top, _, bottom = chain(org, 3)
    actor = actor_for(lnd_manager, org)
    batch = services.roster_import_start(
        actor=actor,
        filename="loop.csv",
        content=f"email,name,manager_email\n{top.email},Top,{bottom.email}\n".encode(),
    )
    services.roster_import_parse(roster_import=batch, progress=lambda *_: None)
    row = batch.rows.get()
    assert batch.status == ImportStatus.INVALID
    assert "The manager chain loops back to this person" in row.errors[0]
    with pytest.raises(services.ImportNotCommittable):
        services.roster_import_commit(actor=actor, roster_import=batch)
    top.refresh_from_db()
    assert top.manager is None


def test_a_manager_from_lower_down_another_line_is_allowed(lnd_manager, org):
    top = chain(org, 3)[0]
    other = chain(org, 3)
    edit(actor_for(lnd_manager, org), top, manager=other[-1])
    top.refresh_from_db()
    assert top.manager == other[-1]


def test_checking_the_manager_chain_takes_the_same_queries_at_any_depth(
    lnd_manager, org, django_assert_num_queries
):
    actor = actor_for(lnd_manager, org)
    shallow, deep = chain(org, 3), chain(org, 30)
    with (
        CaptureQueriesContext(connection) as counted,
        pytest.raises(ValidationError, match="loops back"),
    ):
        edit(actor, shallow[0], manager=shallow[-1])
    with (
        django_assert_num_queries(len(counted.captured_queries)),
        pytest.raises(ValidationError, match="loops back"),
    ):
        edit(actor, deep[0], manager=deep[-1])


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"termination_date": datetime.date(2025, 6, 30)},
            "termination_reason",
            "termination_reason is needed with a termination_date",
        ),
        (
            {"termination_reason": "voluntary"},
            "termination_reason",
            "termination_reason is given but termination_date is empty.",
        ),
        (
            {"termination_date": datetime.date(2025, 6, 30), "termination_reason": "fired"},
            "termination_reason",
            "termination_reason 'fired' must be 'voluntary' or 'involuntary'.",
        ),
        (
            {"termination_date": datetime.date(2020, 1, 1), "termination_reason": "voluntary"},
            "termination_date",
            "termination_date 2020-01-01 is before the hire date 2023-01-09.",
        ),
        (
            {"effective_date": datetime.date(2022, 12, 31)},
            "effective_date",
            "effective_date 2022-12-31 is before the hire date 2023-01-09: "
            "history never starts before the hire.",
        ),
    ],
)
def test_leaving_and_date_rules_are_field_errors_and_write_nothing(
    lnd_manager, org, changes, field, message
):
    person = EmployeeFactory(organization=org, hire_date=datetime.date(2023, 1, 9))
    records, version = EmployeeRecord.objects.filter(employee=person).count(), org.roster_version
    with pytest.raises(ValidationError) as refused:
        edit(actor_for(lnd_manager, org), person, level="L9", **changes)
    assert field in refused.value.message_dict
    assert message in refused.value.message_dict[field][0]
    assert nothing_written(person, records, version)
    assert person.level == "L3" and person.termination_date is None


def test_the_edit_and_the_import_say_the_same_thing_about_the_same_leaving(lnd_manager, org):
    person = EmployeeFactory(organization=org, hire_date=datetime.date(2023, 1, 9))
    actor = actor_for(lnd_manager, org)
    batch = services.roster_import_start(
        actor=actor,
        filename="leaver.csv",
        content=(
            "email,name,termination_date,termination_reason\n"
            f"{person.email},{person.full_name},2022-05-01,\n"
        ).encode(),
    )
    services.roster_import_parse(roster_import=batch, progress=lambda *_: None)
    with pytest.raises(ValidationError) as refused:
        edit(actor, person, termination_date=datetime.date(2022, 5, 1))
    edit_messages = {m for ms in refused.value.message_dict.values() for m in ms}
    assert edit_messages == set(batch.rows.get().errors)
    assert len(edit_messages) == 2, "no reason, and leaving before the hire"


def test_clearing_a_leaving_date_through_the_api_clears_its_reason(
    client, lnd_manager, org, learner_employee
):
    edit(
        actor_for(lnd_manager, org),
        learner_employee,
        termination_date=datetime.date(2099, 6, 30),
        termination_reason="voluntary",
    )
    client.force_login(lnd_manager)
    response = client.patch(
        f"/api/v1/employees/{learner_employee.pk}/",
        {"effective_date": "2025-07-01", "termination_date": None},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    learner_employee.refresh_from_db()
    assert learner_employee.termination_date is None
    assert learner_employee.termination_reason == ""


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
    assert b"level" in page.content and b"annual_salary" not in page.content
    api = client.get(f"/api/v1/employees/{learner_employee.pk}/history/").json()
    assert ["level"] in [r["changed_fields"] for r in api["results"]]
    assert all("annual_salary" not in r["changed_fields"] for r in api["results"])


def test_someone_leaving_next_month_is_listed_as_leaving(client, lnd_manager, org):
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


def test_a_change_of_pay_alone_is_not_listed_to_readers_who_may_not_see_pay(
    client, line_manager, lnd_manager, learner_employee
):
    for fields in (["annual_salary"], ["level", "annual_salary"]):
        EmployeeRecord.objects.create(
            organization=learner_employee.organization,
            employee=learner_employee,
            effective_date=datetime.date(2024, 4 if len(fields) == 1 else 10, 1),
            event=RecordEvent.CHANGE,
            changed_fields=fields,
        )
    client.force_login(line_manager)
    page = client.get(reverse("people:detail", args=[learner_employee.pk])).content.decode()
    assert "1 Apr 2024" not in page, "a pay review is not a change of nothing"
    assert "<td>1 Oct 2024</td>" in page and "<td>level</td>" in page
    api = client.get(f"/api/v1/employees/{learner_employee.pk}/history/").json()
    assert [] not in [r["changed_fields"] for r in api["results"] if r["event"] == "change"]
    client.force_login(lnd_manager)
    page = client.get(reverse("people:detail", args=[learner_employee.pk])).content.decode()
    assert "<td>1 Apr 2024</td>" in page and "<td>pay</td>" in page
    assert "<td>level, pay</td>" in page
