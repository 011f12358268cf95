"""The L&D manager's and the executive's home pages in Chromium, under the production CSP:
a new organisation's checklist ticks itself once the roster is in; an enrolment file on
the to-do list is enrolled from where the item leads and leaves the list; the executive
reads the headline figures, with a small running cohort marked in progress."""

import datetime

import pytest
from django.conf import settings
from playwright.sync_api import expect

from people.models import Role
from people.services.access import organization_create
from programs import services
from programs.models import Audience, ModuleKind
from tests.conftest import actor_for
from tests.e2e.test_charts_journey import WATCH_CSP
from tests.factories import PASSWORD, EmployeeFactory, MembershipFactory, UserFactory
from tests.metrics.test_headline_figures import build_cohort

pytestmark = pytest.mark.django_db(transaction=True)

ROSTER = (
    "employee_id,name,email,team,manager_email,job_title,level,hire_date\n"
    "N1,Margaret Hamilton,margaret.hamilton@initech.test,Apollo,,Director,M3,2024-02-01\n"
    "N2,Katherine Johnson,katherine.johnson@initech.test,Apollo,"
    "margaret.hamilton@initech.test,Engineer,L4,2024-03-01\n"
)


@pytest.fixture
def initech():
    """A brand-new organisation whose first L&D manager has a password already."""
    UserFactory(email="peter@initech.test", full_name="Peter Gibbons")
    org, user = organization_create(
        name="Initech",
        slug="initech",
        time_zone="Europe/London",
        currency="GBP",
        lnd_manager_email="peter@initech.test",
    )
    return org, user


def open_home(page):
    response = page.goto("/")
    assert response.headers["content-security-policy"] == settings.LODESTAR_CSP


def test_a_new_organisations_lnd_manager_imports_the_roster_from_the_checklist(
    page, sign_in, initech, tmp_path
):
    page.add_init_script(WATCH_CSP)
    sign_in("peter@initech.test", PASSWORD)
    open_home(page)
    checklist = page.get_by_role("region", name="Getting started")
    expect(checklist).to_contain_text("0 of 4 steps done")
    states = checklist.locator(".step-state")
    expect(states).to_have_text(["To do"] * 4)
    expect(checklist.get_by_role("link")).to_have_text(
        ["Import the roster", "Review the competencies", "Build a program", "Open a cohort"]
    )

    checklist.get_by_role("link", name="Import the roster").click()
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER)
    page.get_by_label("Roster file (CSV or XLSX)").set_input_files(str(roster))
    page.get_by_role("button", name="Upload and check").click()
    page.get_by_role("button", name="Apply 2 changes").click()
    expect(page.get_by_text("Roster updated: 2 added")).to_be_visible()

    open_home(page)
    expect(checklist).to_contain_text("1 of 4 steps done")
    expect(states).to_have_text(["✓ Done", "To do", "To do", "To do"])

    # The framework is marked reviewed from its own page, and the step ticks too.
    checklist.get_by_role("link", name="Review the competencies").click()
    page.get_by_role("button", name="Mark the framework reviewed").click()
    expect(page.get_by_text("Competency framework marked as reviewed.")).to_be_visible()
    open_home(page)
    expect(checklist).to_contain_text("2 of 4 steps done")
    expect(states).to_have_text(["✓ Done", "✓ Done", "To do", "To do"])
    assert page.evaluate("window.__cspViolations") == []


def test_the_lnd_manager_enrols_a_waiting_file_from_the_to_do_list(page, sign_in, initech):
    org, user = initech
    page.add_init_script(WATCH_CSP)
    lnd = actor_for(user, org)
    services.framework_mark_reviewed(actor=lnd)
    program = services.program_save(
        actor=lnd, title="New managers", audience=Audience.NEW_MANAGERS, duration_weeks=6
    )
    services.module_save(
        actor=lnd,
        program=program,
        title="Welcome",
        kind=ModuleKind.LESSON,
        release_week=1,
        body="Read.",
    )
    cohort = services.cohort_save(
        actor=lnd,
        program=program,
        name="Summer cohort",
        start_date=org.today() - datetime.timedelta(days=30),
        end_date=None,
        capacity=10,
    )
    people = EmployeeFactory.create_batch(2, organization=org)
    services.enrollment_import_start(
        actor=lnd,
        cohort=cohort,
        filename="june.csv",
        content=("email\n" + "".join(f"{p.email}\n" for p in people)).encode(),
    )

    sign_in("peter@initech.test", PASSWORD)
    open_home(page)
    # Every step is done, so no checklist: the to-do list leads.
    expect(page.get_by_role("heading", name="Getting started")).to_have_count(0)
    todo = page.get_by_role("region", name="To do")
    first = todo.get_by_role("listitem").first
    expect(first).to_have_text("Enrol 2 learners from june.csv into Summer cohort")
    first.get_by_role("link").click()

    expect(page.get_by_role("heading", name="Enrol from june.csv")).to_be_visible()
    page.get_by_role("button", name="Enrol 2 learners").click()

    open_home(page)
    expect(todo).to_contain_text("Nothing is waiting for you.")
    expect(page.get_by_text("june.csv")).to_have_count(0)
    assert page.evaluate("window.__cspViolations") == []


def test_the_executive_reads_the_headline_figures(page, sign_in, initech):
    org, user = initech
    page.add_init_script(WATCH_CSP)
    lnd = actor_for(user, org)
    template = services.program_save(
        actor=lnd, title="New managers", audience=Audience.NEW_MANAGERS, duration_weeks=6
    )
    services.module_save(
        actor=lnd,
        program=template,
        title="Welcome",
        kind=ModuleKind.LESSON,
        release_week=1,
        body="Read.",
    )
    services.module_save(
        actor=lnd,
        program=template,
        title="Practice",
        kind=ModuleKind.LESSON,
        release_week=1,
        body="Read.",
    )
    build_cohort(
        lnd,
        template,
        org,
        name="Large cohort",
        starts_in=-14,
        learners=[(2, 2, 3)] * 3 + [(0, 3, 3)] * 2,
    )
    build_cohort(lnd, template, org, name="Small cohort", starts_in=-7, learners=[(1, 1, 5)] * 4)
    executive = UserFactory(email="joanna@initech.test", full_name="Joanna")
    MembershipFactory(organization=org, user=executive, role=Role.EXECUTIVE)

    sign_in("joanna@initech.test", PASSWORD)
    open_home(page)
    impact = page.get_by_role("region", name="Program impact")
    # 9 learners; 10 of 18 released modules done; the large cohort's five: +1 x 3, 0 x 2.
    expect(impact.locator(".headline-figures dt")).to_have_text(
        ["Learners enrolled", "Completion", "Assessment change"]
    )
    expect(impact.locator(".headline-figures dd")).to_have_text(["9", "56%", "+0.6"])
    rows = impact.locator(".impact-table tbody tr")
    expect(rows.nth(0)).to_contain_text("Small cohort")
    expect(rows.nth(0)).to_contain_text("in progress")
    expect(rows.nth(1)).to_contain_text("+0.6")
    expect(impact).to_contain_text("Left out of the assessment change: Small cohort.")
    expect(impact.get_by_role("img", name="Completion by cohort")).to_be_visible()
    assert page.evaluate("window.__cspViolations") == []
