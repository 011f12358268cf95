"""Reads of someone else's results, plan or reflections leave an audit entry, whether
through the page or the API: both call the same selector, which writes it."""

import re

import pytest
from django.urls import reverse

from assessments import services
from people.models import AuditEntry
from programs import services as program_services
from tests.assessments.conftest import submit_both
from tests.conftest import actor_for
from tests.programs.conftest import module_named


@pytest.fixture
def plan(round_open, learner, line_manager, org, program):
    program.competencies.set(org.competencies.filter(key__in=["delegation"]))
    submit_both(learner, line_manager, org, lambda i: 2, lambda i: 2)
    actor = actor_for(learner, org)
    plan = services.plan_draft(actor=actor, enrollment=round_open)
    services.plan_share(actor=actor, plan=plan, shared=True)
    return plan


def entries(action):
    return list(AuditEntry.objects.filter(action=action).values_list("actor__email", "detail"))


@pytest.mark.parametrize("path", ["page", "api"])
def test_the_coach_reading_results_is_audited_the_learner_is_not(
    client, plan, learner, coach, path
):
    enrollment = plan.enrollment
    url = (
        reverse("assessments:results", args=[enrollment.pk])
        if path == "page"
        else f"/api/v1/results/{enrollment.pk}/"
    )
    shown = "Scores by competency" if path == "page" else '"scores"'
    client.force_login(learner)
    assert shown in client.get(url).content.decode()
    assert entries("assessment.results_viewed") == []
    client.force_login(coach)
    assert shown in client.get(url).content.decode()
    assert entries("assessment.results_viewed") == [(coach.email, {"enrollment_id": enrollment.pk})]


def test_the_line_manager_reading_the_shared_plan_is_audited(client, plan, line_manager):
    client.force_login(line_manager)
    goal = plan.goals.first().goal
    api = client.get(f"/api/v1/plans/{plan.enrollment_id}/").json()
    assert [g["goal"] for g in api["goals"]] == [goal]
    page = client.get(reverse("assessments:results", args=[plan.enrollment_id]))
    assert goal in page.content.decode()
    assert (
        entries("plan.shared_viewed")
        == [(line_manager.email, {"enrollment_id": plan.enrollment_id})] * 2
    )


def test_the_coach_reading_a_reflection_or_the_practice_log_is_audited(
    client, enrollment, learner, coach, org, program
):
    program_services.reflection_save(
        actor=actor_for(learner, org),
        enrollment=enrollment,
        module=module_named(program, "What did you notice?"),
        text="I talk over Priya.",
    )
    reflection = enrollment.reflections.get()
    client.force_login(learner)
    client.get(reverse("follow:reflection", args=[reflection.pk]))
    client.get(reverse("learn:practice", args=[enrollment.pk]))
    assert (
        AuditEntry.objects.filter(action__in=["reflection.viewed", "practice_log.viewed"]).count()
        == 0
    )
    client.force_login(coach)
    assert (
        b"I talk over Priya."
        in client.get(reverse("follow:reflection", args=[reflection.pk])).content
    )
    log = client.get(reverse("follow:learner", args=[enrollment.pk]))
    assert enrollment.employee.full_name in log.content.decode()
    reads = AuditEntry.objects.filter(action__endswith=".viewed").order_by("id")
    assert [(e.action, e.actor) for e in reads] == [
        ("reflection.viewed", coach),
        ("practice_log.viewed", coach),
    ]
    # Who, what and when: never the words themselves.
    assert "Priya" not in str(list(AuditEntry.objects.values("target", "detail")))


def test_the_results_page_names_whom_the_plan_is_shared_with(
    client, plan, learner, line_manager_employee
):
    client.force_login(learner)
    page = client.get(reverse("assessments:results", args=[plan.enrollment_id])).content.decode()
    assert f"Shared with {line_manager_employee.full_name}" in page
    assert f"Stop sharing with {line_manager_employee.full_name}" in page


def test_a_shared_plan_never_reveals_scores_to_the_line_manager(
    client, round_open, learner, line_manager, org
):
    round_open.cohort.program.competencies.set(org.competencies.all())
    submit_both(learner, line_manager, org, lambda item: 1, lambda item: 4)
    plan = services.plan_draft(actor=actor_for(learner, org), enrollment=round_open)
    services.plan_share(actor=actor_for(learner, org), plan=plan, shared=True)
    client.force_login(line_manager)
    page = client.get(reverse("assessments:results", args=[round_open.pk])).content.decode()
    api = client.get(f"/api/v1/plans/{round_open.pk}/").json()
    assert plan.goals.first().goal in page
    # Combined 2.5 and a gap of 1.5 must show nowhere as text ("2.5" alone could match an
    # unrelated attribute, such as a width).
    assert not re.search(r">[^<]*\b[12]\.5\b[^<]*<", page) and "gap" not in page.lower()
    assert len(api["goals"]) == plan.goals.count()
    assert all("gap" not in goal for goal in api["goals"])
    assert AuditEntry.objects.filter(action="plan.shared").exists()


def test_viewing_someone_elses_results_is_audited_ones_own_is_not(
    client, round_open, lnd_manager, learner
):
    client.force_login(learner)
    client.get(reverse("assessments:results", args=[round_open.pk]))
    assert not AuditEntry.objects.filter(action="assessment.results_viewed").exists()
    client.force_login(lnd_manager)
    client.get(reverse("assessments:results", args=[round_open.pk]))
    assert entries("assessment.results_viewed")[0][0] == lnd_manager.email
