"""Each role signs in, sees what to do, follows the first item to where it is done, does
it, and finds it gone from their home page."""

import datetime

import pytest
from playwright.sync_api import expect

from assessments import services as assessment_services
from assessments.models import DevelopmentPlan, PlanGoal
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def to_do(page):
    return page.get_by_role("region", name="To do")


def test_the_learner_finishes_an_overdue_module_and_it_leaves_their_list(
    page, sign_in, enrollment, learner
):
    sign_in(learner.email, PASSWORD)
    todo = to_do(page)
    # The cohort began ten days ago: week 1's lesson is overdue, and first.
    expect(todo.get_by_role("listitem").first).to_contain_text("Welcome")
    expect(todo.get_by_role("listitem").first).to_contain_text("overdue")
    todo.get_by_role("link", name="Welcome").click()
    expect(page.get_by_role("heading", name="Welcome", level=1)).to_be_visible()
    page.get_by_role("button", name="Mark as done").click()
    expect(page.get_by_text("'Welcome' marked as done.")).to_be_visible()
    expect(page.get_by_role("link", name="Next module: Feedback role-play")).to_be_visible()

    page.goto("/")
    expect(to_do(page).get_by_role("link", name="Feedback role-play")).to_be_visible()
    expect(to_do(page).get_by_role("link", name="Welcome")).to_have_count(0)


def test_the_line_manager_fills_in_a_reports_assessment_and_it_leaves_their_list(
    page, sign_in, lnd, cohort, enrollment, org, line_manager, learner
):
    assessment_services.assessment_round_open(
        actor=lnd,
        cohort=cohort,
        phase="baseline",
        opens_on=org.today(),
        closes_on=org.today() + datetime.timedelta(days=14),
    )
    sign_in(line_manager.email, PASSWORD)
    item = f"Assess {learner.full_name}: Leadership assessment (line manager)"
    to_do(page).get_by_role("link", name=item).click()
    fieldsets = page.locator("fieldset.item")
    expect(fieldsets.first).to_be_visible()
    for i in range(fieldsets.count()):
        fieldsets.nth(i).get_by_role("radio").nth(3).check()
    page.get_by_role("button", name="Submit (final)").click()
    page.get_by_role("button", name="Yes, submit (final)").click()
    expect(page.get_by_text("Submitted. Thank you")).to_be_visible()

    page.goto("/")
    expect(to_do(page).get_by_role("link", name=item)).to_have_count(0)
    expect(to_do(page)).to_contain_text("Nothing is waiting for you.")


def test_the_coach_agrees_a_plan_the_learner_agreed_and_it_leaves_their_list(
    page, sign_in, enrollment, org, coach, learner, program
):
    # The learner is up to date, so the plan is the coach's only task.
    for module in program.modules.filter(release_week__lte=2):
        module.progress.create(enrollment=enrollment, status="completed")
    plan = DevelopmentPlan.objects.create(
        enrollment=enrollment, learner_agreed_at=datetime.datetime.now(datetime.UTC)
    )
    PlanGoal.objects.create(
        plan=plan,
        position=0,
        competency=org.competencies.get(key="feedback_delivery"),
        goal="Give feedback the same week, in private.",
        due_date=enrollment.cohort.end_date,
        edited_at=plan.created_at,
    )
    sign_in(coach.email, PASSWORD)
    item = f"Agree {learner.full_name}'s development plan"
    expect(to_do(page).get_by_role("listitem")).to_have_count(1)
    to_do(page).get_by_role("link", name=item).click()
    expect(
        page.get_by_role("strong").filter(has_text="Give feedback the same week")
    ).to_be_visible()
    page.get_by_role("button", name="Agree as coach").click()
    expect(page.get_by_text("Agreement recorded.")).to_be_visible()
    expect(page.get_by_text("Status: Agreed")).to_be_visible()

    page.goto("/")
    expect(to_do(page).get_by_role("link", name=item)).to_have_count(0)
    expect(to_do(page)).to_contain_text("Nothing is waiting for you.")
