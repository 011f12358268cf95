"""360 nomination: the learner follows their to-do, takes the proposed raters, adds two
peers from the roster and a stakeholder from outside it by email; their line manager
follows their own to-do and approves the list."""

import pytest
from playwright.sync_api import expect

from feedback360.models import RaterAssignment, RaterStatus
from people.models import DomainEvent
from tests.factories import PASSWORD, EmployeeFactory
from tests.feedback360.factories_nomination import make_cycle, settings_for

pytestmark = pytest.mark.django_db(transaction=True)


def to_do(page):
    return page.get_by_role("region", name="To do")


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_a_learner_nominates_raters_and_the_line_manager_approves(
    page, sign_in, cohort, enrollment, org, team, learner, line_manager
):
    settings_for(org, peers_min=2, stakeholders_min=1)
    cycle = make_cycle(cohort=cohort)
    for name in ("Priya Patel", "Tom Becker"):
        EmployeeFactory(organization=org, team=team, full_name=name, job_title="Engineer")

    sign_in(learner.email, PASSWORD)
    to_do(page).get_by_role("link", name="Nominate your 360 raters").click()
    expect(page.get_by_role("heading", name="Your 360 raters", level=1)).to_be_visible()
    expect(
        page.get_by_text("Nominate at least 2 before your line manager can approve.")
    ).to_be_visible()

    page.get_by_role("button", name="Add all 2 proposed").click()
    expect(page.get_by_text("Added 2 proposed raters.")).to_be_visible()

    for name in ("Priya Patel", "Tom Becker"):
        page.get_by_label("Group").select_option(label="Peers")
        page.get_by_label("From the roster").select_option(label=f"{name} · Engineer")
        page.get_by_role("button", name="Add rater").click()
        expect(page.get_by_text(f"Added {name} to Peers; awaiting approval.")).to_be_visible()

    page.get_by_label("Group").select_option(label="Stakeholders")
    page.get_by_label("Name", exact=True).fill("Pat Product")
    page.get_by_label("Email", exact=True).fill("pat@partner.example")
    page.get_by_role("button", name="Add rater").click()
    expect(
        page.get_by_text("Added Pat Product to Stakeholders; awaiting approval.")
    ).to_be_visible()
    stakeholders = page.get_by_role("region", name="Stakeholders")
    expect(stakeholders.get_by_role("row", name="Pat Product")).to_contain_text(
        "Outside the roster"
    )
    expect(page.get_by_text("5 awaiting approval")).to_be_visible()
    sign_out(page)

    sign_in(line_manager.email, PASSWORD)
    item = to_do(page).get_by_role(
        "link", name=f"Approve {learner.full_name}'s 360 raters (5 awaiting)"
    )
    item.click()
    expect(
        page.get_by_role("heading", name=f"360 raters for {learner.full_name}", level=1)
    ).to_be_visible()
    page.get_by_role("button", name="Approve 5 raters").click()
    expect(page.get_by_text(f"Approved 5 raters for {learner.full_name}.")).to_be_visible()
    page.goto("/")
    expect(to_do(page).get_by_role("link", name="360 raters")).to_have_count(0)

    rows = RaterAssignment.objects.filter(cycle=cycle, subject=enrollment)
    assert sorted(rows.values_list("name", "group", "status")) == [
        (learner.full_name, "self", RaterStatus.APPROVED),
        (line_manager.full_name, "manager", RaterStatus.APPROVED),
        ("Pat Product", "stakeholder", RaterStatus.APPROVED),
        ("Priya Patel", "peer", RaterStatus.APPROVED),
        ("Tom Becker", "peer", RaterStatus.APPROVED),
    ]
    event = DomainEvent.objects.get(name="feedback360.raters_approved")
    assert len(event.payload["assignment_ids"]) == 5
