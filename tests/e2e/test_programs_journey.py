"""The L&D manager builds a program and a cohort; the learner works through this week."""

import pytest
from playwright.sync_api import expect

from people.models import Employee
from programs.demo import demo_programs_load
from programs.models import DelegationDecision, Enrollment, SbiEntry, ScenarioAttempt

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def acme():
    from people.demo import demo_load
    from people.models import Organization

    demo_load()
    org = Organization.objects.get(slug="acme")
    demo_programs_load(organization=org)
    return org


def test_lnd_manager_builds_a_program_and_enrols_a_cohort_by_csv(page, sign_in, acme, tmp_path):
    sign_in("lnd@acme.example", "lodestar-demo")
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Programs", exact=True).click()
    page.get_by_role("link", name="New program").click()
    page.get_by_label("Title").fill("Saying no well")
    page.get_by_label("Audience").select_option("pre_promotion")
    page.get_by_label("Duration (weeks)").fill("3")
    page.get_by_label("Stakeholder management").check()
    page.get_by_role("button", name="Save program").click()
    # Building a program asks for its target levels next, 4.0 unless changed.
    expect(
        page.get_by_text("Program 'Saying no well' created. Next: target levels.")
    ).to_be_visible()
    expect(page.get_by_label("Stakeholder management")).to_have_value("4.0")
    page.get_by_label("Stakeholder management").fill("3.5")
    page.get_by_role("button", name="Save targets").click()
    expect(page.get_by_text("Target levels saved for the template")).to_be_visible()
    expect(page.get_by_role("heading", name="Saying no well")).to_be_visible()

    # A module released after the program ends is refused with a clear message.
    page.get_by_label("Title").fill("Too late")
    page.get_by_label("Kind").select_option("lesson")
    page.get_by_label("Released in week").fill("5")
    page.get_by_label("Content (Markdown)").fill("Late.")
    page.get_by_role("button", name="Add module").click()
    expect(page.get_by_text("Week 5 is outside the program, which runs 3 weeks.")).to_be_visible()

    page.get_by_label("Title").fill("Negotiate scope, not dates")
    page.get_by_label("Released in week").fill("1")
    page.get_by_label("Content (Markdown)").fill(
        "## Options, not effort\n\nAsk what the date is for."
    )
    page.get_by_role("button", name="Add module").click()
    expect(page.get_by_text("Module 'Negotiate scope, not dates' added to week 1.")).to_be_visible()
    page.get_by_label("Title").fill("The executive who wants a date")
    page.get_by_label("Kind").select_option("scenario")
    page.get_by_label("Released in week").fill("2")
    page.get_by_label("Scenario").select_option(label="The executive who wants a date")
    page.get_by_role("button", name="Add module").click()
    expect(page.get_by_role("row", name="The executive who wants a date")).to_have_count(1)

    nav.get_by_role("link", name="Cohorts", exact=True).click()
    page.get_by_role("link", name="New cohort").click()
    page.get_by_label("Name").fill("Bootcamp · December")
    page.get_by_label("Program").select_option(label="Saying no well")
    page.get_by_label("Start date").fill("2026-12-07")
    page.get_by_label("End date").fill("2026-12-01")
    page.get_by_label("Capacity").fill("2")
    page.get_by_label("Clara Wagner").check()
    page.get_by_role("button", name="Save cohort").click()
    expect(page.get_by_text("The cohort must end after it starts.")).to_be_visible()
    page.get_by_label("End date").fill("")
    page.get_by_role("button", name="Save cohort").click()
    expect(page.get_by_role("heading", name="Bootcamp · December")).to_be_visible()

    people = list(
        Employee.objects.filter(
            organization=acme, user__isnull=True, termination_date__isnull=True, level="L3"
        )[:3]
    )
    csv_file = tmp_path / "enrol.csv"
    csv_file.write_text("email\n" + "\n".join(p.email for p in people) + "\n")
    page.get_by_role("link", name="Enrol from a CSV").click()
    page.get_by_label("CSV of emails").set_input_files(str(csv_file))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("would exceed the cohort's capacity of 2")).to_be_visible()
    expect(page.get_by_text("Over the cohort's capacity: 1")).to_be_visible()
    expect(page.get_by_role("button", name="Enrol")).to_have_count(0)

    csv_file.write_text("email\n" + "\n".join(p.email for p in people[:2]) + "\n")
    page.get_by_role("button", name="Discard").click()
    expect(page.get_by_text("enrol.csv discarded; nobody was enrolled.")).to_be_visible()
    page.get_by_label("CSV of emails").set_input_files(str(csv_file))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("button", name="Enrol 2 learners").click()
    expect(page.get_by_text("Enrolled 2 learners")).to_be_visible()
    for person in people[:2]:
        expect(page.get_by_role("link", name=person.full_name)).to_be_visible()
    assert (
        Enrollment.objects.filter(
            cohort__name="Bootcamp · December", coach__email="coach@acme.example"
        ).count()
        == 2
    )


def test_learner_plays_a_scenario_and_practises_sbi_and_delegation(page, sign_in, acme):
    sign_in("learner@acme.example", "lodestar-demo")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My program").click()
    expect(page.get_by_role("heading", name="This week")).to_be_visible()

    page.get_by_role("link", name="The expert lead who won't delegate").click()
    page.get_by_role("button", name="Start the scenario").click()
    for _ in range(12):
        if page.get_by_role("heading", name="Ending:").count():
            break
        expect(page.get_by_role("heading", name="Step")).to_be_visible()
        page.get_by_role("radio").first.check()
        page.get_by_role("button", name="Choose").click()
    expect(page.get_by_role("heading", name="Ending:")).to_be_visible()
    expect(page.get_by_text("Total score:")).to_be_visible()
    attempt = ScenarioAttempt.objects.get(
        enrollment__employee__email="learner@acme.example",
        module__title="The expert lead who won't delegate",
    )
    assert attempt.status == "finished" and len(attempt.path) >= 2

    page.get_by_role("link", name="Back to the module", exact=True).click()
    expect(page.get_by_text("Best score:")).to_be_visible()

    page.get_by_role("link", name="← My program").click()
    page.get_by_role("link", name="Practice log: SBI feedback and delegation").click()
    # Her week-1 SBI entry is in the log already; this week she has no delegation yet.
    mine = SbiEntry.objects.filter(enrollment__employee__email="learner@acme.example")
    before = mine.count()
    assert before >= 1
    assert not DelegationDecision.objects.filter(
        enrollment__employee__email="learner@acme.example"
    ).exists()
    page.get_by_label("Situation").fill("Yesterday.")
    page.get_by_label("Behaviour").fill("You were lazy and never test anything.")
    page.get_by_label("Impact").fill("It was bad.")
    page.get_by_role("button", name="Check and save").click()
    expect(page.get_by_role("heading", name="The checker found")).to_be_visible()
    expect(page.get_by_text("lazy", exact=False).first).to_be_visible()
    assert mine.count() == before

    page.get_by_label("Situation").fill("In Tuesday's sprint review on Zoom")
    page.get_by_label("Behaviour").fill(
        "You demoed the checkout flow while the payment test in PR #812 was still failing."
    )
    page.get_by_label("Impact").fill(
        "The product owner approved it, we rolled it back on Wednesday, and the team lost a day of work."
    )
    page.get_by_role("button", name="Check and save").click()
    expect(page.get_by_text("SBI entry saved to your practice log.")).to_be_visible()
    assert mine.count() == before + 1

    page.get_by_label("Task", exact=True).fill("Run the incident review for Friday's outage")
    page.get_by_label("Delegated to").fill("Priya Raman")
    page.get_by_label("Task complexity").select_option("3")
    page.get_by_label("Their readiness for it").select_option("2")
    page.get_by_role("button", name="Log decision").click()
    expect(page.get_by_text("Logged. The matrix recommends 'coach'")).to_be_visible()
    expect(
        page.get_by_role("cell", name="Run the incident review for Friday's outage")
    ).to_be_visible()
    assert (
        DelegationDecision.objects.get(
            enrollment__employee__email="learner@acme.example"
        ).recommended_level
        == "coach"
    )
