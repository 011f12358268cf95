"""The three charts render in Chromium under the production CSP and fit a 390 px phone."""

import pytest
from django.conf import settings
from django.urls import reverse

from assessments.demo import demo_assessments_load
from programs.models import Cohort, Enrollment

pytestmark = pytest.mark.django_db(transaction=True)

# Recorded before any page script runs; Playwright injects this outside the page's CSP.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


@pytest.fixture
def acme():
    from people.demo import demo_load
    from people.models import Organization
    from programs.demo import demo_programs_load

    demo_load()
    org = Organization.objects.get(slug="acme")
    demo_programs_load(organization=org)
    demo_assessments_load(organization=org)
    return org


def assert_chart_fits(page, path, chart_id, numbers=True):
    response = page.goto(path)
    assert response.status == 200
    assert response.headers["content-security-policy"] == settings.LODESTAR_CSP
    assert "style-src 'self';" in settings.LODESTAR_CSP, "no inline styles allowed"
    svg = page.locator(f"#{chart_id} > svg")
    box = svg.bounding_box()
    assert box and box["width"] > 0 and box["height"] > 0, f"{chart_id} drawn"
    assert box["width"] <= 390
    if numbers:
        assert page.locator(f"#{chart_id} summary").inner_text() == "Show the numbers"
        page.locator(f"#{chart_id} summary").click()
        assert page.locator(f"#{chart_id} table").is_visible()
    else:  # the page's own table shows them
        assert page.locator(f"#{chart_id} summary").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, f"{path} scrolls sideways"
    assert page.evaluate("window.__cspViolations") == []


def test_charts_render_under_the_csp_on_a_phone(page, sign_in, acme):
    page.add_init_script(WATCH_CSP)
    page.set_viewport_size({"width": 390, "height": 844})
    learner_enrollment = Enrollment.objects.filter(
        employee__email="learner@acme.example", cohort__organization=acme
    ).first()
    cohort = Cohort.objects.filter(organization=acme).order_by("-start_date").first()

    sign_in("learner@acme.example", "lodestar-demo")
    assert_chart_fits(
        page,
        reverse("assessments:results", args=[learner_enrollment.pk]),
        "scores-chart",
        numbers=False,
    )
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("button", name="Sign out").click()

    sign_in("lnd@acme.example", "lodestar-demo")
    assert_chart_fits(page, reverse("home"), "cohorts-chart")
    assert_chart_fits(page, reverse("programs:cohort_detail", args=[cohort.pk]), "completion-chart")
