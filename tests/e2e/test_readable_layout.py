"""What the eye catches first: urgent to-do items in warning colours, each question's
legend inside its box, the L&D navigation on one row, charts as wide as their cards
with text as large as the page's, and tables that show they scroll."""

import datetime

import pytest
from playwright.sync_api import expect

from assessments import services as assessment_services
from assessments.models import Assessment
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

ERROR = "rgb(179, 38, 30)"  # --error
WARN = "rgb(138, 90, 0)"  # --warn


def colour(locator) -> str:
    return locator.evaluate("(el) => getComputedStyle(el).color")


def test_overdue_and_due_soon_pills_are_in_error_and_warning_colours(
    page, sign_in, lnd, cohort, enrollment, org, learner
):
    assessment_services.assessment_round_open(
        actor=lnd,
        cohort=cohort,
        phase="baseline",
        opens_on=org.today(),
        closes_on=org.today() + datetime.timedelta(days=2),
    )
    sign_in(learner.email, PASSWORD)
    todo = page.get_by_role("region", name="To do")
    overdue = todo.get_by_role("listitem").filter(has_text="Welcome").locator(".badge")
    due_soon = todo.get_by_role("listitem").filter(has_text="self-assessment").locator(".badge")
    expect(overdue).to_have_text("overdue")
    expect(due_soon).to_have_text("due soon")
    assert colour(overdue) == ERROR
    assert colour(due_soon) == WARN


def test_each_questions_legend_sits_inside_its_box(
    page, sign_in, lnd, cohort, enrollment, org, learner
):
    assessment_services.assessment_round_open(
        actor=lnd,
        cohort=cohort,
        phase="baseline",
        opens_on=org.today(),
        closes_on=org.today() + datetime.timedelta(days=14),
    )
    own = Assessment.objects.get(rater=learner)
    sign_in(learner.email, PASSWORD)
    page.goto(f"/assessments/{own.pk}/")
    boxes = page.locator("fieldset.item")
    expect(boxes.first).to_be_visible()
    for i in range(min(boxes.count(), 3)):
        box = boxes.nth(i).bounding_box()
        legend = boxes.nth(i).locator("> legend").bounding_box()
        assert legend["y"] >= box["y"] + 1, "the legend crosses the box's top border"
        assert legend["x"] >= box["x"] + 1


@pytest.fixture
def demo():
    from people.demo import demo_load_all
    from people.models import Organization

    demo_load_all()
    return Organization.objects.get(slug="acme")


DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def test_the_lnd_header_fits_one_row_at_1366(page, sign_in, demo):
    page.set_viewport_size(DESKTOP)
    sign_in("lnd@acme.example", "lodestar-demo")
    links = page.locator(".site-header .nav a")
    assert links.count() >= 10
    tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}
    sign_out = page.get_by_role("button", name="Sign out").bounding_box()
    assert len(tops) == 1, f"the navigation wraps: rows at {sorted(tops)}"
    assert abs(sign_out["y"] - min(tops)) < 12, "the account area sits on a row of its own"
    assert page.locator(".site-header").bounding_box()["height"] < 70


def scroll_hint(wrap) -> dict:
    return wrap.evaluate(
        """(el) => ({
            overflows: el.scrollWidth > el.clientWidth,
            attachment: getComputedStyle(el).backgroundAttachment,
            shadows: (getComputedStyle(el).backgroundImage.match(/radial-gradient/g) || []).length,
            table: getComputedStyle(el.querySelector('table')).backgroundColor,
        })"""
    )


def headers(wrap) -> list[str]:
    return [h.strip() for h in wrap.locator("thead th").all_inner_texts()]


def test_on_a_phone_tables_put_the_key_column_first_and_show_they_scroll(page, sign_in, demo):
    page.set_viewport_size(PHONE)
    sign_in("manager@acme.example", "lodestar-demo")
    page.goto("/team/")
    wrap = page.locator(".table-wrap").first
    assert headers(wrap)[:2] == ["Learner", "Development plan"]
    hint = scroll_hint(wrap)
    assert hint["overflows"], "the team table fits a phone: nothing to hint at"
    # Covers that scroll with the content over shadows fixed at the box's edges.
    assert hint["attachment"].startswith("local, local, scroll, scroll")
    assert hint["shadows"] == 2 and hint["table"] == "rgba(0, 0, 0, 0)"
    # The development plan link is on screen without scrolling.
    link = wrap.locator("tbody tr").first.locator("td").nth(1)
    box = link.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"]


CHART_TEXT = """(svg) => {
  const sizes = [...svg.querySelectorAll('text')].map((t) => t.getBoundingClientRect().height);
  return {min: Math.min(...sizes), max: Math.max(...sizes)};
}"""


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_the_results_chart_fills_its_card_with_text_the_size_of_the_page(
    page, sign_in, demo, viewport
):
    from programs.models import Enrollment

    mine = Enrollment.objects.filter(employee__email="learner@acme.example").first()
    page.set_viewport_size(viewport)
    sign_in("learner@acme.example", "lodestar-demo")
    page.goto(f"/assessments/results/{mine.pk}/")
    svg = page.locator("#scores-chart > svg")
    card = page.locator("section.card", has=svg)
    inner = card.evaluate(
        "(el) => el.clientWidth - parseFloat(getComputedStyle(el).paddingLeft)"
        " - parseFloat(getComputedStyle(el).paddingRight)"
    )
    assert svg.bounding_box()["width"] >= 0.98 * inner, "the chart leaves the card half empty"
    body = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    text = svg.evaluate(CHART_TEXT)
    # A line box of 14 px text is about 16-17 px high: no larger than the page's text, and
    # no smaller on a phone.
    assert text["min"] >= 14 and text["max"] <= body * 1.25, text
    # The page's table shows the numbers; the chart does not repeat them behind a toggle.
    assert page.get_by_text("Show the numbers").count() == 0
