"""A learner whose cohort has ended is shown as finished on the date it ended, with their
completion, not as "week 12 of 12" and "On track": on the line manager's team page, the
coach's list of learners and the learner's progress page. Running cohorts come first;
finished ones are folded away."""

import datetime
import re

import pytest
from django.urls import reverse

from programs import services
from tests.programs.conftest import module_named


@pytest.fixture
def finished(cohort, enrollment, org, learner_actor, program):
    services.module_complete(
        actor=learner_actor, enrollment=enrollment, module=module_named(program, "Welcome")
    )
    cohort.start_date = org.today() - datetime.timedelta(weeks=14)
    cohort.end_date = org.today() - datetime.timedelta(days=3)
    cohort.save(update_fields=["start_date", "end_date"])
    return enrollment


def ended(cohort) -> str:
    return f"Finished {cohort.end_date.day} {cohort.end_date:%b %Y}"


def folded(html: str) -> tuple[str, str]:
    """(the page before the finished learners' fold, the fold)"""
    before, _, after = html.partition('<details id="finished-learners">')
    return before, after.split("</details>", 1)[0]


def test_the_team_page_shows_a_finished_learner_as_finished_with_their_completion(
    client, line_manager, finished, cohort
):
    client.force_login(line_manager)
    running, fold = folded(client.get(reverse("follow:team_progress")).content.decode())
    link = reverse("follow:learner", args=[finished.pk])
    assert link not in running
    assert "None of your direct reports is in a running cohort." in running
    assert "Finished cohorts (1 learner)" in fold
    assert link in fold
    assert ended(cohort) in fold and "1 of 4 done" in fold
    assert "On track" not in fold and "Behind" not in fold


def test_the_coach_list_puts_running_cohorts_first_and_folds_finished_ones(
    client,
    finished,
    cohort,
    peer_enrollment,
    lnd,
    template,
    org,
):
    # The peer moves to a cohort still running, with the same coach.
    running_cohort = services.cohort_save(
        actor=lnd,
        program=template,
        name="Autumn cohort",
        start_date=org.today() - datetime.timedelta(days=3),
        end_date=None,
        capacity=10,
        coach_ids=[finished.coach_id],
    )
    peer_enrollment.cohort = running_cohort
    peer_enrollment.coach_id = finished.coach_id
    peer_enrollment.save(update_fields=["cohort", "coach"])
    client.force_login(finished.coach)
    running, fold = folded(client.get(reverse("follow:coach_learners")).content.decode())
    link = reverse("follow:learner", args=[finished.pk])
    assert reverse("follow:learner", args=[peer_enrollment.pk]) in running
    assert "New managers · Autumn cohort" in running
    assert link not in running
    assert link in fold and ended(cohort) in fold
    assert "Finished cohorts (1 learner)" in fold


def test_the_learner_page_says_when_the_cohort_finished_not_which_week_it_is(
    client, finished, cohort
):
    client.force_login(finished.coach)
    html = client.get(reverse("follow:learner", args=[finished.pk])).content.decode()
    lead = re.search(r'<p class="lead">(.*?)</p>', html, re.S).group(1)
    assert f"finished {cohort.end_date.day} {cohort.end_date:%b %Y}" in lead
    assert "week" not in lead
    assert "1 of 4 modules done" in html


def test_a_running_cohort_still_shows_its_week(client, enrollment):
    client.force_login(enrollment.coach)
    html = client.get(reverse("follow:learner", args=[enrollment.pk])).content.decode()
    assert "week 2 of 12" in html and "finished" not in html.lower().split("<main", 1)[-1]


def test_a_cohort_named_after_its_program_is_not_named_twice(client, cohort, enrollment):
    cohort.name = "New managers · cohort 3"
    cohort.save(update_fields=["name"])
    client.force_login(enrollment.coach)
    html = client.get(reverse("follow:learner", args=[enrollment.pk])).content.decode()
    assert '<p class="lead">New managers · cohort 3 · week' in html
    assert "New managers · New managers" not in html
    listing = client.get(reverse("follow:coach_learners")).content.decode()
    assert "<td>New managers · cohort 3</td>" in listing


def test_the_learner_sees_their_own_program_as_finished(client, finished, cohort, learner):
    client.force_login(learner)
    html = client.get(reverse("learn:home")).content.decode()
    assert f"Finished {cohort.end_date.day} {cohort.end_date:%b %Y}" in html
    assert "Week 12 of 12" not in html
