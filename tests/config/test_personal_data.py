"""What every app holds about one person: exported and erased through the handlers each
app registers, and nothing left behind in free text."""

import json
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from assessments.models import PlanGoal
from people.models import AuditEntry, Employee
from people.personal_data import HANDLERS, personal_data_erase, personal_data_export
from programs import services
from programs.models import ModuleProgress, Reflection
from tests.conftest import actor_for
from tests.programs.conftest import module_named


@pytest.fixture
def history(enrollment, learner_actor, program, lnd):
    services.reflection_save(
        actor=learner_actor,
        enrollment=enrollment,
        module=module_named(program, "What did you notice?"),
        text="I talk over Priya.",
    )
    services.module_mark_done(
        actor=learner_actor, enrollment=enrollment, module=module_named(program, "Welcome")
    )
    return enrollment


def test_every_app_says_what_it_holds_in_floor_order():
    assert [(h.app, h.floor) for h in HANDLERS] == [
        ("people", 1),
        ("programs", 2),
        ("assessments", 3),
        ("metrics", 5),
    ]
    assert all(h.holds for h in HANDLERS)


def test_the_export_gathers_each_apps_part(history, lnd, learner_employee):
    data = personal_data_export(actor=lnd, email=learner_employee.email.upper())
    assert list(data) == ["people", "programs", "assessments", "metrics"]
    assert data["people"]["data"]["roster_record"]["full_name"] == learner_employee.full_name
    assert data["people"]["data"]["roles"] == ["learner"]
    assert [r["text"] for r in data["programs"]["data"]["reflections"]] == ["I talk over Priya."]
    assert sorted(p["module__title"] for p in data["programs"]["data"]["progress"]) == [
        "Welcome",
        "What did you notice?",
    ]
    assert data["metrics"]["data"] == {}
    entry = AuditEntry.objects.get(action="personal_data.exported")
    assert "Priya" not in str(entry.detail)


def test_someone_known_only_by_email_gets_an_empty_export(lnd):
    data = personal_data_export(actor=lnd, email="reviewer@elsewhere.test")
    assert data["people"]["data"]["roster_record"] is None
    assert data["programs"]["data"]["enrolments"] == []


def test_erasure_removes_names_and_free_text_and_keeps_the_numbers(
    history, lnd, learner_employee, org
):
    counts = personal_data_erase(actor=lnd, email=learner_employee.email)
    assert counts["programs"] == 1 and counts["people"] >= 2
    erased = Employee.objects.get(pk=learner_employee.pk)
    assert erased.full_name == f"Erased person #{erased.pk}"
    assert erased.email.endswith("@erased.invalid")
    assert not Reflection.objects.exists()
    # Writing the reflection completed its module: progress stays, the words go.
    assert ModuleProgress.objects.filter(enrollment=history, status="completed").count() == 2
    assert not erased.user.memberships.filter(organization=org).exists()
    assert not AuditEntry.objects.filter(target=learner_employee.full_name).exists()
    assert not PlanGoal.objects.exclude(goal="(erased)").filter(plan__enrollment=history).exists()


def test_only_lnd_managers_export_or_erase(history, coach, org, learner_employee):
    with pytest.raises(PermissionDenied):
        personal_data_export(actor=actor_for(coach, org), email=learner_employee.email)
    with pytest.raises(PermissionDenied):
        personal_data_erase(actor=actor_for(coach, org), email=learner_employee.email)
    assert Reflection.objects.count() == 1


def test_the_command_exports_json(history, lnd_manager, org, learner_employee):
    out = StringIO()
    call_command(
        "personal_data",
        "export",
        organization=org.slug,
        email=learner_employee.email,
        as_email=lnd_manager.email,
        stdout=out,
    )
    assert json.loads(out.getvalue())["programs"]["data"]["reflections"][0]["text"] == (
        "I talk over Priya."
    )
