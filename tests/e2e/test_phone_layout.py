"""Every page fits a 390 px phone, for every role: nothing scrolls sideways, the header
folds behind a Menu button that opens the navigation, and no page logs a console error.

Each role signs in once (one browser context) and crawls what it can reach from its
home page by following links within the site, on the demo organisation plus the
awkward cases: long names, emails, team names and job titles, a second organisation
(the switcher), and a roster import waiting in preview.
"""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from people.demo import DEMO_PASSWORD, demo_load_all
from people.models import Employee, Organization, Role, User
from people.services.roster_import import roster_import_start
from programs import services as program_services
from programs.demo import DEMO_COHORT
from programs.models import Cohort
from tests.conftest import actor_for
from tests.factories import EmployeeFactory, MembershipFactory, OrganizationFactory, TeamFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
ROLES = {
    "lnd@acme.example": "L&D manager",
    "learner@acme.example": "learner",
    "manager@acme.example": "line manager",
    "coach@acme.example": "coach",
    "exec@acme.example": "executive",
    "admin@acme.example": "staff admin",
}
MAX_PAGES = 150
# /people/12/ and /people/345/ are one page drawn from one template: a few of each shape
# find what overflows without visiting all four hundred people.
PER_SHAPE = 6
# Not pages to lay out: sign-out (a POST anyway), sign-in, the API and its docs, the
# Django admin, static files and downloads.
SKIP = re.compile(
    r"^/(logout|login|password-reset|api|admin|static|media)/|/export|\.(csv|xlsx|yaml|json)$"
)
LONG_NAME = "Maximiliane Wolfeschlegelsteinhausenbergerdorff-Oppenheimer"
LONG_EMAIL = (
    "maximiliane.wolfeschlegelsteinhausenbergerdorff-oppenheimer"
    "@platform-engineering.acme-software.example"
)

# The element reaching furthest past the window's right edge, named by a CSS path, for
# the failure message. Elements inside a box that scrolls or clips (a .table-wrap) are
# the box's business, not the page's.
WIDEST_ELEMENT = """() => {
  const width = window.innerWidth;
  const clipped = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  const name = (el) => el.id ? `${el.localName}#${el.id}`
    : el.localName + [...el.classList].map((c) => '.' + c).join('');
  const path = (el) => {
    const parts = [];
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      parts.unshift(name(e));
      if (e.id) break;
    }
    return parts.join(' > ');
  };
  // An element's reach includes text overflowing its own box (scrollWidth); of an
  // element and its ancestors reaching as far, the innermost is named.
  let widest = null;
  let right = width + 1;
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    const edge = Math.max(box.right, box.left + el.scrollWidth);
    if (edge >= right && !clipped(el)) { widest = el; right = edge; }
  }
  return widest ? `${path(widest)} reaches ${Math.round(right)} px` : 'no single element';
}"""


@pytest.fixture
def acme():
    """The demo organisation with every app's demo data, plus the awkward cases."""
    demo_load_all()
    org = Organization.objects.get(slug="acme")
    lnd = actor_for(User.objects.get(email="lnd@acme.example"), org)
    manager = Employee.objects.get(organization=org, email="manager@acme.example")
    team = TeamFactory(
        organization=org, name="Developer Productivity, Continuous Integration and Releases"
    )
    long_named = EmployeeFactory(
        organization=org,
        team=team,
        manager=manager,
        full_name=LONG_NAME,
        email=LONG_EMAIL,
        job_title="Principal Software Engineer, Distributed Payments Infrastructure",
    )
    cohort = Cohort.objects.get(organization=org, name=DEMO_COHORT)
    program_services.enrollment_add(actor=lnd, cohort=cohort, employees=[long_named], notify=False)
    # A second organisation puts the organisation switcher in the L&D manager's menu.
    other = OrganizationFactory(
        name="Acme Software Engineering Services GmbH & Co. KG", slug="acme-services"
    )
    MembershipFactory(organization=other, user=lnd.user, role=Role.LND_MANAGER)
    rows = [
        f"N{n},Person Number{n},person.number{n}@acme.example,Platform,,Engineer,L3,2024-0{n % 9 + 1}-01"
        for n in range(30)
    ]
    rows.append(f"N99,{LONG_NAME} Junior,junior.{LONG_EMAIL},{team.name},,Engineer,L2,2024-02-30")
    csv = "employee_id,name,email,team,manager_email,job_title,level,hire_date\n" + "\n".join(rows)
    roster_import_start(
        actor=lnd,
        filename="acme-roster-export-for-the-platform-engineering-reorganisation.csv",
        content=csv.encode(),
    )
    return org


def sign_in(page, email):
    page.goto("/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def check_menu(page):
    """On a phone the navigation waits behind the Menu button, which opens it by mouse
    and keyboard; Escape closes it and gives the button back its focus."""
    menu = page.get_by_role("button", name="Menu", exact=True)
    nav = page.get_by_role("navigation", name="Main")
    sign_out = page.get_by_role("button", name="Sign out")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()
    expect(sign_out).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav).to_be_visible()
    expect(nav.locator('a[aria-current="page"]')).to_have_text("Home")
    expect(sign_out).to_be_visible()
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(menu).to_be_focused()
    page.keyboard.press("Enter")
    expect(nav).to_be_visible()
    assert not overflow(page), f"with the menu open the page {overflow(page)}"


def overflow(page) -> str:
    """Empty when the page fits the window; else how wide it is and what sticks out."""
    scroll_width, width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    if scroll_width <= width:
        return ""
    return f"is {scroll_width} px wide in a {width} px window: {page.evaluate(WIDEST_ELEMENT)}"


def crawl(page, origin):
    """Visits every page reachable from the home page (a few of each shape, at most
    MAX_PAGES) and returns what is wrong: pages that scroll sideways, naming the widest
    element, and pages that do not answer 200."""
    problems = []
    queue, seen, shapes = ["/"], set(), {}
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        shape = re.sub(r"\d+", "N", path)
        if path in seen or shapes.get(shape, 0) >= PER_SHAPE:
            continue
        seen.add(path)
        shapes[shape] = shapes.get(shape, 0) + 1
        response = page.goto(path)
        if response.status != 200:
            problems.append(f"{path} answered {response.status}")
            continue
        if too_wide := overflow(page):
            problems.append(f"{path} {too_wide}")
        for href in page.eval_on_selector_all(
            "a[href]:not([download])", "links => links.map((a) => a.href)"
        ):
            url = urlsplit(href)
            link = url.path + (f"?{url.query}" if url.query else "")
            if url.netloc == origin and not SKIP.search(url.path) and link not in seen:
                queue.append(link)
    return seen, problems


def test_every_page_fits_a_phone_for_every_role(browser, live_server, acme):
    origin = urlsplit(live_server.url).netloc
    report = []
    for email, role in ROLES.items():
        context = browser.new_context(base_url=live_server.url, viewport=PHONE)
        context.set_default_timeout(10_000)
        page = context.new_page()
        console = []
        page.on(
            "console",
            lambda msg, page=page, console=console: (
                console.append(f"{urlsplit(page.url).path}: {msg.text}")
                if msg.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda exc, console=console: console.append(str(exc)))
        sign_in(page, email)
        check_menu(page)
        visited, problems = crawl(page, origin)
        context.close()
        assert len(visited) >= 2, f"{role} reached only {sorted(visited)}"
        report += [f"{role}: {problem}" for problem in problems + console]
    assert not report, "\n".join(report)


def test_the_menu_shows_without_javascript_and_folds_on_wide_screens(browser, live_server, acme):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=False
    )
    page = context.new_page()
    sign_in(page, "lnd@acme.example")
    # Without the script there is no button to press: the menu is simply there.
    expect(page.get_by_role("button", name="Menu", exact=True)).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_label("Organisation")).to_be_attached()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()

    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    sign_in(page, "lnd@acme.example")
    expect(page.get_by_role("button", name="Menu", exact=True)).to_be_hidden()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="People")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.set_viewport_size(PHONE)
    expect(page.get_by_role("button", name="Menu", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_hidden()
    context.close()
