"""Edge cases found in review of assessments."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments import selectors, services
from assessments.checks import STARTER
from assessments.models import Assessment, AssessmentTemplate, TargetLevel
from people.models import AuditEntry
from programs import services as program_services
from programs.models import ModuleKind
from tests.assessments.test_assessments import answer_all, submit_both
from tests.conftest import _persona, actor_for


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
    assert "2.5" not in page and "gap" not in page.lower()
    assert all("gap" not in goal for goal in api["goals"])
    assert AuditEntry.objects.filter(action="plan.shared").exists()


def test_a_former_manager_cannot_answer_and_the_newest_manager_view_counts(
    lnd, cohort, round_open, learner, line_manager, org
):
    old = Assessment.objects.get(rater=line_manager)
    new_manager = _persona(org, "newboss@acme.test")[1]
    learner_record = round_open.employee
    learner_record.manager = new_manager
    learner_record.save()
    with pytest.raises(ValidationError, match="no longer"):
        answer_all(actor_for(line_manager, org), old, lambda item: 1)
    Assessment.objects.filter(pk=old.pk).delete()
    services.assessment_round_open(
        actor=lnd, cohort=cohort, phase="baseline", opens_on=org.today(), closes_on=org.today()
    )
    answer_all(
        actor_for(new_manager.user, org),
        Assessment.objects.get(rater=new_manager.user),
        lambda item: 5,
    )
    assert {s.manager_score for s in selectors.learner_scores(enrollment=round_open)} == {5.0}


def test_submitting_needs_every_competency_answered(round_open, learner, org):
    own = Assessment.objects.get(rater=learner)
    first = own.template.items.first()
    with pytest.raises(ValidationError, match="each competency"):
        services.assessment_answer(
            actor=actor_for(learner, org), assessment=own, answers={first.key: 3}, submit=True
        )
    own.refresh_from_db()
    assert own.status == "draft"


def test_reopening_extends_a_closed_window(lnd, round_open, learner, org):
    own = Assessment.objects.get(rater=learner)
    answer_all(actor_for(learner, org), own, lambda item: 3)
    Assessment.objects.filter(pk=own.pk).update(closes_on=org.today() - datetime.timedelta(days=3))
    services.assessment_reopen(actor=lnd, assessment=own, reason="Typo")
    own.refresh_from_db()
    assert own.closes_on == org.today() + datetime.timedelta(days=7)
    answer_all(actor_for(learner, org), own, lambda item: 4)


def test_no_plan_until_the_manager_has_answered_too(round_open, learner, org):
    answer_all(actor_for(learner, org), Assessment.objects.get(rater=learner), lambda item: 1)
    with pytest.raises(ValidationError, match="Waiting for Manager's assessment, due "):
        services.plan_draft(actor=actor_for(learner, org), enrollment=round_open)


def test_goals_are_due_from_today_and_edited_goals_survive(round_open, learner, line_manager, org):
    round_open.cohort.program.competencies.set(org.competencies.all())
    submit_both(learner, line_manager, org, lambda item: 1, lambda item: 1)
    actor = actor_for(learner, org)
    plan = services.plan_draft(actor=actor, enrollment=round_open)
    assert all(g.due_date >= org.today() for g in plan.goals.all())
    goal = plan.goals.first()
    services.plan_goal_update(
        actor=actor, goal=goal, text="Mine", practice_commitment="", due_date=goal.due_date
    )
    with pytest.raises(ValidationError, match="already edited"):
        services.plan_draft(actor=actor, enrollment=round_open)


def test_knowledge_checks_and_targets_travel_with_the_program_copy(lnd, template, org, coach):
    quiz = program_services.module_save(
        actor=lnd, program=template, title="Quiz", kind=ModuleKind.KNOWLEDGE_CHECK, release_week=2
    )
    services.knowledge_check_publish(actor=lnd, module=quiz, content=STARTER)
    services.target_set(
        actor=lnd, program=template, competency=org.competencies.get(key="delegation"), target=4.5
    )
    cohort = program_services.cohort_save(
        actor=lnd, program=template, name="Copy", start_date=org.today(), end_date=None, capacity=3
    )
    copied = cohort.program.modules.get(title="Quiz")
    assert services.knowledge_check_for(module=copied).items.count() == 2
    assert TargetLevel.objects.get(program=cohort.program).target == 4.5
    services.target_set(
        actor=lnd, program=template, competency=org.competencies.get(key="delegation"), target=2
    )
    assert TargetLevel.objects.get(program=cohort.program).target == 4.5, (
        "the template's later edits stay there"
    )


def test_answered_count_is_not_multiplied(client, round_open, learner, org):
    own = Assessment.objects.get(rater=learner)
    first = own.template.items.first()
    services.assessment_answer(
        actor=actor_for(learner, org), assessment=own, answers={first.key: 3}, submit=False
    )
    client.force_login(learner)
    assert b"1 of 24 answered" in client.get(reverse("assessments:mine")).content


def test_viewing_someone_elses_results_is_audited(client, round_open, lnd_manager, learner):
    client.force_login(learner)
    client.get(reverse("assessments:results", args=[round_open.pk]))
    assert not AuditEntry.objects.filter(action="assessment.results_viewed").exists()
    client.force_login(lnd_manager)
    client.get(reverse("assessments:results", args=[round_open.pk]))
    assert AuditEntry.objects.filter(action="assessment.results_viewed", actor=lnd_manager).exists()


def test_readiness_api_nominates_and_lists(client, lnd_manager, org, line_manager_employee):
    from tests.factories import EmployeeFactory

    person = EmployeeFactory(organization=org, manager=line_manager_employee)
    client.force_login(lnd_manager)
    bad = client.post(
        "/api/v1/readiness/",
        {"emails": ["nobody@x.test"], "closes_on": str(org.today())},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "emails" in bad.json()
    ok = client.post(
        "/api/v1/readiness/",
        {"emails": [person.email], "closes_on": str(org.today())},
        content_type="application/json",
    )
    assert ok.status_code == 201
    assert client.get("/api/v1/readiness/").json()[0]["status"] == "draft"


@pytest.mark.parametrize("extra", [1, 12])
def test_my_assessments_api_queries_do_not_grow(
    client, lnd, cohort, round_open, learner, org, extra, django_assert_num_queries
):
    from tests.factories import EmployeeFactory

    cohort.capacity = 100
    cohort.save()
    people = EmployeeFactory.create_batch(
        extra, organization=org, manager=round_open.employee.manager
    )
    program_services.enrollment_add(actor=lnd, cohort=cohort, employees=people, notify=False)
    services.assessment_round_open(
        actor=lnd, cohort=cohort, phase="baseline", opens_on=org.today(), closes_on=org.today()
    )
    client.force_login(round_open.employee.manager.user)  # rates 1 + extra learners
    with django_assert_num_queries(9):
        response = client.get("/api/v1/assessments/")
    assert response.json()["count"] == 1 + extra


def test_loading_the_questionnaires_again_adds_nothing(org, lnd):
    services.assessment_library_load(organization=org)
    before = AssessmentTemplate.objects.filter(organization=org).count()
    assert before == 3
    assert services.assessment_library_load(organization=org) == 0
    assert AssessmentTemplate.objects.filter(organization=org).count() == before


def test_a_round_for_a_cohort_that_started_long_ago_defaults_to_an_open_window(lnd, cohort, org):
    cohort.start_date = org.today() - datetime.timedelta(weeks=10)
    cohort.end_date = org.today() + datetime.timedelta(weeks=2)
    cohort.save()
    assert selectors.default_round_close(cohort=cohort) == org.today() + datetime.timedelta(days=14)
