"""A learner takes their self-assessment on a phone: each answer is saved as they go,
the count of items remaining falls, and a reload loses nothing."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from assessments.demo import demo_assessments_load
from assessments.models import Assessment, AssessmentStatus

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


def remaining(page) -> int:
    line = page.locator("#take-counts").inner_text()
    if "all answered" in line:
        return 0
    return int(re.search(r"(\d+) items? remaining", line).group(1))


def remaining_line(count: int) -> str:
    return "all answered" if count == 0 else f"{count} item{'s' if count > 1 else ''} remaining"


def test_answers_save_as_the_learner_goes_and_survive_a_reload(page, sign_in, acme):
    # The demo learner has submitted hers; one of the running cohort's learners who are
    # behind has not, and is given a password here to sign in.
    own = (
        Assessment.objects.filter(organization=acme, template__kind="self", status="draft")
        .select_related("rater")
        .order_by("pk")
        .first()
    )
    own.rater.set_password("lodestar-demo")
    own.rater.save(update_fields=["password"])
    page.add_init_script(WATCH_CSP)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(own.rater.email, "lodestar-demo")
    # Their home's to-do list leads to it.
    page.get_by_role("link", name="Fill in the Leadership self-assessment").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "scrolls sideways"
    left = remaining(page)
    assert left >= 2
    unanswered = page.locator("fieldset.item:not(:has(input:checked))")
    first_id = unanswered.nth(0).get_attribute("id")
    second_id = unanswered.nth(1).get_attribute("id")
    status = page.get_by_role("status")

    page.locator(f"#{first_id}").get_by_role("radio").nth(3).check()
    expect(page.locator("#take-counts")).to_contain_text(remaining_line(left - 1))
    expect(status).to_have_text(re.compile(r"Saved at \d\d:\d\d"))
    page.locator(f"#{second_id}").get_by_role("radio").nth(1).check()
    expect(page.locator("#take-counts")).to_contain_text(remaining_line(left - 2))
    saved = dict(own.answers.values_list("item__key", "value"))
    assert saved[first_id.removeprefix("q-")] == 4 and saved[second_id.removeprefix("q-")] == 2
    own.refresh_from_db()
    assert own.status == AssessmentStatus.DRAFT

    # The progress line stays in view at the foot of the questionnaire.
    page.get_by_role("button", name="Save draft").scroll_into_view_if_needed()
    box = page.locator(".take-progress").bounding_box()
    assert box is not None and 0 <= box["y"] <= 1

    response = page.reload()
    assert response.headers["content-security-policy"] == settings.LODESTAR_CSP
    expect(page.locator(f"#{first_id}").get_by_role("radio").nth(3)).to_be_checked()
    expect(page.locator(f"#{second_id}").get_by_role("radio").nth(1)).to_be_checked()
    assert remaining(page) == left - 2

    while page.locator("fieldset.item:not(:has(input:checked))").count():
        page.locator("fieldset.item:not(:has(input:checked))").first.get_by_role("radio").nth(
            2
        ).check()
    expect(page.locator("#take-counts")).to_contain_text("all answered")
    expect(page.locator(".take-marker").first).to_have_text("✓ Done")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "scrolls sideways"
    page.get_by_role("button", name="Submit (final)").click()
    page.get_by_role("button", name="Yes, submit (final)").click()
    expect(page.get_by_text("Submitted. Thank you: your answers are final.")).to_be_visible()
    own.refresh_from_db()
    assert own.status == AssessmentStatus.SUBMITTED
    assert own.answers.count() == own.template.items.count()
    assert page.evaluate("window.__cspViolations") == []
