"""Who has answered a 360 is never shown: to the learner, their line manager and L&D a
rater who answered looks exactly like one who was invited and has not (the response
counts say how many, never who)."""

import re

from django.urls import reverse

from feedback360.models import CycleStatus, RaterStatus
from tests.feedback360.factories_nomination import make_cycle, rater_row


def row_of(html: str, pk: int) -> str:
    return re.search(rf'<tr data-rater="{pk}">(.*?)</tr>', html, re.S).group(1)


def test_an_answered_rater_looks_like_an_invited_one_on_the_page_and_in_the_api(
    client, learner, line_manager, lnd_manager, cohort, enrollment, colleagues
):
    cycle = make_cycle(cohort=cohort, status=CycleStatus.OPEN)
    answered = rater_row(cycle, enrollment, colleagues[0], status=RaterStatus.SUBMITTED)
    waiting = rater_row(cycle, enrollment, colleagues[1], status=RaterStatus.INVITED)
    page = reverse("feedback360:subject_raters", args=[cycle.pk, enrollment.pk])
    for user in (learner, line_manager, lnd_manager):
        client.force_login(user)
        html = client.get(page).content.decode()
        shown = [
            row_of(html, r.pk).replace(r.name, "NAME").replace(r.email, "EMAIL")
            for r in (answered, waiting)
        ]
        assert shown[0] == shown[1], user.email
        assert "Invited" in shown[0] and "Answered" not in html

        rows = client.get("/api/v1/360-raters/", {"cycle": cycle.pk}).json()["results"]
        assert {(r["id"], r["status"], r["status_label"]) for r in rows} == {
            (answered.pk, "invited", "Invited"),
            (waiting.pk, "invited", "Invited"),
        }
        # Filtering by status is not offered, so it cannot single out who answered.
        filtered = client.get("/api/v1/360-raters/", {"cycle": cycle.pk, "status": "submitted"})
        assert len(filtered.json()["results"]) == 2
