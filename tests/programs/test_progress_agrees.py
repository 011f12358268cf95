"""The cohort grid, "My team" and the coach's learner list read a learner's progress the
same way: completed of total, the bar and the schedule badge."""

import re

import pytest
from django.urls import reverse

from programs import services
from tests.programs.conftest import module_named


def _progress_of(html: str, enrollment_pk: int) -> dict:
    """The bar value, "N of M done" and the schedule badge shown for one enrolment."""
    bar = re.search(
        rf'<progress id="sum-{enrollment_pk}" max="100" value="(\d+)">.*?</progress>\s*'
        r"(\d+) of (\d+) done",
        html,
        re.S,
    )
    assert bar, f"no progress bar for enrolment {enrollment_pk}"
    row_start = html.rfind("<tr", 0, bar.start())
    row = html[row_start : html.find("</tr>", bar.end())]
    badge = re.search(r'<span class="badge[^"]*">([^<]+)</span>', row)
    return {
        "percent": int(bar.group(1)),
        "completed": int(bar.group(2)),
        "total": int(bar.group(3)),
        "badge": badge.group(1) if badge else None,
    }


@pytest.fixture
def welcome_done(enrollment, learner_actor, program):
    # Ten days in: week 1's role-play is overdue, week 2's reflection is open, week 10 locked.
    services.module_complete(
        actor=learner_actor, enrollment=enrollment, module=module_named(program, "Welcome")
    )
    return enrollment


def test_grid_team_and_coach_pages_show_the_same_progress(
    client, lnd_manager, line_manager, org, cohort, welcome_done, peer_enrollment
):
    pages = {}
    client.force_login(lnd_manager)
    pages["grid"] = client.get(reverse("programs:cohort_detail", args=[cohort.pk]))
    client.force_login(line_manager)
    pages["team"] = client.get(reverse("follow:team_progress"))
    client.force_login(welcome_done.coach)
    pages["coach"] = client.get(reverse("follow:coach_learners"))

    expected = {"percent": 25, "completed": 1, "total": 4, "badge": "Behind: 1"}
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert _progress_of(response.content.decode(), welcome_done.pk) == expected, name


def test_a_learner_with_nothing_overdue_is_on_track(
    client, line_manager, lnd_manager, cohort, welcome_done, learner_actor, program
):
    services.module_complete(
        actor=learner_actor,
        enrollment=welcome_done,
        module=module_named(program, "Feedback role-play"),
    )
    expected = {"percent": 50, "completed": 2, "total": 4, "badge": "On track"}
    client.force_login(line_manager)
    team = client.get(reverse("follow:team_progress")).content.decode()
    assert _progress_of(team, welcome_done.pk) == expected
    client.force_login(lnd_manager)
    grid = client.get(reverse("programs:cohort_detail", args=[cohort.pk])).content.decode()
    assert _progress_of(grid, welcome_done.pk) == expected
