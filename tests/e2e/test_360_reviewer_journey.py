"""A reviewer with no account answers from the emailed link on a phone: saves halfway,
comes back later (with JavaScript off, to show the form needs none), submits. Another
declines. Nothing scrolls sideways at 390 px."""

import os

import pytest
from playwright.sync_api import expect

from feedback360.models import RaterStatus
from feedback360.services import invitations
from tests.e2e.conftest import CHROMIUM_ARGS  # noqa: F401  (the browser fixture's module)
from tests.feedback360.factories_reviewer import enrol, open_cycle, rater, token_from

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def _phone(browser, live_server, *, javascript=True):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=javascript
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    return context, page, problems


def _link(email) -> str:
    return f"/360/r/{token_from(email.body)}/"


def _fits_the_phone(page):
    artifacts = os.environ.get("E2E_ARTIFACTS")
    if artifacts:
        os.makedirs(artifacts, exist_ok=True)
        name = f"360-reviewer-{len(os.listdir(artifacts))}.png"
        page.screenshot(path=os.path.join(artifacts, name), full_page=True)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def test_a_reviewer_without_an_account_saves_comes_back_and_submits_another_declines(
    browser, live_server, org, learner_employee, mailoutbox
):
    cycle = open_cycle(org)
    subject = enrol(cycle, learner_employee)
    priya = rater(cycle, subject, name="Priya Peer", email="priya@partner.test")
    sam = rater(
        cycle, subject, name="Sam Stakeholder", email="sam@partner.test", group="stakeholder"
    )
    invitations.invite([priya.pk, sam.pk])
    emails = {email.to[0]: email for email in mailoutbox}
    assert set(emails) == {"priya@partner.test", "sam@partner.test"}

    # Priya opens her link on her phone, reads who will see what, answers half, saves.
    context, page, problems = _phone(browser, live_server)
    page.goto(_link(emails["priya@partner.test"]))
    expect(page.get_by_role("heading", name="Feedback for Learner")).to_be_visible()
    expect(page.get_by_role("heading", name="Who will see your answers")).to_be_visible()
    expect(page.get_by_text("at least 3 peers have answered")).to_be_visible()
    expect(page.get_by_text("0 of 4 statements answered")).to_be_visible()
    _fits_the_phone(page)
    page.locator("#q-del-1").get_by_text("Consistently, including under pressure.").click()
    page.locator("#q-del-2").get_by_text("Not observed").click()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved at")).to_be_visible()
    expect(page.get_by_text("2 of 4 statements answered")).to_be_visible()
    _fits_the_phone(page)
    context.close()
    assert not problems, problems

    # Later, from another browser with JavaScript off, she comes back and finishes.
    context, page, problems = _phone(browser, live_server, javascript=False)
    page.goto(_link(emails["priya@partner.test"]))
    expect(page.get_by_text("2 of 4 statements answered")).to_be_visible()
    expect(page.locator("#r-del-1-4")).to_be_checked()
    expect(page.locator("#r-del-2-no")).to_be_checked()
    page.get_by_role("button", name="Submit (final)").click()
    expect(page.get_by_role("alert")).to_contain_text("2 statements still need a rating")
    page.locator("#q-fb-1").get_by_text("Consistently, and helps others do it too.").click()
    page.locator("#q-fb-2").get_by_text("Usually, in familiar situations.").click()
    page.get_by_label("What should they keep doing?").fill("Calm, clear incident reviews.")
    page.get_by_role("button", name="Submit (final)").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    _fits_the_phone(page)
    # The link now says plainly that the answers are in, and takes no more.
    page.goto(_link(emails["priya@partner.test"]))
    expect(page.get_by_role("heading", name="You have already answered")).to_be_visible()
    context.close()
    # The browser reports the deliberate 410 itself as a console error.
    assert [p for p in problems if "status of 410" not in p] == [], problems
    priya.refresh_from_db()
    assert priya.status == RaterStatus.SUBMITTED

    # Sam can't help this time and declines.
    context, page, problems = _phone(browser, live_server)
    page.goto(_link(emails["sam@partner.test"]))
    expect(page.get_by_text("combined with those of the other stakeholders")).to_be_visible()
    page.get_by_role("link", name="Decline this request").click()
    expect(page.get_by_role("heading", name="Decline the request from Learner?")).to_be_visible()
    _fits_the_phone(page)
    page.get_by_label("Why, if you'd like to say").select_option("no_time")
    page.get_by_role("button", name="Decline the request").click()
    expect(page.get_by_role("heading", name="Request declined")).to_be_visible()
    _fits_the_phone(page)
    context.close()
    assert not problems, problems
    sam.refresh_from_db()
    assert sam.status == RaterStatus.DECLINED and sam.declined_at is not None
