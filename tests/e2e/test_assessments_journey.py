"""Assess first, plan from the gaps: learner, line manager and coach in turn."""

import pytest
from playwright.sync_api import expect

from assessments.demo import demo_assessments_load
from assessments.models import Assessment, DevelopmentPlan

pytestmark = pytest.mark.django_db(transaction=True)


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


def answer(page, value_for_index):
    fieldsets = page.locator("fieldset.item")
    for i in range(fieldsets.count()):
        fieldsets.nth(i).get_by_role("radio").nth(value_for_index(i) - 1).check()


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_self_and_manager_assessments_lead_to_an_agreed_plan(page, sign_in, acme):
    # manager@ assesses her other engineering manager in the running cohort; the demo
    # learner's own baseline is in (both assessments), so she drafts her plan from the gaps.
    sign_in("manager@acme.example", "lodestar-demo")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Assessments").click()
    page.get_by_role("link", name="Leadership assessment (line manager)").first.click()
    answer(page, lambda i: 3)
    page.get_by_role("button", name="Submit (final)").click()
    page.get_by_role("button", name="Yes, submit (final)").click()
    expect(page.get_by_text("Submitted. Thank you")).to_be_visible()
    sign_out(page)

    sign_in("learner@acme.example", "lodestar-demo")
    expect(page.get_by_text("Draft your development plan for Leading IT teams")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Assessments").click()
    expect(page.get_by_role("row", name="Leadership self-assessment")).to_contain_text("Submitted")
    page.get_by_role("link", name="Leading IT teams").click()
    expect(page.get_by_role("heading", name="Scores by competency")).to_be_visible()
    page.get_by_role("button", name="Draft the plan from the gaps").click()
    expect(page.get_by_text("Plan drafted from the top gaps.")).to_be_visible()
    expect(page.get_by_text("still to write:")).to_be_visible()
    expect(page.get_by_role("button", name="I agree to this plan")).to_have_count(0)
    own_words = [
        "Hand the release train to the team and agree how much support comes with it.",
        "Give SBI feedback within a day, in private, every time.",
        "Name a disagreement when I see it instead of waiting for it to go away.",
    ]
    for i, text in enumerate(own_words):
        goal = page.locator("div.goal").nth(i)
        goal.get_by_text("Edit this goal").click()
        goal.get_by_label("Goal, in your words").fill(text)
        goal.get_by_role("button", name="Save goal").click()
        expect(page.get_by_role("strong").filter(has_text=text[:20])).to_be_visible()
    page.get_by_role("button", name="I agree to this plan").click()
    expect(page.get_by_text("learner agreed")).to_be_visible()
    sign_out(page)

    sign_in("coach@acme.example", "lodestar-demo")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Assessments").click()
    page.get_by_role("link", name="Lea Becker").click()
    page.get_by_role("button", name="Agree as coach").click()
    expect(page.get_by_text("Status: Agreed")).to_be_visible()

    plan = DevelopmentPlan.objects.get(enrollment__employee__email="learner@acme.example")
    # Both rated delegation and feedback lowest, then conflict and her own reactions; the
    # program targets all eight competencies at level 4.
    assert plan.status == "agreed"
    goals = list(plan.goals.values_list("competency__key", flat=True))
    assert goals[:2] == ["delegation", "feedback_delivery"]
    assert goals[2] in {"conflict_resolution", "emotional_intelligence"}
    baseline = Assessment.objects.filter(
        enrollment=plan.enrollment, phase="baseline", status="submitted"
    )
    assert baseline.count() == 2
