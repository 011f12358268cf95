"""The cohort grid fits a 1366 px laptop screen with 16 modules and a dozen learners, the
L&D manager nudges a learner from it, and the module form shows only the chosen kind's
fields, all under the production CSP."""

import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from people.models import Role
from programs import services
from programs.models import ModuleKind
from tests.conftest import _persona, actor_for
from tests.factories import PASSWORD, EmployeeFactory, OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)

# Recorded before any page script runs; Playwright injects this outside the page's CSP.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""

# Long names and titles on purpose: the grid must fit with real-world text in it.
LEARNERS = [
    "Alexandra Montgomery-Fitzgerald",
    "Bartholomew Okonkwo-Richardson",
    "Chen Wei",
    "Dagmar Schwarzenegger",
    "Eleanor Vasquez de la Cruz",
    "Farid Al-Hashimi",
    "Gwendolyn Abernathy",
    "Hiroshi Takahashi",
    "Ingrid Lindqvist",
    "Jean-Baptiste Delacroix",
    "Kwame Mensah",
    "Ludmila Petrovskaya",
]


@pytest.fixture
def grid_cohort():
    org = OrganizationFactory(name="Gridley", slug="gridley", time_zone="Europe/London")
    lnd_user = _persona(org, "lnd@gridley.test", [Role.LND_MANAGER])[0]
    lnd = actor_for(lnd_user, org)
    services.competencies_seed(organization=org)
    template = services.program_save(
        actor=lnd, title="Leading engineering teams", audience="new_managers", duration_weeks=16
    )
    for week in range(1, 17):
        services.module_save(
            actor=lnd,
            program=template,
            title=f"Week {week}: holding difficult conversations with your team, part {week}",
            kind=ModuleKind.LESSON,
            release_week=week,
            body="Read this.",
        )
    cohort = services.cohort_save(
        actor=lnd,
        program=template,
        name="Spring leaders",
        start_date=org.today() - datetime.timedelta(weeks=5),
        end_date=None,
        capacity=20,
    )
    services.cohort_save(
        actor=lnd,
        program=template,
        name="Autumn leaders",
        start_date=org.today() + datetime.timedelta(weeks=20),
        end_date=None,
        capacity=20,
    )
    people = [
        EmployeeFactory(
            organization=org, full_name=name, email=f"learner{i}@gridley.test", manager=None
        )
        for i, name in enumerate(LEARNERS)
    ]
    enrollments = services.enrollment_add(actor=lnd, cohort=cohort, employees=people, notify=False)
    modules = list(cohort.program.modules.order_by("release_week"))
    for i, enrollment in enumerate(enrollments):
        learner = actor_for(enrollment.employee.user, org)
        for module in modules[: i % 5]:
            services.module_complete(actor=learner, enrollment=enrollment, module=module)
    return cohort, template, {e.employee.full_name: e for e in enrollments}


def _no_sideways_scroll(page):
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width}"


def test_the_grid_fits_a_laptop_and_nudges_a_learner(page, sign_in, grid_cohort, mailoutbox):
    cohort, _template, enrollments = grid_cohort
    page.add_init_script(WATCH_CSP)
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in("lnd@gridley.test", PASSWORD)
    response = page.goto(reverse("programs:cohort_detail", args=[cohort.pk]))
    assert response.headers["content-security-policy"] == settings.LODESTAR_CSP

    _no_sideways_scroll(page)
    wrap = page.locator(".grid-wrap")
    assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth"), "the grid itself fits too"
    expect(page.locator(".grid-legend")).to_be_visible()
    expect(page.locator(".grid-legend")).to_contain_text("overdue (a week after release)")
    expect(page.locator(".hm-cell")).to_have_count(16 * 12)
    expect(page.locator("thead .hm-col")).to_have_count(16)

    # The last row's menu opens over the grid, uncut and without widening the page; its
    # Move select has no cohort chosen.
    last = "Ludmila Petrovskaya"
    row = page.get_by_role("row").filter(has_text=last)
    row.get_by_text("Actions").click()
    move = row.get_by_label(f"Move {last} to")
    expect(move).to_be_visible()
    expect(move).to_have_value("")
    expect(row.get_by_role("link", name=f"Withdraw {last}…")).to_be_visible()
    _no_sideways_scroll(page)
    panel, box = row.locator(".row-menu-panel").bounding_box(), wrap.bounding_box()
    assert panel["y"] + panel["height"] <= box["y"] + box["height"], "the menu is not cut off"
    assert wrap.evaluate("w => w.scrollHeight <= w.clientHeight"), "no scrollbar in the grid"
    row.get_by_text("Actions").click()

    page.get_by_label("Select Chen Wei").check()
    page.get_by_role("button", name="Nudge the selected learners").click()
    expect(page.get_by_text("Nudged 1 learner.")).to_be_visible()
    [mail] = mailoutbox
    chen = enrollments["Chen Wei"]
    # Chen did two of the five modules released so far: week 3's is next.
    week3 = cohort.program.modules.get(release_week=3)
    assert mail.to == [chen.employee.email]
    assert reverse("learn:module", args=[chen.pk, week3.pk]) in mail.body

    # On a narrower screen the grid scrolls inside its box and the learner column stays.
    page.set_viewport_size({"width": 600, "height": 768})
    _no_sideways_scroll(page)
    name_cell = page.get_by_role("rowheader").filter(has_text="Chen Wei")
    before = name_cell.bounding_box()["x"]
    wrap.evaluate("w => { w.scrollLeft = 300; }")
    assert wrap.evaluate("w => w.scrollLeft") > 0, "the grid scrolls at 600 px"
    assert name_cell.bounding_box()["x"] == pytest.approx(before, abs=1)
    assert page.evaluate("window.__cspViolations") == []


def test_the_module_form_shows_only_the_chosen_kinds_fields(page, sign_in, grid_cohort):
    _cohort, template, _enrollments = grid_cohort
    page.add_init_script(WATCH_CSP)
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in("lnd@gridley.test", PASSWORD)
    page.goto(reverse("programs:program_detail", args=[template.pk]))

    content = page.get_by_label("Content (Markdown)")
    scenario = page.get_by_label("Scenario", exact=True)
    where = page.get_by_label("Room or video link")
    check_note = page.get_by_text("set its questions from the module's page")
    kind = page.get_by_label("Kind")

    expect(kind).to_have_value("lesson")
    expect(content).to_be_visible()
    for hidden in (scenario, where, check_note):
        expect(hidden).to_be_hidden()

    kind.select_option("scenario")
    expect(scenario).to_be_visible()
    for hidden in (content, where, check_note):
        expect(hidden).to_be_hidden()

    kind.select_option("live_session")
    expect(content).to_be_visible()
    expect(where).to_be_visible()
    expect(page.get_by_label("Live session starts")).to_be_visible()
    expect(scenario).to_be_hidden()

    kind.select_option("knowledge_check")
    expect(check_note).to_be_visible()
    expect(content).to_be_visible()
    expect(where).to_be_hidden()

    # What the chosen kind needs is still checked by the server.
    page.get_by_label("Title").fill("Kick-off")
    kind.select_option("live_session")
    page.get_by_label("Released in week").fill("1")
    page.get_by_role("button", name="Add module").click()
    expect(
        page.get_by_text("Say where the session happens: a room or a video link.")
    ).to_be_visible()
    expect(page.get_by_label("Room or video link")).to_be_visible()
    expect(page.get_by_label("Scenario", exact=True)).to_be_hidden()
    assert re.search(r"module-form\.js", page.content())
    assert page.evaluate("window.__cspViolations") == []
