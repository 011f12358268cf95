"""A cohort's completion over the weeks, and the L&D home's cohorts at a glance."""

import datetime
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programs import completion, selectors, services
from programs.models import Enrollment, ModuleProgress, ProgressStatus
from tests.factories import EmployeeFactory
from tests.programs.conftest import module_named


def complete(enrollment, module, days_ago: int):
    ModuleProgress.objects.create(
        enrollment=enrollment,
        module=module,
        status=ProgressStatus.COMPLETED,
        completed_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


def chart_desc(html: str, chart_id: str) -> str:
    match = re.search(rf'<desc id="{chart_id}-desc">(.*?)</desc>', html, re.S)
    return unescape(match.group(1)) if match else ""


@pytest.fixture
def progress(program, enrollment, peer_enrollment):
    """The cohort began ten days ago: week 1 has two modules, week 2 (three days old) one.
    The learner did the welcome in week 1 and the role-play this week; the peer nothing."""
    complete(enrollment, module_named(program, "Welcome"), days_ago=8)
    complete(enrollment, module_named(program, "Feedback role-play"), days_ago=1)
    return enrollment


def test_each_week_counts_what_was_released_and_done_by_its_end(cohort, progress):
    weeks = completion.cohort_weekly_completion(cohort=cohort)
    assert [w.week for w in weeks] == list(range(1, 13))
    assert weeks[0].percent == pytest.approx(100 * 1 / 4), "1 of 2 modules x 2 learners"
    assert weeks[1].percent == pytest.approx(100 * 2 / 6), "2 of 3 modules x 2 learners"
    assert [w.percent for w in weeks[2:]] == [None] * 10, "weeks still to come"


def test_withdrawn_learners_and_other_cohorts_do_not_count(lnd, cohort, progress, peer_enrollment):
    services.enrollment_withdraw(actor=lnd, enrollment=peer_enrollment)
    weeks = completion.cohort_weekly_completion(cohort=cohort)
    assert weeks[0].percent == 50 and weeks[1].percent == pytest.approx(100 * 2 / 3)


def test_a_cohort_without_learners_has_nothing_to_show(cohort):
    assert {w.percent for w in completion.cohort_weekly_completion(cohort=cohort)} == {None}


@pytest.mark.parametrize("learners", [3, 60])
def test_weekly_completion_is_four_queries_for_any_number_of_learners(
    lnd, cohort, org, program, learners
):
    cohort.capacity = 500
    cohort.save()
    enrollments = Enrollment.objects.bulk_create(
        Enrollment(cohort=cohort, employee=p)
        for p in EmployeeFactory.create_batch(learners, organization=org)
    )
    for enrollment in enrollments:
        complete(enrollment, module_named(program, "Welcome"), days_ago=8)
    fresh = selectors.cohort_get(organization=org, pk=cohort.pk)
    with CaptureQueriesContext(connection) as ctx:
        weeks = completion.cohort_weekly_completion(cohort=fresh)
    # Organisation, modules, enrolments, completions.
    assert len(ctx.captured_queries) == 4
    assert weeks[0].percent == 50


def test_the_cohort_page_draws_completion_by_week_for_lnd(client, lnd_manager, cohort, progress):
    client.force_login(lnd_manager)
    html = client.get(reverse("programs:cohort_detail", args=[cohort.pk])).content.decode()
    assert re.search(r'<svg [^>]*role="img"[^>]*aria-labelledby="completion-chart-title', html)
    text = chart_desc(html, "completion-chart")
    assert "Week 1: 25%; Week 2: 33%; Week 3: none yet" in text
    assert "<summary>Show the numbers</summary>" in html


def test_learners_and_coaches_do_not_see_the_cohort_page(client, learner, coach, cohort, progress):
    for user in (learner, coach):
        client.force_login(user)
        response = client.get(reverse("programs:cohort_detail", args=[cohort.pk]))
        assert response.status_code in (403, 404)
        assert "completion-chart" not in response.content.decode()


def test_cohorts_at_a_glance_counts_completion_and_learners_behind(org, cohort, progress):
    [glance] = completion.cohorts_at_a_glance(organization=org, cohorts=[cohort])
    assert glance.learners == 2
    assert glance.percent == pytest.approx(100 * 2 / 6), "3 released modules x 2 learners"
    assert glance.behind == 1, "the peer has week 1 overdue; the learner has done it"


def test_cohorts_at_a_glance_ignores_another_organisations_cohort(org, other_org, cohort):
    assert completion.cohorts_at_a_glance(organization=other_org, cohorts=[cohort]) == []


def home(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("home")).content.decode()


def test_the_lnd_home_draws_cohorts_at_a_glance(client, lnd_manager, learner, cohort, progress):
    html = home(client, lnd_manager)
    assert re.search(r'<svg [^>]*role="img"[^>]*aria-labelledby="cohorts-chart-title', html)
    assert "Spring cohort: Completion 33%, Learners behind 1 of 2" in chart_desc(
        html, "cohorts-chart"
    )
    assert "cohorts-chart" not in home(client, learner)


@pytest.mark.parametrize("cohorts", [1, 5])
def test_cohorts_at_a_glance_is_three_queries_for_any_number_of_cohorts(
    lnd, template, org, cohorts
):
    made = []
    for i in range(cohorts):
        cohort = services.cohort_save(
            actor=lnd,
            program=template,
            name=f"Cohort {i}",
            start_date=org.today() - datetime.timedelta(days=10),
            end_date=None,
            capacity=10,
            coach_ids=[],
        )
        services.enrollment_add(
            actor=lnd, cohort=cohort, employees=EmployeeFactory.create_batch(3, organization=org)
        )
        made.append(cohort)
    listed = list(selectors.cohort_list(organization=org))
    with CaptureQueriesContext(connection) as ctx:
        glance = completion.cohorts_at_a_glance(organization=org, cohorts=listed)
    assert len(ctx.captured_queries) == 3
    assert [g.behind for g in glance] == [3] * cohorts
