"""What each persona is asked to do about assessments and development plans, on their
home page: the exact items, where each leads, and that each leaves once done."""

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import Assessment, DevelopmentPlan
from tests.assessments.conftest import answer_all, submit_both
from tests.conftest import actor_for


def todo(client, user) -> list[tuple[str, str]]:
    """(text, link) of each to-do item on the user's home page."""
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    block = html.split('id="todo-heading"', 1)[1].split("</section>", 1)[0]
    return [
        (unescape(re.sub(r"\s+", " ", text).strip()), unescape(href))
        for href, text in re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', block)
    ]


def about_assessments(items) -> list[tuple[str, str]]:
    """The items that lead to an assessment or a plan (not the learner's modules)."""
    return [(text, url) for text, url in items if url.startswith("/assessments/")]


@pytest.fixture
def everyone(
    learner,
    peer_learner,
    line_manager,
    former_line_manager,
    coach,
    second_coach,
    lnd_manager,
    executive,
):
    return {
        "learner": learner,
        "peer_learner": peer_learner,
        "line_manager": line_manager,
        "former_line_manager": former_line_manager,
        "coach": coach,
        "second_coach": second_coach,
        "lnd_manager": lnd_manager,
        "executive": executive,
    }


def todos(client, everyone) -> dict[str, list[tuple[str, str]]]:
    """Each persona's assessment and plan items; personas with none are left out."""
    out = {}
    for name, user in everyone.items():
        items = about_assessments(todo(client, user))
        if items:
            out[name] = items
    return out


@pytest.fixture
def world(lnd, enrollment, peer_enrollment, org):
    """The learner and peer in one cohort with a baseline round open; the program
    targets every competency, so gaps give goals."""
    enrollment.cohort.program.competencies.set(org.competencies.all())
    services.assessment_round_open(
        actor=lnd,
        cohort=enrollment.cohort,
        phase="baseline",
        opens_on=org.today(),
        # Three weeks ahead: the round is not behind, so the L&D manager is not asked
        # about it here (tests/config/test_home_lnd.py covers that).
        closes_on=org.today() + datetime.timedelta(days=21),
    )
    return enrollment


def results(enrollment) -> str:
    return reverse("assessments:results", args=[enrollment.pk])


def take(assessment) -> str:
    return reverse("assessments:take", args=[assessment.pk])


def test_an_open_round_asks_the_learner_and_their_line_manager_and_nobody_else(
    client, world, everyone, learner, line_manager, org
):
    own = Assessment.objects.get(rater=learner)
    managers = Assessment.objects.get(rater=line_manager)
    assert todos(client, everyone) == {
        "learner": [("Fill in the Leadership self-assessment", take(own))],
        # The peer reports to nobody on the roster, so only their self-assessment.
        "peer_learner": [
            (
                "Fill in the Leadership self-assessment",
                take(Assessment.objects.get(rater=everyone["peer_learner"])),
            )
        ],
        "line_manager": [
            (
                f"Assess {learner.full_name}: Leadership assessment (line manager)",
                take(managers),
            )
        ],
    }
    answer_all(actor_for(learner, org), own, lambda item: 3)
    assert about_assessments(todo(client, learner)) == []


def test_a_readiness_request_waits_for_the_line_manager_until_submitted(
    client, lnd, everyone, learner, line_manager, learner_employee, org
):
    [nomination] = services.readiness_nominate(
        actor=lnd,
        emails=[learner_employee.email],
        closes_on=org.today() + datetime.timedelta(days=7),
    )
    assert todos(client, everyone) == {
        "line_manager": [
            (
                f"Assess {learner.full_name}: Pre-promotion readiness",
                take(nomination.assessment),
            )
        ]
    }
    answer_all(actor_for(line_manager, org), nomination.assessment, lambda item: 4)
    assert todos(client, everyone) == {}


def test_the_learner_is_asked_to_draft_their_plan_once_both_assessments_are_in(
    client, world, everyone, learner, line_manager, org
):
    answer_all(actor_for(learner, org), Assessment.objects.get(rater=learner), lambda item: 1)
    # The manager's assessment is still awaited: drafting would be refused, so not offered.
    assert "learner" not in todos(client, everyone)
    answer_all(
        actor_for(line_manager, org), Assessment.objects.get(rater=line_manager), lambda i: 2
    )
    assert todos(client, everyone)["learner"] == [
        ("Draft your development plan for New managers", results(world))
    ]
    assert set(todos(client, everyone)) == {"learner", "peer_learner"}

    services.plan_draft(actor=actor_for(learner, org), enrollment=world)
    assert todos(client, everyone)["learner"] == [
        (
            "Write the goals of your development plan for New managers in your own words",
            results(world),
        )
    ]


@pytest.fixture
def drafted(world, learner, line_manager, org):
    submit_both(learner, line_manager, org, lambda item: 1, lambda item: 2)
    return services.plan_draft(actor=actor_for(learner, org), enrollment=world)


def write_goals(plan, user, org):
    for goal in plan.goals.all():
        services.plan_goal_update(
            actor=actor_for(user, org),
            goal=goal,
            text=f"My words {goal.position}",
            practice_commitment=goal.practice_commitment,
            due_date=goal.due_date,
        )
    plan.refresh_from_db()
    return plan


def test_the_learner_agrees_then_their_coach_and_each_item_leaves_once_done(
    client, drafted, world, everyone, learner, coach, org
):
    assert world.coach == coach
    write_goals(drafted, learner, org)
    mine = todos(client, everyone)
    assert mine["learner"] == [("Agree your development plan for New managers", results(world))]
    assert "coach" not in mine, "the coach is asked once the learner has agreed"

    services.plan_agree(actor=actor_for(learner, org), plan=drafted)
    after = todos(client, everyone)
    assert "learner" not in after
    assert after["coach"] == [(f"Agree {learner.full_name}'s development plan", results(world))]
    assert "second_coach" not in after and "line_manager" not in after

    services.plan_agree(actor=actor_for(coach, org), plan=drafted)
    assert "coach" not in todos(client, everyone)


def test_an_edit_after_the_learner_agreed_takes_the_plan_back_from_the_coach(
    client, drafted, world, learner, coach, org
):
    write_goals(drafted, learner, org)
    services.plan_agree(actor=actor_for(learner, org), plan=drafted)
    write_goals(drafted, coach, org)
    assert about_assessments(todo(client, coach)) == []
    assert about_assessments(todo(client, learner)) == [
        ("Agree your development plan for New managers", results(world))
    ]


def test_a_plan_shared_with_the_line_manager_waits_until_they_read_it(
    client, drafted, world, everyone, learner, line_manager, org
):
    everyone.pop("peer_learner")  # still has their self-assessment to fill in
    write_goals(drafted, learner, org)
    services.plan_agree(actor=actor_for(learner, org), plan=drafted)
    services.plan_agree(actor=actor_for(world.coach, org), plan=drafted)
    assert "line_manager" not in todos(client, everyone), "not shared yet"

    services.plan_share(actor=actor_for(learner, org), plan=drafted, shared=True)
    shared = todos(client, everyone)
    assert shared == {
        "line_manager": [(f"Read {learner.full_name}'s development plan", results(world))]
    }

    client.force_login(line_manager)
    assert f"{learner.full_name}'s development plan" in client.get(results(world)).content.decode()
    assert todos(client, everyone) == {}

    # Shared again after they read it asks them to read it again.
    drafted.refresh_from_db()
    services.plan_share(actor=actor_for(learner, org), plan=drafted, shared=False)
    services.plan_share(actor=actor_for(learner, org), plan=drafted, shared=True)
    assert "line_manager" in todos(client, everyone)
    client.force_login(line_manager)
    client.get(results(world))
    assert todos(client, everyone) == {}

    # So does a goal rewritten since they read it.
    drafted.refresh_from_db()
    write_goals(drafted, learner, org)
    assert "line_manager" in todos(client, everyone)

    services.plan_share(actor=actor_for(learner, org), plan=drafted, shared=False)
    assert "line_manager" not in todos(client, everyone)


def test_a_plan_shared_with_a_former_line_manager_is_nobodys_to_read(
    client, drafted, world, everyone, learner, former_line_manager_employee, org
):
    DevelopmentPlan.objects.filter(pk=drafted.pk).update(shared_with=former_line_manager_employee)
    assert "former_line_manager" not in todos(client, everyone)
    assert "line_manager" not in todos(client, everyone)


def test_only_the_manager_it_is_shared_with_marks_a_shared_plan_read(
    drafted, world, learner, line_manager_employee, org
):
    services.plan_share(actor=actor_for(learner, org), plan=drafted, shared=True)
    for someone in (learner, world.coach):
        services.plan_shared_seen(actor=actor_for(someone, org), plan=drafted)
    drafted.refresh_from_db()
    assert drafted.shared_seen_at is None
    services.plan_shared_seen(actor=actor_for(line_manager_employee.user, org), plan=drafted)
    drafted.refresh_from_db()
    assert drafted.shared_seen_at is not None
