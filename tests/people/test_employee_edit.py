import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from people import selectors, services
from people.models import EmployeeRecord, RecordEvent
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
