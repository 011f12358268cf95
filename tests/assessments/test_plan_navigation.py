"""How people reach a development plan: the learner's "Development plan" menu entry, the
line manager's team page, which links to a plan only when it is shared with them, and the
learner's progress page (results and plan for their coach and L&D)."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import DevelopmentPlan
from programs import services as program_services
from programs.models import Audience
from tests.factories import EmployeeFactory


def nav_labels(client, user) -> list[str]:
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    nav = html.split('aria-label="Main"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav)


def test_only_learners_have_a_development_plan_entry(
    client, enrollment, learner, line_manager, coach, lnd_manager, executive
):
    assert "Development plan" in nav_labels(client, learner)
    for user in (line_manager, coach, lnd_manager, executive):
        assert "Development plan" not in nav_labels(client, user)
    client.force_login(coach)
    assert client.get(reverse("assessments:my_plan")).status_code == 403


def test_a_learner_in_one_program_goes_straight_to_their_plan(client, enrollment, learner):
    client.force_login(learner)
    response = client.get(reverse("assessments:my_plan"))
    assert response.status_code == 302
    assert response.url == reverse("assessments:results", args=[enrollment.pk])


def test_a_learner_in_two_programs_chooses_between_their_plans(
    client, lnd, enrollment, learner, learner_employee, org
):
    other = program_services.cohort_save(
        actor=lnd,
        program=program_services.program_save(
            actor=lnd, title="Leading leaders", audience=Audience.NEW_MANAGERS, duration_weeks=6
        ),
        name="Leading leaders · Autumn",  # named after its program: not named twice
        start_date=org.today(),
        end_date=None,
        capacity=5,
        coach_ids=[],
    )
    [second] = program_services.enrollment_add(
        actor=lnd, cohort=other, employees=[learner_employee], notify=False
    )
    client.force_login(learner)
    html = client.get(reverse("assessments:my_plan")).content.decode()
    links = re.findall(r'<a href="(/assessments/results/\d+/)">([^<]+)</a>', html)
    assert sorted(links) == sorted(
        [
            (reverse("assessments:results", args=[enrollment.pk]), "New managers · Spring cohort"),
            (reverse("assessments:results", args=[second.pk]), "Leading leaders · Autumn"),
        ]
    )


def test_a_learner_in_no_program_is_told_so(client, learner):
    client.force_login(learner)
    html = client.get(reverse("assessments:my_plan")).content.decode()
    assert "You are not in a program at the moment." in html


def team_plan_links(client, user) -> list[tuple[str, str]]:
    client.force_login(user)
    html = unescape(client.get(reverse("follow:team_progress")).content.decode())
    return re.findall(r'<a href="(/assessments/results/\d+/)">([^<]+)</a>', html)


@pytest.fixture
def plan(enrollment):
    return DevelopmentPlan.objects.create(enrollment=enrollment)


def test_the_team_page_links_to_a_plan_only_once_it_is_shared_with_the_manager(
    client, plan, enrollment, learner, line_manager, line_manager_employee
):
    assert team_plan_links(client, line_manager) == []
    client.force_login(line_manager)
    assert "Not shared with you" in client.get(reverse("follow:team_progress")).content.decode()

    plan.shared_with = line_manager_employee
    plan.save(update_fields=["shared_with"])
    link = reverse("assessments:results", args=[enrollment.pk])
    assert team_plan_links(client, line_manager) == [(link, f"{learner.full_name}'s plan")]
    assert client.get(link).status_code == 200


def test_a_former_line_manager_gets_no_link_even_to_a_plan_shared_with_them(
    client, plan, enrollment, former_line_manager, former_line_manager_employee, line_manager
):
    plan.shared_with = former_line_manager_employee
    plan.save(update_fields=["shared_with"])
    assert team_plan_links(client, former_line_manager) == []
    assert team_plan_links(client, line_manager) == []


def test_the_team_page_makes_the_same_queries_for_two_reports_or_six(
    client, lnd, cohort, org, line_manager, line_manager_employee, django_assert_num_queries
):
    def add_reports(n):
        people = EmployeeFactory.create_batch(n, organization=org, manager=line_manager_employee)
        enrolled = program_services.enrollment_add(
            actor=lnd, cohort=cohort, employees=people, notify=False
        )
        for e in enrolled:
            DevelopmentPlan.objects.create(enrollment=e, shared_with=line_manager_employee)

    client.force_login(line_manager)
    add_reports(2)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("follow:team_progress"))
    add_reports(4)
    with django_assert_num_queries(len(small)):
        html = client.get(reverse("follow:team_progress")).content.decode()
    assert unescape(html).count("'s plan</a>") == 6


def learner_page_plan_links(client, user, enrollment) -> list[tuple[str, str]]:
    client.force_login(user)
    html = client.get(reverse("follow:learner", args=[enrollment.pk])).content.decode()
    return re.findall(r'<a href="(/assessments/results/\d+/)">([^<]+)</a>', unescape(html))


def test_the_learner_page_links_the_coach_and_ld_to_results_and_plan(
    client, enrollment, lnd_manager, line_manager
):
    link = reverse("assessments:results", args=[enrollment.pk])
    expected = [(link, "Results and development plan")]
    assert learner_page_plan_links(client, enrollment.coach, enrollment) == expected
    assert client.get(link).status_code == 200
    assert learner_page_plan_links(client, lnd_manager, enrollment) == expected
    # The line manager reads the plan only once it is shared with them.
    assert learner_page_plan_links(client, line_manager, enrollment) == []


def test_the_learner_page_links_the_line_manager_to_a_plan_shared_with_them(
    client, plan, enrollment, learner, line_manager, line_manager_employee
):
    plan.shared_with = line_manager_employee
    plan.save(update_fields=["shared_with"])
    link = reverse("assessments:results", args=[enrollment.pk])
    assert learner_page_plan_links(client, line_manager, enrollment) == [
        (link, f"{learner.full_name}'s plan")
    ]
