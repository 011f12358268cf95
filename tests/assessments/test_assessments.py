import datetime
import html

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assessments import selectors, services
from assessments.checks import STARTER
from assessments.models import (
    Assessment,
    AssessmentStatus,
    AssessmentTemplate,
    DevelopmentPlan,
    PlanGoal,
)
from people.models import AuditEntry
from programs import services as program_services
from tests.assessments.conftest import answer_all, submit_both
from tests.conftest import actor_for
from tests.factories import EmployeeFactory


def items_of(key):
    return list(AssessmentTemplate.objects.get(key=key).items.order_by("position"))


def test_shipped_questionnaires_cover_every_competency(lnd, org):
    services.assessment_library_load(organization=org)
    assert services.assessment_library_load(organization=org) == 0, "loading twice adds nothing"
    own, manager = items_of("leadership-self-assessment"), items_of("leadership-manager-assessment")
    assert len(own) == len(manager) == 24
    assert [i.key for i in own] == [i.key for i in manager]
    assert {i.competency.key for i in own} == set(org.competencies.values_list("key", flat=True))
    assert all(set(i.anchors) == {"1", "2", "3", "4", "5"} for i in own)
    assert len(items_of("pre-promotion-readiness")) == 16


def test_a_round_asks_the_learner_and_their_line_manager_once(
    lnd, cohort, round_open, learner, line_manager, org
):
    raters = set(Assessment.objects.values_list("template__kind", "rater__email"))
    assert raters == {("self", learner.email), ("manager", line_manager.email)}
    again = services.assessment_round_open(
        actor=lnd, cohort=cohort, phase="baseline", opens_on=org.today(), closes_on=org.today()
    )
    assert again["created"] == 0


def test_draft_then_submit_then_final(round_open, learner, org):
    actor = actor_for(learner, org)
    own = Assessment.objects.get(rater=learner)
    first = own.template.items.first()
    services.assessment_answer(actor=actor, assessment=own, answers={first.key: 3}, submit=False)
    own.refresh_from_db()
    assert own.status == AssessmentStatus.DRAFT and own.answers.get().value == 3
    answer_all(actor, own, lambda item: 4)
    own.refresh_from_db()
    assert own.status == AssessmentStatus.SUBMITTED
    with pytest.raises(ValidationError, match="already submitted"):
        services.assessment_answer(actor=actor, assessment=own, answers={first.key: 1}, submit=True)
    assert own.answers.get(item=first).value == 4, "a second submission changes nothing"


@pytest.mark.parametrize("bad", [0, 6, "x", 3.5, True])
def test_answers_outside_the_scale_save_nothing(round_open, learner, org, bad):
    actor = actor_for(learner, org)
    own = Assessment.objects.get(rater=learner)
    items = list(own.template.items.all()[:2])
    with pytest.raises(ValidationError) as exc:
        services.assessment_answer(
            actor=actor, assessment=own, answers={items[0].key: 3, items[1].key: bad}, submit=False
        )
    assert "needs a rating from 1 to 5" in " ".join(exc.value.messages)
    assert not own.answers.exists()


def test_submitting_after_the_window_closed_is_refused(round_open, learner, org):
    own = Assessment.objects.get(rater=learner)
    Assessment.objects.filter(pk=own.pk).update(closes_on=org.today() - datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="closed on"):
        answer_all(actor_for(learner, org), own, lambda item: 3)
    assert not own.answers.exists()


def test_only_the_rater_can_answer(round_open, line_manager, org):
    own = Assessment.objects.get(template__kind="self")
    with pytest.raises(Assessment.DoesNotExist):
        answer_all(actor_for(line_manager, org), own, lambda item: 5)


def test_lnd_reopens_with_a_reason_and_it_is_audited(lnd, round_open, learner, org):
    own = Assessment.objects.get(rater=learner)
    answer_all(actor_for(learner, org), own, lambda item: 2)
    with pytest.raises(ValidationError):
        services.assessment_reopen(actor=lnd, assessment=own, reason=" ")
    services.assessment_reopen(actor=lnd, assessment=own, reason="Answered for the wrong team")
    own.refresh_from_db()
    assert own.status == AssessmentStatus.DRAFT
    entry = AuditEntry.objects.get(action="assessment.reopened")
    assert entry.detail["reason"] == "Answered for the wrong team"


def test_scores_combine_both_views_and_call_out_blind_spots(round_open, learner, line_manager, org):
    submit_both(
        learner,
        line_manager,
        org,
        lambda item: 5 if item.competency.key == "delegation" else 3,
        lambda item: 2 if item.competency.key == "delegation" else 3,
    )
    scores = {s.competency: s for s in selectors.learner_scores(enrollment=round_open)}
    delegation = scores["delegation"]
    assert (delegation.self_score, delegation.manager_score, delegation.combined) == (5.0, 2.0, 3.5)
    assert delegation.blind_spot and delegation.blind_spot_direction == "overrates"
    assert not scores["communication"].blind_spot


def test_plan_is_drafted_from_the_top_gaps_edited_and_agreed(
    round_open, learner, line_manager, coach, coach_user, org, program
):
    program.competencies.set(
        org.competencies.filter(key__in=["feedback_delivery", "psychological_safety", "delegation"])
    )
    low = {"feedback_delivery": 1, "psychological_safety": 2, "delegation": 3}
    submit_both(
        learner,
        line_manager,
        org,
        lambda item: low.get(item.competency.key, 4),
        lambda item: low.get(item.competency.key, 4),
    )
    learner_actor = actor_for(learner, org)
    plan = services.plan_draft(actor=learner_actor, enrollment=round_open)
    goals = list(plan.goals.order_by("position"))
    assert [g.competency.key for g in goals] == [
        "feedback_delivery",
        "psychological_safety",
        "delegation",
    ]
    assert all(
        round_open.cohort.start_date <= g.due_date <= round_open.cohort.end_date for g in goals
    )
    assert goals[0].modules.filter(title="Feedback role-play").exists(), (
        "modules targeting the competency"
    )
    assert "SBI" in goals[0].practice_commitment

    services.plan_goal_update(
        actor=learner_actor,
        goal=goals[0],
        text="Give SBI feedback in every review I run.",
        practice_commitment="Two SBI entries a week.",
        due_date=goals[0].due_date,
    )
    with pytest.raises(ValidationError):
        services.plan_goal_update(
            actor=learner_actor,
            goal=goals[0],
            text="x",
            practice_commitment="",
            due_date=datetime.date(1999, 1, 1),
        )
    with pytest.raises(ValidationError) as refused:
        services.plan_agree(actor=learner_actor, plan=plan)
    assert refused.value.message_dict == {
        "goals": [
            "Write each goal in your own words before agreeing; still to write: "
            "Psychological safety, Delegation."
        ]
    }
    for goal, text in [(goals[1], "Ask what worried them"), (goals[2], "Hand over the release")]:
        services.plan_goal_update(
            actor=learner_actor,
            goal=goal,
            text=text,
            practice_commitment="",
            due_date=goal.due_date,
        )
    services.plan_agree(actor=learner_actor, plan=plan)
    assigned = round_open.coach
    services.plan_agree(actor=actor_for(assigned, org), plan=plan)
    plan.refresh_from_db()
    assert plan.status == "agreed"
    other_coach = coach_user if assigned == coach else coach
    with pytest.raises(DevelopmentPlan.DoesNotExist):  # a coach not assigned to this learner
        services.plan_agree(actor=actor_for(other_coach, org), plan=plan)
    services.plan_goal_update(
        actor=learner_actor,
        goal=PlanGoal.objects.get(pk=goals[1].pk),
        text="Changed",
        practice_commitment="",
        due_date=goals[1].due_date,
    )
    plan.refresh_from_db()
    assert plan.status == "draft", "any change asks both to agree again"


def test_no_plan_without_assessments(round_open, learner, org):
    due = org.today().strftime("%-d %b %Y")
    with pytest.raises(ValidationError) as refused:
        services.plan_draft(actor=actor_for(learner, org), enrollment=round_open)
    assert refused.value.message_dict == {
        "plan": [
            f"Waiting for Learner's self-assessment, due {due}. "
            f"Waiting for Manager's assessment, due {due}."
        ]
    }


def test_draft_is_offered_only_once_both_assessments_are_in(
    client, round_open, learner, line_manager, org
):
    round_open.cohort.program.competencies.set(org.competencies.all())
    answer_all(actor_for(learner, org), Assessment.objects.get(rater=learner), lambda item: 2)
    due = org.today().strftime("%-d %b %Y")
    awaited = f"Waiting for Manager's assessment, due {due}."
    assert services.plan_draft_awaits(enrollment=round_open) == awaited
    with pytest.raises(ValidationError, match=awaited):
        services.plan_draft(actor=actor_for(learner, org), enrollment=round_open)

    client.force_login(learner)
    url = reverse("assessments:results", args=[round_open.pk])
    page = html.unescape(client.get(url).content.decode())
    assert f"No plan yet. <strong>{awaited}</strong>" in page
    assert "Draft the plan from the gaps" not in page
    api = client.get(f"/api/v1/results/{round_open.pk}/").json()
    assert api["plan_draft_awaits"] == awaited
    refused = client.post(f"/api/v1/plans/{round_open.pk}/draft/")
    assert refused.status_code == 400 and refused.json() == {"plan": [awaited]}

    answer_all(
        actor_for(line_manager, org), Assessment.objects.get(rater=line_manager), lambda i: 3
    )
    page = client.get(url).content.decode()
    assert "Draft the plan from the gaps" in page and "Waiting for" not in page
    assert (
        "No plan yet. The self and manager assessments are in, so it can be drafted from "
        "the top gaps.</p>"
    ) in page
    assert "once the self and manager assessments are in" not in page
    assert client.get(f"/api/v1/results/{round_open.pk}/").json()["plan_draft_awaits"] is None
    drafted = client.post(reverse("assessments:plan_draft", args=[round_open.pk]), follow=True)
    assert "Plan drafted from the top gaps." in drafted.content.decode()


def test_who_sees_the_answers_and_the_plan(
    client, round_open, learner, line_manager, lnd_manager, outsider, org, coach, coach_user
):
    round_open.cohort.program.competencies.set(org.competencies.all())
    submit_both(learner, line_manager, org, lambda item: 2, lambda item: 3)
    url = reverse("assessments:results", args=[round_open.pk])
    for user in (learner, round_open.coach, lnd_manager):
        client.force_login(user)
        assert b"Scores by competency" in client.get(url).content, user
    for user in (outsider, coach_user if round_open.coach == coach else coach):
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    client.force_login(line_manager)
    assert client.get(url).status_code == 404, "not shared yet"
    plan = services.plan_draft(actor=actor_for(learner, org), enrollment=round_open)
    services.plan_share(actor=actor_for(learner, org), plan=plan, shared=True)
    page = client.get(url)
    assert (
        page.status_code == 200
        and b"development plan" in page.content
        and b"Scores by competency" not in page.content
    )


@pytest.mark.parametrize("extra", [1, 12])
def test_assessment_page_queries_do_not_grow(
    client, lnd, cohort, round_open, org, extra, django_assert_num_queries
):
    cohort.capacity = 100
    cohort.save()
    people = EmployeeFactory.create_batch(
        extra, organization=org, manager=round_open.employee.manager
    )
    program_services.enrollment_add(actor=lnd, cohort=cohort, employees=people, notify=False)
    services.assessment_round_open(
        actor=lnd, cohort=cohort, phase="baseline", opens_on=org.today(), closes_on=org.today()
    )
    manager = round_open.employee.manager.user
    client.force_login(manager)
    with django_assert_num_queries(6):
        assert (
            client.get(reverse("assessments:mine")).content.count(
                b"Leadership assessment (line manager)"
            )
            == 1 + extra
        )
    one = Assessment.objects.filter(rater=manager).first()
    with django_assert_num_queries(7):
        assert client.get(reverse("assessments:take", args=[one.pk])).status_code == 200


def test_coach_checkins_show_on_the_plan(client, round_open, learner, line_manager, org):
    round_open.cohort.program.competencies.set(org.competencies.all())
    submit_both(learner, line_manager, org, lambda item: 2, lambda item: 3)
    plan = services.plan_draft(actor=actor_for(learner, org), enrollment=round_open)
    goal = plan.goals.first()
    with pytest.raises(ValidationError):
        services.plan_checkin_record(
            actor=actor_for(round_open.coach, org), plan=plan, goal=goal, note=" ", progress=9
        )
    with pytest.raises(DevelopmentPlan.DoesNotExist):  # only the learner's own coach
        services.plan_checkin_record(
            actor=actor_for(learner, org), plan=plan, goal=goal, note="x", progress=2
        )
    services.plan_checkin_record(
        actor=actor_for(round_open.coach, org),
        plan=plan,
        goal=goal,
        note="Two SBI entries this week; the second was specific.",
        progress=3,
    )
    client.force_login(learner)
    page = client.get(reverse("assessments:results", args=[round_open.pk]))
    assert b"progress 3 of 5" in page.content


def test_reassessment_shows_change_against_the_baseline(
    client, lnd, cohort, round_open, learner, line_manager, org
):
    submit_both(learner, line_manager, org, lambda item: 2, lambda item: 2)
    services.assessment_round_open(
        actor=lnd, cohort=cohort, phase="final", opens_on=org.today(), closes_on=org.today()
    )
    final_own = Assessment.objects.get(rater=learner, phase="final")
    final_manager = Assessment.objects.get(rater=line_manager, phase="final")
    answer_all(actor_for(learner, org), final_own, lambda item: 4)
    answer_all(actor_for(line_manager, org), final_manager, lambda item: 4)
    results = selectors.learner_results(enrollment=round_open)
    assert {s.combined for s in results.scores} == {2.0}
    assert {s.combined for s in results.final_scores} == {4.0}
    client.force_login(learner)
    page = client.get(reverse("assessments:results", args=[round_open.pk])).content
    assert b"At the end" in page and b"+2.0" in page


def test_the_blind_spot_margin_is_configurable(round_open, learner, line_manager, org, settings):
    submit_both(learner, line_manager, org, lambda item: 4, lambda item: 3)
    assert all(s.blind_spot for s in selectors.learner_scores(enrollment=round_open)), (
        "1 apart: the default"
    )
    settings.LODESTAR_BLIND_SPOT_MARGIN = 1.5
    assert not any(s.blind_spot for s in selectors.learner_scores(enrollment=round_open))
    settings.LODESTAR_BLIND_SPOT_MARGIN = 0.5
    assert all(s.blind_spot for s in selectors.learner_scores(enrollment=round_open))


def test_a_target_already_met_never_becomes_a_plan_goal(round_open, learner, line_manager, org):
    # Targets are level 4 on the program's three competencies. Feedback scores 1 (gap 3),
    # delegation exactly 4 (met, gap 0) and psychological safety 5 (exceeded, gap -1):
    # with room for three goals, only feedback becomes one.
    round_open.cohort.program.competencies.set(
        org.competencies.filter(key__in=["feedback_delivery", "delegation", "psychological_safety"])
    )
    levels = {"feedback_delivery": 1, "delegation": 4, "psychological_safety": 5}
    submit_both(
        learner,
        line_manager,
        org,
        lambda item: levels.get(item.competency.key, 2),
        lambda item: levels.get(item.competency.key, 2),
    )
    plan = services.plan_draft(actor=actor_for(learner, org), enrollment=round_open, limit=3)
    assert [(g.competency.key, g.gap) for g in plan.goals.all()] == [("feedback_delivery", 3)]


def test_no_plan_when_every_target_is_met(round_open, learner, line_manager, org):
    round_open.cohort.program.competencies.set(org.competencies.filter(key="delegation"))
    submit_both(learner, line_manager, org, lambda item: 4, lambda item: 5)
    with pytest.raises(ValidationError, match="Every target is already met"):
        services.plan_draft(actor=actor_for(learner, org), enrollment=round_open)
    assert not PlanGoal.objects.exists()


def _assessments_snapshot() -> dict:
    from django.apps import apps

    models = [*apps.get_app_config("assessments").get_models(), AuditEntry]
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in models}


ASSESSMENT_WRITES = {
    "assessment_round_open": lambda c: services.assessment_round_open(
        actor=c.actor,
        cohort=c.cohort,
        phase="final",
        opens_on=c.org.today(),
        closes_on=c.org.today() + datetime.timedelta(days=7),
    ),
    "assessment_reopen": lambda c: services.assessment_reopen(
        actor=c.actor, assessment=c.submitted, reason="Typo"
    ),
    "target_set": lambda c: services.target_set(
        actor=c.actor, program=c.program, competency=c.delegation, target=2
    ),
    "target_clear": lambda c: services.target_clear(
        actor=c.actor, program=c.program, competency=c.delegation
    ),
    "knowledge_check_publish": lambda c: services.knowledge_check_publish(
        actor=c.actor, module=c.quiz, content=STARTER
    ),
    "readiness_nominate": lambda c: services.readiness_nominate(
        actor=c.actor,
        emails=[c.enrollment.employee.email],
        closes_on=c.org.today() + datetime.timedelta(days=7),
    ),
}


@pytest.mark.parametrize("write", ASSESSMENT_WRITES)
def test_assessment_writes_refuse_a_coach_and_change_nothing(
    write, round_open, lnd, learner, coach, org, cohort, program
):
    from types import SimpleNamespace

    from programs import services as program_services
    from programs.models import ModuleKind

    submitted = Assessment.objects.get(rater=learner)
    answer_all(actor_for(learner, org), submitted, lambda item: 3)
    delegation = org.competencies.get(key="delegation")
    services.target_set(actor=lnd, program=program, competency=delegation, target=4)
    ctx = SimpleNamespace(
        actor=actor_for(coach, org),
        org=org,
        cohort=cohort,
        program=program,
        enrollment=round_open,
        submitted=submitted,
        delegation=delegation,
        quiz=program_services.module_save(
            actor=lnd,
            program=program,
            title="Quiz",
            kind=ModuleKind.KNOWLEDGE_CHECK,
            release_week=2,
        ),
    )
    before = _assessments_snapshot()
    with pytest.raises(PermissionDenied, match="needs the manage assessments permission"):
        ASSESSMENT_WRITES[write](ctx)
    assert _assessments_snapshot() == before


@pytest.fixture
def drafted_plan(round_open, learner, line_manager, org, program):
    program.competencies.set(org.competencies.filter(key__in=["delegation"]))
    submit_both(learner, line_manager, org, lambda i: 2, lambda i: 2)
    return services.plan_draft(actor=actor_for(learner, org), enrollment=round_open)


def _share(client, user, plan, shared: bool):
    client.force_login(user)
    return client.post(
        f"/api/v1/plans/{plan.enrollment_id}/share/",
        {"shared": shared},
        content_type="application/json",
    )


def test_a_learner_who_stops_sharing_hides_the_plan_from_their_manager_again(
    client, drafted_plan, learner, line_manager
):
    assert _share(client, learner, drafted_plan, True).status_code == 200
    assert _share(client, learner, drafted_plan, False).status_code == 200
    drafted_plan.refresh_from_db()
    assert drafted_plan.shared_with is None
    client.force_login(line_manager)
    assert client.get(f"/api/v1/plans/{drafted_plan.enrollment_id}/").status_code == 404


def test_only_the_learner_shares_their_plan_not_their_coach(
    client, drafted_plan, line_manager, org
):
    coach = drafted_plan.enrollment.coach
    assert _share(client, coach, drafted_plan, True).status_code == 404
    with pytest.raises(DevelopmentPlan.DoesNotExist):
        services.plan_share(actor=actor_for(coach, org), plan=drafted_plan, shared=True)
    drafted_plan.refresh_from_db()
    assert drafted_plan.shared_with is None
    assert not AuditEntry.objects.filter(action="plan.shared").exists()
    client.force_login(line_manager)
    assert client.get(f"/api/v1/plans/{drafted_plan.enrollment_id}/").status_code == 404


def test_sharing_without_a_line_manager_says_so_and_shares_nothing(
    client, drafted_plan, learner, learner_employee
):
    learner_employee.manager = None
    learner_employee.save(update_fields=["manager"])
    response = _share(client, learner, drafted_plan, True)
    assert response.status_code == 400
    assert "no line manager on the roster" in str(response.json())
    drafted_plan.refresh_from_db()
    assert drafted_plan.shared_with is None
    assert not AuditEntry.objects.filter(action="plan.shared").exists()


def test_an_lnd_manager_drafts_a_learners_plan_from_the_gaps(
    client, round_open, learner, line_manager, lnd_manager, org, program
):
    program.competencies.set(org.competencies.filter(key__in=["delegation"]))
    submit_both(learner, line_manager, org, lambda i: 2, lambda i: 2)
    client.force_login(lnd_manager)
    response = client.post(f"/api/v1/plans/{round_open.pk}/draft/")
    assert response.status_code == 201
    goals = PlanGoal.objects.filter(plan__enrollment=round_open)
    assert [g.competency.key for g in goals] == ["delegation"]


def test_results_page_names_the_goals_still_to_write_and_refuses_agreement(
    client, round_open, learner, line_manager, org
):
    round_open.cohort.program.competencies.set(
        org.competencies.filter(key__in=["delegation", "communication"])
    )
    submit_both(learner, line_manager, org, lambda item: 2, lambda item: 2)
    plan = services.plan_draft(actor=actor_for(learner, org), enrollment=round_open)
    first, second = plan.goals.order_by("position")
    assert services.GOAL_PLACEHOLDER in first.goal
    services.plan_goal_update(
        actor=actor_for(learner, org),
        goal=first,
        text="Hand one release to Priya.",
        practice_commitment="",
        due_date=first.due_date,
    )
    client.force_login(learner)
    url = reverse("assessments:results", args=[round_open.pk])
    page = client.get(url).content.decode()
    expected = (
        "Write each goal in your own words before agreeing; still to write: "
        f"{second.competency.name}."
    )
    assert expected in page
    assert page.count("Still to write</span>") == 1
    assert "I agree to this plan" not in page
    refused = client.post(reverse("assessments:plan_agree", args=[round_open.pk]), follow=True)
    assert expected in refused.content.decode()
    plan.refresh_from_db()
    assert plan.learner_agreed_at is None
