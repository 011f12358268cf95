"""The L&D manager schedules a cohort's 360 before the program, opens it, reads the
response rates (nobody asked yet) and closes it early after confirming."""

import datetime

import pytest
from playwright.sync_api import expect

from feedback360.models import FeedbackCycle
from people.models import AuditEntry
from tests.factories import PASSWORD
from tests.feedback360.factories_cycles import small_questionnaire

pytestmark = pytest.mark.django_db(transaction=True)


def test_lnd_manager_runs_a_pre_cycle_and_closes_it_early(
    page, sign_in, lnd, lnd_manager, cohort, enrollment, learner, org
):
    small_questionnaire(org)
    today = org.today()
    sign_in(lnd_manager.email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="360 feedback").click()
    expect(page.get_by_role("heading", name="360 feedback cycles")).to_be_visible()
    expect(page.get_by_text("No 360 cycles yet.")).to_be_visible()

    page.get_by_role("link", name="New cycle").click()
    page.get_by_label("Cohort").select_option(label="Spring cohort")
    page.get_by_label("When").select_option("pre")
    page.get_by_label("Questionnaire").select_option(label="Small 360 for tests (version 1)")
    page.get_by_label("Opens on").fill((today + datetime.timedelta(days=3)).isoformat())
    page.get_by_label("Closes on").fill((today + datetime.timedelta(days=17)).isoformat())
    page.get_by_role("button", name="Schedule cycle").click()
    expect(page.get_by_text("360 before the program scheduled for Spring cohort")).to_be_visible()
    expect(
        page.get_by_role("heading", name="360 of Spring cohort: before the program")
    ).to_be_visible()

    page.get_by_role("button", name="Open now").click()
    expect(page.get_by_text("copied today's anonymity thresholds")).to_be_visible()
    expect(page.get_by_text("Peers: at least 3 answers")).to_be_visible()
    expect(page.get_by_text("0 of 0 raters asked have answered.")).to_be_visible()
    row = page.locator("#response-rates tbody tr").filter(has_text=learner.full_name)
    expect(row.get_by_role("cell")).to_have_text(
        ["0 / 0", "0 / 0", "0 / 0", "0 / 0", "0 / 0", "0 / 0", "0"]
    )

    page.get_by_role("link", name="Close early").click()
    expect(page.get_by_role("heading", name="Close the 360 of Spring cohort now?")).to_be_visible()
    expect(page.get_by_text("A closed cycle never reopens.")).to_be_visible()
    page.get_by_role("link", name="Cancel, keep it open").click()
    expect(page.get_by_role("link", name="Close early")).to_be_visible()
    assert FeedbackCycle.objects.get(cohort=cohort).status == "open"

    page.get_by_role("link", name="Close early").click()
    page.get_by_role("button", name="Close the cycle now").click()
    expect(page.get_by_text("is closed; it will not reopen.")).to_be_visible()
    expect(page.get_by_role("button", name="Open now")).to_have_count(0)
    expect(page.get_by_role("link", name="Close early")).to_have_count(0)
    assert FeedbackCycle.objects.get(cohort=cohort).status == "closed"
    assert AuditEntry.objects.filter(
        action="feedback360.cycle_closed_early", actor=lnd_manager
    ).exists()
