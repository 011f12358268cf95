"""Out-of-bounds assessment input is a field error, never a 500, and nothing is written."""

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import AssessmentTemplate, PlanGoal, ReadinessNomination
from programs import services as program_services
from programs.models import ModuleKind
from tests.assessments.conftest import submit_both
from tests.conftest import actor_for


@pytest.fixture
def goal(round_open, learner, line_manager, org, program):
    program.competencies.set(org.competencies.filter(key__in=["feedback_delivery", "delegation"]))
    submit_both(learner, line_manager, org, lambda item: 1, lambda item: 1)
    plan = services.plan_draft(actor=actor_for(learner, org), enrollment=round_open)
    return plan.goals.order_by("position").first()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"goal": "x" * 200_000}, "goal"),
        ({"goal": "x" * 2001}, "goal"),
        ({"goal": "Listen\x00"}, "goal"),
        ({"practice_commitment": "x" * 301}, "practice_commitment"),
        ({"due_date": "9999-12-31"}, "due_date"),
        ({"due_date": "0001-01-01"}, "due_date"),
    ],
)
def test_a_plan_goal_out_of_bounds_is_a_field_error(client, learner, goal, body, field):
    before = (goal.goal, goal.practice_commitment, goal.due_date)
    client.force_login(learner)
    response = client.patch(f"/api/v1/plan-goals/{goal.pk}/", body, content_type="application/json")
    assert response.status_code == 400 and field in response.json()
    goal.refresh_from_db()
    assert (goal.goal, goal.practice_commitment, goal.due_date) == before


def test_a_long_goal_on_the_page_is_refused_with_a_message(client, learner, goal):
    client.force_login(learner)
    prefix = f"g{goal.pk}"
    response = client.post(
        reverse("assessments:goal_update", args=[goal.pk]),
        {f"{prefix}-goal": "x" * 200_000, f"{prefix}-due_date": "2026-01-01"},
        follow=True,
    )
    assert b"at most 2000 characters" in response.content
    assert PlanGoal.objects.get(pk=goal.pk).goal == goal.goal


@pytest.fixture
def check_module(lnd, program):
    return program_services.module_save(
        actor=lnd, program=program, title="Quiz", kind=ModuleKind.KNOWLEDGE_CHECK, release_week=1
    )


@pytest.mark.parametrize(
    "content, message",
    [
        ("[" * 400 + "]" * 400, b"nested more than 20 levels deep"),
        ('title: "Quiz\\0"\nquestions: []\n', b"NUL character"),
        (
            "title: Q\nquestions:\n  - id: q\n    text: "
            + "x" * 2001
            + "\n    options: [{key: a, text: A}, "
            "{key: b, text: B}]\n    correct: [a]\n",
            b"longer than 2000 characters",
        ),
        (
            "title: Q\nquestions:\n  - id: q\n    text: T\n    options: ["
            + ", ".join(f"{{key: k{i}, text: T}}" for i in range(11))
            + "]\n    correct: [k1]\n",
            b"needs 2 to 10 options",
        ),
    ],
)
def test_a_knowledge_check_file_out_of_bounds_is_a_form_error(
    client, lnd_manager, check_module, content, message
):
    client.force_login(lnd_manager)
    response = client.post(
        reverse("assessments:check_edit", args=[check_module.pk]), {"content": content}
    )
    assert response.status_code == 200 and message in response.content
    assert not AssessmentTemplate.objects.filter(module=check_module).exists()


def test_answers_and_nominations_out_of_bounds_are_field_errors(
    client, lnd_manager, round_open, learner
):
    client.force_login(lnd_manager)
    for body, field in (
        ({"emails": ["a@acme.test"], "closes_on": "9999-12-31"}, "closes_on"),
        ({"emails": ["a\x00@acme.test"], "closes_on": "2026-12-31"}, "emails"),
        ({"emails": ["a@acme.test"] * 501, "closes_on": "2026-12-31"}, "emails"),
    ):
        response = client.post("/api/v1/readiness/", body, content_type="application/json")
        assert response.status_code == 400 and field in response.json(), body
    assert not ReadinessNomination.objects.exists()
    client.force_login(learner)
    pk = client.get("/api/v1/assessments/").json()["results"][0]["id"]
    for answers in ({f"k{i}": 3 for i in range(501)}, {"x" * 81: 3}, {"a\x00": 3}):
        response = client.post(
            f"/api/v1/assessments/{pk}/answers/",
            {"answers": answers},
            content_type="application/json",
        )
        assert response.status_code == 400 and "answers" in response.json()
    response = client.post(
        f"/api/v1/assessments/{pk}/reopen/", {"reason": "x" * 501}, content_type="application/json"
    )
    assert response.status_code in (400, 403)


def test_round_dates_out_of_range_are_form_errors(client, lnd_manager, cohort):
    client.force_login(lnd_manager)
    response = client.post(
        reverse("assessments:cohort_round", args=[cohort.pk]),
        {"phase": "final", "opens_on": "2026-01-01", "closes_on": "9999-12-31"},
    )
    assert response.status_code == 200 and b"between 1900 and 2100" in response.content
    assert not cohort.enrollments.filter(assessments__phase="final").exists()
