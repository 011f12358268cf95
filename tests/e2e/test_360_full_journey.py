"""360 across its areas, as the people involved meet it: the learner nominates raters
from their to-do, the line manager approves from theirs, and since the cycle is open the
raters are emailed at once. A reviewer with no account opens the emailed link, saves
halfway, comes back in another browser and submits; another declines, and the learner
nominates a replacement from their to-do. Pages carry the production CSP and the
browser reports no errors."""

import datetime

import pytest
from django.conf import settings
from playwright.sync_api import expect

from feedback360.models import RaterAssignment, RaterGroup, RaterStatus, ResponseStatus
from feedback360.services import cycles
from people.models import Employee
from tests.factories import PASSWORD, EmployeeFactory
from tests.feedback360.factories_nomination import settings_for
from tests.feedback360.factories_reviewer import questionnaire_for, token_from

pytestmark = pytest.mark.django_db(transaction=True)

OUTSIDER = "pat@partner.example"


def to_do(page):
    return page.get_by_role("region", name="To do")


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def assert_production_csp(response):
    assert response.headers["content-security-policy"] == settings.LODESTAR_CSP


@pytest.fixture
def open_cycle(lnd, org, cohort):
    """The cohort's pre cycle, created and opened by L&D through the services."""
    settings_for(org, peers_min=2, stakeholders_min=1)
    today = org.today()
    cycle = cycles.cycle_create(
        actor=lnd,
        cohort=cohort,
        phase="pre",
        opens_on=today,
        closes_on=today + datetime.timedelta(days=21),
        questionnaire=questionnaire_for(org),
    )
    return cycles.cycle_open(actor=lnd, cycle=cycle)


@pytest.fixture
def reviewer_browser(browser, live_server):
    """A fresh browser with no session (a reviewer has no account), closed afterwards;
    any console error fails the test."""
    opened = []

    def _open():
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(15_000)
        page = context.new_page()
        problems = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        opened.append((context, problems))
        return page

    yield _open
    for context, problems in opened:
        context.close()
        assert not problems, f"browser console errors: {problems}"


def _link(mailoutbox, address) -> str:
    (email,) = [e for e in mailoutbox if e.to == [address]]
    return f"/360/r/{token_from(email.body)}/"


def test_nominate_approve_answer_decline_and_replace(
    page,
    sign_in,
    reviewer_browser,
    mailoutbox,
    org,
    team,
    learner,
    learner_employee,
    line_manager,
    line_manager_employee,
    enrollment,
    open_cycle,
):
    for name in ("Priya Patel", "Tom Becker", "Nina Novak"):
        EmployeeFactory(organization=org, team=team, full_name=name, job_title="Engineer")
    name = learner_employee.full_name
    mailoutbox.clear()  # the setup's own mail (account invitations) aside

    # The learner nominates from their to-do: the proposed raters, two peers, one
    # stakeholder from outside the company.
    sign_in(learner.email, PASSWORD)
    to_do(page).get_by_role("link", name="Nominate your 360 raters").click()
    expect(page.get_by_role("heading", name="Your 360 raters", level=1)).to_be_visible()
    page.get_by_role("button", name="Add all 2 proposed").click()
    expect(page.get_by_text("Added 2 proposed raters.")).to_be_visible()
    for peer in ("Priya Patel", "Tom Becker"):
        page.get_by_label("Group").select_option(label="Peers")
        page.get_by_label("From the roster").select_option(label=f"{peer} · Engineer")
        page.get_by_role("button", name="Add rater").click()
        expect(page.get_by_text(f"Added {peer} to Peers; awaiting approval.")).to_be_visible()
    page.get_by_label("Group").select_option(label="Stakeholders")
    page.get_by_label("Name", exact=True).fill("Pat Partner")
    page.get_by_label("Email", exact=True).fill(OUTSIDER)
    page.get_by_role("button", name="Add rater").click()
    expect(
        page.get_by_text("Added Pat Partner to Stakeholders; awaiting approval.")
    ).to_be_visible()
    expect(page.get_by_text("5 awaiting approval")).to_be_visible()
    assert not mailoutbox, "nobody is asked before the line manager approves"
    sign_out(page)

    # The line manager approves from their to-do; the cycle is open, so everyone is
    # invited at once.
    sign_in(line_manager.email, PASSWORD)
    to_do(page).get_by_role("link", name=f"Approve {name}'s 360 raters (5 awaiting)").click()
    page.get_by_role("button", name="Approve 5 raters").click()
    expect(page.get_by_text(f"Approved 5 raters for {name}.")).to_be_visible()
    sign_out(page)
    assert sorted(address for email in mailoutbox for address in email.to) == sorted(
        [
            learner.email,
            line_manager.email,
            _email_of(org, "Priya Patel"),
            _email_of(org, "Tom Becker"),
            OUTSIDER,
        ]
    )
    assert {e.subject for e in mailoutbox} == {f"{name} would value your feedback"}

    # Pat, with no account, opens the emailed link, answers half and saves.
    pat = reviewer_browser()
    response = pat.goto(_link(mailoutbox, OUTSIDER))
    assert_production_csp(response)
    expect(pat.get_by_role("heading", name=f"Feedback for {name}")).to_be_visible()
    expect(pat.get_by_role("heading", name="Who will see your answers")).to_be_visible()
    expect(pat.get_by_text("0 of 4 statements answered")).to_be_visible()
    pat.locator("#q-del-1").get_by_text("Consistently, including under pressure.").click()
    pat.locator("#q-del-2").get_by_text("Not observed").click()
    pat.get_by_role("button", name="Save draft").click()
    expect(pat.get_by_text("Draft saved at")).to_be_visible()
    expect(pat.get_by_text("2 of 4 statements answered")).to_be_visible()
    pat.context.close()

    # Later, in another browser, the draft is there; Pat finishes and submits.
    pat = reviewer_browser()
    pat.goto(_link(mailoutbox, OUTSIDER))
    expect(pat.get_by_text("2 of 4 statements answered")).to_be_visible()
    expect(pat.locator("#r-del-1-4")).to_be_checked()
    pat.locator("#q-fb-1").get_by_text("Consistently, and helps others do it too.").click()
    pat.locator("#q-fb-2").get_by_text("Usually, in familiar situations.").click()
    pat.get_by_label("What should they keep doing?").fill("Honest dates, early warnings.")
    pat.get_by_role("button", name="Submit (final)").click()
    expect(pat.get_by_role("heading", name="Thank you")).to_be_visible()

    # Tom, a peer with no account, can't help this time.
    tom = reviewer_browser()
    tom.goto(_link(mailoutbox, _email_of(org, "Tom Becker")))
    tom.get_by_role("link", name="Decline this request").click()
    tom.get_by_label("Why, if you'd like to say").select_option("no_time")
    tom.get_by_role("button", name="Decline the request").click()
    expect(tom.get_by_role("heading", name="Request declined")).to_be_visible()

    # The learner sees it on their to-do and nominates a replacement.
    sign_in(learner.email, PASSWORD)
    response = page.goto("/")
    assert_production_csp(response)
    expect(to_do(page).get_by_text("1 of 3 of your 360 raters")).to_be_visible()
    to_do(page).get_by_role("link", name="declined: nominate a replacement").click()
    peers = page.get_by_role("region", name="Peers")
    expect(peers.get_by_role("row", name="Tom Becker")).to_contain_text("Declined")
    peers.get_by_role("link", name="Nominate a replacement").click()
    expect(page.get_by_role("heading", name="Replace Tom Becker")).to_be_visible()
    page.get_by_label("From the roster").select_option(label="Nina Novak · Engineer")
    page.get_by_role("button", name="Nominate replacement").click()
    expect(page.get_by_text("Nina Novak replaces Tom Becker.")).to_be_visible()
    peers = page.get_by_role("region", name="Peers")
    replacement = peers.get_by_role("row").filter(has_text="(replaces Tom Becker)")
    expect(replacement).to_contain_text("Nina Novak")
    expect(replacement).to_contain_text("Awaiting approval")
    declined = peers.get_by_role("row").filter(has_text="Replaced by Nina Novak")
    expect(declined).to_contain_text("Tom Becker")

    rows = RaterAssignment.objects.filter(cycle=open_cycle, subject=enrollment)
    assert sorted(rows.values_list("name", "group", "status")) == [
        (learner_employee.full_name, RaterGroup.SELF, RaterStatus.INVITED),
        (line_manager_employee.full_name, RaterGroup.MANAGER, RaterStatus.INVITED),
        ("Nina Novak", RaterGroup.PEER, RaterStatus.NOMINATED),
        ("Pat Partner", RaterGroup.STAKEHOLDER, RaterStatus.SUBMITTED),
        ("Priya Patel", RaterGroup.PEER, RaterStatus.INVITED),
        ("Tom Becker", RaterGroup.PEER, RaterStatus.DECLINED),
    ]
    pat_row = rows.get(email=OUTSIDER)
    assert pat_row.response.status == ResponseStatus.SUBMITTED
    assert pat_row.response.answers.count() == 5
    assert rows.get(name="Nina Novak").replaces == rows.get(name="Tom Becker")


def _email_of(org, full_name) -> str:
    return Employee.objects.get(organization=org, full_name=full_name).email.lower()
