"""What each persona is asked to do about 360 raters on their home page: the exact
items, where each leads, and that each leaves once done."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feedback360.models import RaterStatus
from feedback360.services import nomination as services
from tests.factories import EmployeeFactory
from tests.feedback360.factories_nomination import other_learners, rater_row, settings_for

PERSONAS = [
    "learner",
    "peer_learner",
    "line_manager",
    "former_line_manager",
    "coach",
    "lnd_manager",
    "executive",
]


def todo(client, user) -> list[tuple[str, str]]:
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    block = html.split('id="todo-heading"', 1)[1].split("</section>", 1)[0]
    return [
        (unescape(re.sub(r"\s+", " ", text).strip()), unescape(href))
        for href, text in re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', block)
    ]


def about_raters(client, personas) -> dict:
    out = {}
    for name in PERSONAS:
        items = [(t, u) for t, u in todo(client, personas[name]) if "/raters/" in u]
        if items:
            out[name] = items
    return out


@pytest.fixture
def personas(request):
    return {name: request.getfixturevalue(name) for name in PERSONAS}


@pytest.mark.django_db
def test_rater_items_follow_the_nomination_from_nominating_to_answers(
    client, personas, cycle, enrollment, peer_enrollment, colleagues, org, manager_actor
):
    settings_for(org, peers_min=2)
    mine = reverse("feedback360:subject_raters", args=[cycle.pk, enrollment.pk])
    peers = reverse("feedback360:subject_raters", args=[cycle.pk, peer_enrollment.pk])
    what = "Spring cohort (before the program)"
    assert about_raters(client, personas) == {
        "learner": [(f"Nominate your 360 raters for {what}: peers 0 of at least 2", mine)],
        "peer_learner": [(f"Nominate your 360 raters for {what}: peers 0 of at least 2", peers)],
    }

    rows = [rater_row(cycle, enrollment, c) for c in colleagues[:2]]
    assert about_raters(client, personas) == {
        "learner": [(f"2 of your 360 raters for {what} await your line manager's approval", mine)],
        "peer_learner": [(f"Nominate your 360 raters for {what}: peers 0 of at least 2", peers)],
        "line_manager": [("Approve Learner's 360 raters (2 awaiting)", mine)],
    }

    services.raters_approve(actor=manager_actor, cycle=cycle, subject=enrollment)
    rows[0].status = RaterStatus.SUBMITTED
    rows[0].save(update_fields=["status"])
    rows[1].status = RaterStatus.DECLINED
    rows[1].save(update_fields=["status"])
    rater_row(cycle, enrollment, colleagues[2], status=RaterStatus.INVITED)
    assert about_raters(client, personas)["learner"] == [
        (f"1 of your 360 raters for {what} declined: nominate a replacement", mine),
        (f"1 of 2 of your 360 raters for {what} have answered", mine),
    ]
    assert "line_manager" not in about_raters(client, personas)


@pytest.mark.django_db
def test_the_line_managers_approvals_cost_as_many_queries_for_5_raters_as_for_50(
    client, line_manager, lnd, cohort, cycle, enrollment, org, line_manager_employee
):
    others = other_learners(lnd, cohort, 3)
    for e in others:
        e.employee.manager = line_manager_employee
        e.employee.save(update_fields=["manager"])
    subjects = [enrollment, *others]
    client.force_login(line_manager)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("home"))
        return len(ctx.captured_queries)

    for i in range(5):
        rater_row(cycle, subjects[i % 4], EmployeeFactory(organization=org))
    few = queries()
    for i in range(45):
        rater_row(cycle, subjects[i % 4], EmployeeFactory(organization=org))
    assert queries() == few
