"""Each role's home page makes the same number of queries however much there is to do:
the to-do items and cards are read in batches, never one query per item."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services as assessment_services
from assessments.models import DevelopmentPlan, PlanGoal
from programs import services
from programs.models import ModuleKind
from tests.factories import EmployeeFactory, UserFactory


def queries(client, user) -> tuple[int, str]:
    client.force_login(user)
    client.get(reverse("home"))  # warm the session and caches
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(reverse("home")).content.decode()
    return len(ctx), html


@pytest.fixture
def roomy(cohort):
    cohort.capacity = 50
    cohort.save(update_fields=["capacity"])
    return cohort


def plan_with_goal(enrollment, org, **fields) -> DevelopmentPlan:
    plan = DevelopmentPlan.objects.create(enrollment=enrollment, **fields)
    PlanGoal.objects.create(
        plan=plan,
        position=0,
        competency=org.competencies.first(),
        goal="Grow",
        due_date=enrollment.cohort.end_date,
        edited_at=plan.created_at,
    )
    return plan


def add_reports(n, *, lnd, cohort, org, manager, coach):
    """n learners reporting to `manager`, coached by `coach`, each with a manager
    assessment to fill in and a plan the learner agreed and shared with the manager."""
    people = [
        EmployeeFactory(organization=org, manager=manager, user=UserFactory()) for _ in range(n)
    ]
    enrolled = services.enrollment_add(actor=lnd, cohort=cohort, employees=people, notify=False)
    assessment_services.assessment_round_open(
        actor=lnd, cohort=cohort, phase="baseline", opens_on=org.today(), closes_on=org.today()
    )
    for enrollment in enrolled:
        assert enrollment.coach == coach
        plan_with_goal(
            enrollment,
            org,
            shared_with=manager,
            learner_agreed_at=datetime.datetime.now(datetime.UTC),
        )


def test_the_line_managers_and_coachs_homes_cost_the_same_for_two_reports_or_seven(
    client, lnd, roomy, org, line_manager, line_manager_employee, coach
):
    roomy.coaches.set([coach])
    add_reports(2, lnd=lnd, cohort=roomy, org=org, manager=line_manager_employee, coach=coach)
    manager_small, _ = queries(client, line_manager)
    coach_small, _ = queries(client, coach)
    add_reports(5, lnd=lnd, cohort=roomy, org=org, manager=line_manager_employee, coach=coach)
    manager_large, manager_html = queries(client, line_manager)
    coach_large, coach_html = queries(client, coach)
    assert manager_html.count("development plan</a>") == 7
    assert manager_html.count(": Leadership assessment (line manager)</a>") == 7
    assert coach_html.count("development plan</a>") == 7
    assert coach_html.count(": 2 modules overdue</a>") == 7
    assert (manager_large, coach_large) == (manager_small, coach_small)


def test_the_learners_home_costs_the_same_for_a_small_program_or_a_large_one(
    client, lnd, roomy, program, enrollment, learner, org
):
    plan_with_goal(enrollment, org)
    assessment_services.assessment_round_open(
        actor=lnd, cohort=roomy, phase="baseline", opens_on=org.today(), closes_on=org.today()
    )
    small, html = queries(client, learner)
    assert "Agree your development plan for New managers" in html
    for week in (1, 2, 2):
        services.module_save(
            actor=lnd,
            program=program,
            title=f"Extra week {week}",
            kind=ModuleKind.LESSON,
            release_week=week,
            body="More.",
        )
    services.enrollment_add(
        actor=lnd,
        cohort=roomy,
        employees=EmployeeFactory.create_batch(5, organization=org),
        notify=False,
    )
    large, html = queries(client, learner)
    assert html.count("Extra week") == 3
    assert large == small
