"""The L&D manager's first journey: sign in, import a roster file, see the people."""

import pytest
from playwright.sync_api import expect

from people.demo import demo_load
from people.models import Employee

pytestmark = pytest.mark.django_db(transaction=True)

GOOD = (
    "employee_id,name,email,team,manager_email,job_title,level,hire_date\n"
    "N1,Margaret Hamilton,margaret.hamilton@acme.example,Apollo,,Director of Software,M3,2024-02-01\n"
    "N2,Katherine Johnson,katherine.johnson@acme.example,Apollo,margaret.hamilton@acme.example,Engineer,L4,2024-03-01\n"
)
BAD = "name,email,hire_date\nNo Date,nodate@acme.example,01/02/2024\n"


def test_lnd_manager_imports_a_roster_and_sees_the_people(page, sign_in, tmp_path):
    demo_load()
    sign_in("lnd@acme.example", "lodestar-demo")
    expect(page.get_by_role("heading", name="Learning & development")).to_be_visible()

    page.get_by_role("link", name="Roster import").first.click()
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD)
    page.get_by_label("Roster file (CSV or XLSX)").set_input_files(str(bad))
    page.get_by_role("button", name="Upload and check").click()
    expect(
        page.get_by_text("hire_date '01/02/2024' is not a date in YYYY-MM-DD form.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Apply")).to_have_count(0)

    page.get_by_role("link", name="← Roster import").click()
    good = tmp_path / "roster.csv"
    good.write_text(GOOD)
    page.get_by_label("Roster file (CSV or XLSX)").set_input_files(str(good))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_text("Ready to review")).to_be_visible()
    expect(page.get_by_text("New teams: Apollo")).to_be_visible()
    page.get_by_role("button", name="Apply 2 changes").click()

    expect(page.get_by_text("Roster updated: 2 added")).to_be_visible()
    expect(page.get_by_role("heading", name="People")).to_be_visible()
    page.get_by_label("Search").fill("Katherine")
    row = page.get_by_role("row", name="Katherine Johnson")
    expect(row).to_be_visible()
    expect(row).to_contain_text("Margaret Hamilton")
    expect(page.get_by_role("link", name="Margaret Hamilton")).to_have_count(0)
    assert Employee.objects.get(email="katherine.johnson@acme.example").manager.full_name == (
        "Margaret Hamilton"
    )


def test_people_page_works_on_a_phone(browser, live_server):
    demo_load()
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("Email").fill("manager@acme.example")
    page.get_by_label("Password").fill("lodestar-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your direct reports")).to_be_visible()
    page.get_by_role("button", name="Menu", exact=True).click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page scrolls sideways on a phone ({width}px)"
    context.close()
