"""The executive's headline figures: learners enrolled, completion and assessment change
per cohort and in total, where a cohort with fewer than five learners with results shows
'too few to report' and is left out of the assessment-change total."""

import datetime
import re
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    AssessmentTemplate,
    Phase,
)
from assessments.services import assessment_library_load
from assessments.services.rounds import SELF_TEMPLATE
from metrics.selectors import change_text, headline_figures
from programs import services
from programs.models import ModuleProgress, ProgressStatus
from tests.factories import EmployeeFactory, UserFactory


def give_self_assessment(enrollment, phase: str, value: int) -> None:
    """A submitted self-assessment answering every item with `value`."""
    template = AssessmentTemplate.objects.get(
        organization=enrollment.cohort.organization, key=SELF_TEMPLATE
    )
    employee = enrollment.employee
    if employee.user_id is None:
        employee.user = UserFactory(email=employee.email)
        employee.save(update_fields=["user"])
    assessment = Assessment.objects.create(
        organization=enrollment.cohort.organization,
        template=template,
        subject=employee,
        rater=employee.user,
        enrollment=enrollment,
        phase=phase,
        opens_on=enrollment.cohort.start_date,
        closes_on=enrollment.cohort.start_date + datetime.timedelta(days=30),
        status=AssessmentStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    Answer.objects.bulk_create(
        Answer(assessment=assessment, item=item, value=value) for item in template.items.all()
    )


def build_cohort(lnd, template, org, *, name, starts_in, learners):
    """A cohort of the template's program with one learner per entry of `learners`:
    (modules completed, baseline score or None, end-of-program score or None)."""
    assessment_library_load(organization=org)
    cohort = services.cohort_save(
        actor=lnd,
        program=template,
        name=name,
        start_date=org.today() + datetime.timedelta(days=starts_in),
        end_date=None,
        capacity=50,
    )
    enrollments = services.enrollment_add(
        actor=lnd,
        cohort=cohort,
        employees=EmployeeFactory.create_batch(len(learners), organization=org),
        notify=False,
    )
    modules = list(cohort.program.modules.order_by("release_week", "position", "id"))
    for enrollment, (completed, baseline, final) in zip(enrollments, learners, strict=True):
        ModuleProgress.objects.bulk_create(
            ModuleProgress(
                enrollment=enrollment,
                module=module,
                status=ProgressStatus.COMPLETED,
                completed_at=timezone.now(),
            )
            for module in modules[:completed]
        )
        if baseline is not None:
            give_self_assessment(enrollment, Phase.BASELINE, baseline)
        if final is not None:
            give_self_assessment(enrollment, Phase.FINAL, final)
    return cohort


@pytest.fixture
def cohorts(lnd, template, org):
    """Autumn: six learners, five with a change (+1, +1, +1, 0, 0: a mean of +0.6), half
    of the released modules done. Winter: four learners, each up by 4 (too few to report),
    a quarter done. Upcoming: two learners, not started. The template releases three
    modules by day ten (weeks 1 and 2)."""
    autumn = build_cohort(
        lnd,
        template,
        org,
        name="Autumn",
        starts_in=-10,
        learners=[(3, 2, 3), (3, 2, 3), (3, 2, 3), (0, 3, 3), (0, 3, 3), (0, 4, None)],
    )
    winter = build_cohort(
        lnd, template, org, name="Winter", starts_in=-12, learners=[(3, 1, 5)] + [(0, 1, 5)] * 3
    )
    upcoming = build_cohort(
        lnd, template, org, name="Upcoming", starts_in=20, learners=[(0, None, None)] * 2
    )
    return autumn, winter, upcoming


def test_figures_per_cohort_and_in_total(cohorts, org):
    autumn, winter, upcoming = cohorts
    figures = headline_figures(organization=org)
    assert [
        (row.cohort, row.enrolled, row.completion, row.with_results, row.change)
        for row in figures.cohorts
    ] == [
        (upcoming, 2, None, 0, None),
        (autumn, 6, 50.0, 5, Decimal("0.60")),
        (winter, 4, 25.0, 4, None),
    ]
    assert figures.enrolled == 12
    assert figures.completion == 40.0  # 12 of 30 released modules, every cohort counted
    # Winter's four (each +4) would make it +2.1; they are left out.
    assert figures.change == Decimal("0.60")
    assert figures.change_learners == 5
    # Upcoming has no results to leave out.
    assert [row.cohort for row in figures.too_few] == [winter]


def test_a_fifth_learner_with_results_makes_a_cohort_reportable(lnd, cohorts, org):
    _autumn, winter, _upcoming = cohorts
    [fifth] = services.enrollment_add(
        actor=lnd, cohort=winter, employees=[EmployeeFactory(organization=org)], notify=False
    )
    give_self_assessment(fifth, Phase.BASELINE, 1)
    give_self_assessment(fifth, Phase.FINAL, 5)
    figures = headline_figures(organization=org)
    assert figures.cohorts[2].change == Decimal("4.00")
    # (3 x 1 + 2 x 0 + 5 x 4) / 10 learners
    assert figures.change == Decimal("2.30")
    assert figures.change_learners == 10


@pytest.mark.parametrize(
    ("change", "text"),
    [
        (Decimal("0.60"), "+0.6"),
        (Decimal("0.25"), "+0.3"),  # half up, as a reader rounds
        (Decimal("-0.25"), "-0.3"),
        (Decimal("0.04"), "0.0"),
        (Decimal("-0.04"), "0.0"),
        (Decimal("2.00"), "+2.0"),
    ],
)
def test_a_change_is_shown_to_one_decimal_with_its_sign(change, text):
    assert change_text(change) == text


def figures_on(html: str) -> dict[str, str]:
    block = html.split('id="exec-heading"', 1)[1].split("</section>", 1)[0]
    return {
        unescape(dt): unescape(re.sub(r"<[^>]+>", "", dd)).strip()
        for dt, dd in re.findall(r"<dt>([^<]+)</dt><dd>(.*?)</dd>", block)
    }


def cohort_rows(html: str) -> list[list[str]]:
    block = html.split('id="exec-heading"', 1)[1].split("</section>", 1)[0]
    body = block.split('class="impact-table"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", cell))).strip() for cell in cells]
        for cells in (
            re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
            for row in re.findall(r"<tr>(.*?)</tr>", body)
        )
    ]


def when(cohort) -> str:
    return f"{cohort.start_date.day} {cohort.start_date:%b %Y}"


def test_the_executive_sees_the_figures_and_which_cohorts_are_too_few(
    client, cohorts, executive, org
):
    autumn, winter, upcoming = cohorts
    client.force_login(executive)
    html = client.get(reverse("home")).content.decode()
    assert figures_on(html) == {
        "Learners enrolled": "12",
        "Completion": "40%",
        "Assessment change": "+0.6",
    }
    assert cohort_rows(html) == [
        # Cohort, assessment change, completion, enrolled, learners with both results:
        # the key figures first, where a phone shows them before the table scrolls.
        [f"Upcoming from {when(upcoming)}", "no assessments", "not started", "2", "0"],
        [f"Autumn from {when(autumn)}", "+0.6", "50%", "6", "5"],
        [f"Winter from {when(winter)}", "in progress", "25%", "4", "4"],
    ]
    assert "Learners with baseline and end results</th>" in html
    assert (
        "Left out of the assessment change: Winter. Each has fewer than 5 learners "
        "with baseline and end results" in html
    )
    assert "over 5 learners" in html
    # A text alternative for the chart, and no one's name or answers.
    desc = html.split('<desc id="impact-chart-desc">', 1)[1].split("</desc>", 1)[0]
    # The chart's text alternative; Upcoming has not begun, so it has no bar.
    assert unescape(desc) == (
        "Completion by cohort: share of released modules completed. Autumn: 50%; Winter: 25%."
    )
    for enrollment in autumn.enrollments.all():
        assert enrollment.employee.full_name not in html


def test_with_every_cohort_too_small_there_is_no_change_total(
    lnd, template, org, client, executive
):
    build_cohort(lnd, template, org, name="Tiny", starts_in=-10, learners=[(1, 2, 4)] * 4)
    client.force_login(executive)
    html = client.get(reverse("home")).content.decode()
    assert figures_on(html)["Assessment change"] == "too few to report"
    assert "Left out of the assessment change: Tiny." in html


def test_an_organisation_without_cohorts_is_told_what_will_appear(client, executive, org):
    client.force_login(executive)
    html = client.get(reverse("home")).content.decode()
    assert "No cohorts yet. Figures appear here once your L&amp;D team opens one" in html
    assert "<dt>Learners enrolled</dt>" not in html


def test_only_executives_see_the_figures(client, cohorts, lnd_manager, org):
    client.force_login(lnd_manager)
    assert 'id="exec-heading"' not in client.get(reverse("home")).content.decode()


def test_another_organisations_cohorts_are_not_counted(cohorts, other_org):
    assert headline_figures(organization=other_org).cohorts == []


def _grow(lnd, template, org):
    build_cohort(
        lnd,
        template,
        org,
        name="Spring",
        starts_in=-11,
        learners=[(2, 3, 4)] * 7 + [(1, 2, None)] * 3,
    )


def test_the_figures_take_the_same_queries_for_more_cohorts_and_learners(
    lnd, template, cohorts, org, django_assert_num_queries
):
    with django_assert_num_queries(11):
        headline_figures(organization=org)
    _grow(lnd, template, org)
    with django_assert_num_queries(11):
        figures = headline_figures(organization=org)
    assert len(figures.cohorts) == 4


def test_the_executive_home_takes_the_same_queries_at_two_sizes(
    client, lnd, template, cohorts, executive, org
):
    client.force_login(executive)
    client.get(reverse("home"))  # warm the session and the template caches

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("home")).status_code == 200
        return len(queries)

    small = count()
    _grow(lnd, template, org)
    assert count() == small


def test_an_ended_cohort_with_too_few_results_says_so_and_the_copy_explains_the_figures(
    lnd, template, org, client, executive
):
    tiny = build_cohort(lnd, template, org, name="Tiny", starts_in=-100, learners=[(1, 2, 4)] * 4)
    tiny.end_date = org.today() - datetime.timedelta(days=1)
    tiny.save(update_fields=["end_date"])
    client.force_login(executive)
    html = client.get(reverse("home")).content.decode()
    assert cohort_rows(html)[0][1] == "too few to report"
    assert '<h2 id="exec-heading">Program impact</h2>' in html
    assert "Programme" not in html
    assert "will replace these figures" not in html
    assert "Completion counts only the modules released so far" in html


def test_a_chart_of_one_measure_names_it_once_in_its_title(cohorts, client, executive):
    client.force_login(executive)
    html = client.get(reverse("home")).content.decode()
    chart = html.split('id="impact-chart"', 1)[1].split("</svg>", 1)[0]
    assert "Released modules completed" not in chart
    shown = re.findall(r'class="chart-label chart-title"[^>]*>([^<]+)</text>', chart)
    assert shown == ["Completion by cohort: share of released modules completed"]
    labels = re.findall(r'class="chart-value"[^>]*>([^<]+)</text>', chart)
    assert labels == ["50%", "25%"]
