"""Development plans: drafted from the gaps once both baseline views are in, edited in the
learner's words, agreed by the learner and their coach."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments import services
from assessments.models import (
    Assessment,
    DevelopmentPlan,
    PlanCheckIn,
    PlanGoal,
    PlanStatus,
    TargetLevel,
)
from people.events import EventName
from people.models import DomainEvent
from tests.assessments.conftest import answer_all, submit_both
from tests.conftest import actor_for


@pytest.fixture
def plan(round_open, learner, line_manager, org):
    """A drafted plan with three goals, nobody has agreed yet."""
    round_open.cohort.program.competencies.set(org.competencies.all())
    submit_both(learner, line_manager, org, lambda item: 1, lambda item: 2)
    return services.plan_draft(actor=actor_for(learner, org), enrollment=round_open)


@pytest.fixture
def written_plan(plan, learner, org):
    """The drafted plan with every goal rewritten by the learner, ready to agree."""
    for goal in plan.goals.all():
        services.plan_goal_update(
            actor=actor_for(learner, org),
            goal=goal,
            text=f"My own words for goal {goal.position}",
            practice_commitment=goal.practice_commitment,
            due_date=goal.due_date,
        )
    plan.refresh_from_db()
    return plan


def agreed_events():
    return DomainEvent.objects.filter(name=EventName.PLAN_AGREED)


def test_the_learners_agreement_alone_leaves_the_plan_awaiting_the_coach(
    client, written_plan, learner, round_open
):
    client.force_login(learner)
    client.post(reverse("assessments:plan_agree", args=[round_open.pk]))
    page = client.get(reverse("assessments:results", args=[round_open.pk])).content.decode()
    assert "Status: <strong>Draft</strong>" in page
    assert "coach has not agreed yet" in page
    written_plan.refresh_from_db()
    assert written_plan.status == PlanStatus.DRAFT
    assert not agreed_events().exists()


def test_the_coachs_agreement_alone_leaves_the_plan_awaiting_the_learner(
    written_plan, round_open, org
):
    services.plan_agree(actor=actor_for(round_open.coach, org), plan=written_plan)
    written_plan.refresh_from_db()
    assert written_plan.status == PlanStatus.DRAFT
    assert not agreed_events().exists()


def test_the_plan_is_agreed_once_both_agree_and_that_is_announced_once(
    written_plan, learner, round_open, org
):
    services.plan_agree(actor=actor_for(learner, org), plan=written_plan)
    services.plan_agree(actor=actor_for(round_open.coach, org), plan=written_plan)
    written_plan.refresh_from_db()
    assert written_plan.status == PlanStatus.AGREED
    [event] = agreed_events()
    assert event.payload["plan_id"] == written_plan.pk
    assert len(event.payload["competencies"]) == 3


def test_a_plan_without_goals_cannot_be_agreed(round_open, learner, org):
    empty = DevelopmentPlan.objects.create(enrollment=round_open)
    with pytest.raises(ValidationError, match="Draft the plan's goals before agreeing"):
        services.plan_agree(actor=actor_for(learner, org), plan=empty)
    empty.refresh_from_db()
    assert empty.learner_agreed_at is None and empty.status == PlanStatus.DRAFT


@pytest.mark.parametrize("who", ["learner", "coach"])
def test_a_plan_cannot_be_redrafted_once_someone_agreed(
    written_plan, learner, round_open, org, who
):
    agreeing = learner if who == "learner" else round_open.coach
    services.plan_agree(actor=actor_for(agreeing, org), plan=written_plan)
    goals_before = list(written_plan.goals.values_list("pk", "goal"))
    with pytest.raises(ValidationError, match="already edited or agreed"):
        services.plan_draft(actor=actor_for(learner, org), enrollment=round_open)
    assert list(written_plan.goals.values_list("pk", "goal")) == goals_before


def test_no_plan_until_the_manager_has_answered_too(round_open, learner, org):
    answer_all(actor_for(learner, org), Assessment.objects.get(rater=learner), lambda item: 1)
    with pytest.raises(ValidationError, match="Waiting for Manager's assessment"):
        services.plan_draft(actor=actor_for(learner, org), enrollment=round_open)
    assert not DevelopmentPlan.objects.exists()


def test_goals_are_due_from_today_and_edited_goals_survive_a_redraft(plan, learner, org):
    assert all(g.due_date >= org.today() for g in plan.goals.all())
    goal = plan.goals.first()
    services.plan_goal_update(
        actor=actor_for(learner, org),
        goal=goal,
        text="Mine",
        practice_commitment="",
        due_date=goal.due_date,
    )
    with pytest.raises(ValidationError, match="already edited"):
        services.plan_draft(actor=actor_for(learner, org), enrollment=plan.enrollment)
    assert plan.goals.filter(goal="Mine").exists()


def test_a_goal_cannot_be_due_after_the_program_ends(plan, learner, org):
    goal = plan.goals.first()
    end = plan.enrollment.cohort.end_date
    with pytest.raises(ValidationError) as exc:
        services.plan_goal_update(
            actor=actor_for(learner, org),
            goal=goal,
            text="Later",
            practice_commitment="",
            due_date=end + datetime.timedelta(days=1),
        )
    assert "Choose a date inside the program" in exc.value.message_dict["due_date"][0]
    goal.refresh_from_db()
    assert goal.goal != "Later"


def test_editing_a_goal_after_agreement_asks_both_to_agree_again(
    written_plan, learner, round_open, org
):
    services.plan_agree(actor=actor_for(learner, org), plan=written_plan)
    services.plan_agree(actor=actor_for(round_open.coach, org), plan=written_plan)
    goal = written_plan.goals.first()
    services.plan_goal_update(
        actor=actor_for(learner, org),
        goal=goal,
        text="Changed",
        practice_commitment="",
        due_date=goal.due_date,
    )
    written_plan.refresh_from_db()
    assert written_plan.status == PlanStatus.DRAFT
    assert written_plan.learner_agreed_at is None and written_plan.coach_agreed_at is None


def test_only_the_learner_shares_their_plan(plan, round_open, org):
    with pytest.raises(DevelopmentPlan.DoesNotExist):
        services.plan_share(actor=actor_for(round_open.coach, org), plan=plan, shared=True)
    plan.refresh_from_db()
    assert plan.shared_with is None


def test_a_check_in_cannot_be_recorded_against_another_plans_goal(
    plan, round_open, peer_enrollment, org
):
    other_plan = DevelopmentPlan.objects.create(enrollment=peer_enrollment)
    foreign = PlanGoal.objects.create(
        plan=other_plan,
        position=0,
        competency=org.competencies.first(),
        goal="Not yours",
        due_date=org.today(),
    )
    with pytest.raises(ValidationError) as exc:
        services.plan_checkin_record(
            actor=actor_for(round_open.coach, org), plan=plan, goal=foreign, note="x", progress=2
        )
    assert "belongs to another plan" in exc.value.message_dict["goal"][0]
    assert not PlanCheckIn.objects.exists()


@pytest.mark.parametrize("target", [0, 6])
def test_a_target_outside_the_scale_is_refused(lnd, program, org, target):
    with pytest.raises(ValidationError, match="A target is a level from 1 to 5"):
        services.target_set(
            actor=lnd, program=program, competency=org.competencies.first(), target=target
        )
    assert not TargetLevel.objects.filter(program=program).exists()


def test_no_plan_until_the_learner_has_answered_too(round_open, line_manager, learner, org):
    answer_all(
        actor_for(line_manager, org), Assessment.objects.get(rater=line_manager), lambda item: 1
    )
    with pytest.raises(ValidationError, match="self-assessment"):
        services.plan_draft(actor=actor_for(learner, org), enrollment=round_open)
    assert not DevelopmentPlan.objects.exists()
