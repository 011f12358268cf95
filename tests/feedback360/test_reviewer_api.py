"""The rater API: the link token in a header is the only way in, and it opens nothing
else. Bad input is a field-keyed 400; a used or expired link a 410; nothing changes."""

import pytest
from rest_framework.test import APIClient

from feedback360.models import CycleStatus, FeedbackAnswer, RaterStatus
from feedback360.services.reviewer import RESPONSE_SUBMITTED
from people.models import DomainEvent, Role
from people.services import api_token_create
from tests.conftest import actor_for
from tests.feedback360.factories_reviewer import (  # noqa: F401  (fixtures)
    fixture_cycle,
    fixture_invited,
    fixture_peer_rater,
    fixture_subject,
)

BASE = "/api/v1/360/rater/"
ALL = [
    {"item": "del-1", "value": 4},
    {"item": "del-2", "value": 2},
    {"item": "fb-1", "not_observed": True},
    {"item": "fb-2", "value": 5},
]


@pytest.fixture
def api():
    return APIClient()


def _auth(token, header="authorization"):
    if header == "authorization":
        return {"HTTP_AUTHORIZATION": f"Rater {token}"}
    return {"HTTP_X_RATER_TOKEN": token}


def _answers(assignment):
    return sorted(
        FeedbackAnswer.objects.filter(response__assignment=assignment).values_list(
            "item__key", "value", "not_observed", "text"
        )
    )


@pytest.mark.parametrize("header", ["authorization", "x-rater-token"])
def test_a_rater_reads_the_questionnaire_with_their_link(api, invited, header):
    response = api.get(BASE, **_auth(invited, header))
    assert response.status_code == 200
    body = response.json()
    assert (body["subject"], body["group"], body["answered"], body["total"]) == (
        "Learner",
        "peer",
        0,
        4,
    )
    assert body["who_sees_what"] == {
        "identified": False,
        "group_threshold": 3,
        "overall_threshold": 4,
    }
    assert [i["item"] for i in body["items"]] == ["del-1", "del-2", "fb-1", "fb-2", "keep"]
    assert body["items"][0]["anchors"]["5"] == "Consistently, and helps others do it too."
    assert body["items"][-1] == {
        "item": "keep",
        "kind": "open",
        "text": "What should they keep doing?",
        "answer": "",
    }


def test_a_draft_then_a_submission(api, invited, peer_rater, cycle, subject):
    auth = _auth(invited)
    draft = api.post(
        BASE + "draft/",
        {"answers": [{"item": "del-1", "value": 4}, {"item": "keep", "text": "Calm"}]},
        format="json",
        **auth,
    )
    assert draft.status_code == 200 and draft.json()["answered"] == 1
    assert _answers(peer_rater) == [("del-1", 4, False, ""), ("keep", None, False, "Calm")]

    incomplete = api.post(BASE + "submit/", {"answers": []}, format="json", **auth)
    assert incomplete.status_code == 400
    assert incomplete.json()["answers"] == [
        "3 statements still need a rating or 'Not observed' before you submit."
    ]
    assert set(incomplete.json()) == {"answers", "del-2", "fb-1", "fb-2"}

    done = api.post(BASE + "submit/", {"answers": ALL}, format="json", **auth)
    assert (done.status_code, done.json()) == (200, {"status": "submitted"})
    peer_rater.refresh_from_db()
    assert peer_rater.status == RaterStatus.SUBMITTED
    [event] = DomainEvent.objects.filter(name=RESPONSE_SUBMITTED)
    assert event.payload == {"cycle_id": cycle.pk, "subject_enrollment_id": subject.pk}

    again = api.post(BASE + "submit/", {"answers": ALL}, format="json", **auth)
    assert again.status_code == 410
    assert (
        again.json()["detail"] == "This link's feedback was already submitted; answers are final."
    )
    assert api.get(BASE, **auth).status_code == 410


@pytest.mark.parametrize(
    "answers, field",
    [
        ([{"item": "del-1", "value": 6}], "answers"),
        ([{"item": "nope", "value": 3}], "answers"),
        ([{"item": "keep", "text": "x" * 2001}], "answers"),
        ("not a list", "answers"),
        ([{"item": "del-1", "value": 4, "not_observed": True}], "answers"),
    ],
)
def test_bad_answers_are_a_field_error_and_change_nothing(api, invited, peer_rater, answers, field):
    response = api.post(BASE + "draft/", {"answers": answers}, format="json", **_auth(invited))
    assert response.status_code == 400 and field in response.json()
    assert _answers(peer_rater) == []


def test_an_unknown_or_altered_link_is_a_401_and_a_closed_one_a_410(
    api, invited, peer_rater, cycle
):
    for token in ("a" * 43, invited[:-1] + ("A" if invited[-1] != "A" else "B")):
        response = api.post(BASE + "submit/", {"answers": ALL}, format="json", **_auth(token))
        assert response.status_code == 401
        assert response.json()["detail"] == "This rater link is not recognised."
    cycle.status = CycleStatus.CLOSED
    cycle.save(update_fields=["status"])
    for action in ("draft/", "submit/", "decline/", "unsubscribe/"):
        response = api.post(BASE + action, {"answers": ALL}, format="json", **_auth(invited))
        assert response.status_code == 410, action
        assert response.json()["detail"] == "This feedback cycle has closed."
    peer_rater.refresh_from_db()
    assert (peer_rater.status, peer_rater.unsubscribed_at, _answers(peer_rater)) == (
        RaterStatus.INVITED,
        None,
        [],
    )


def test_decline_and_unsubscribe(api, invited, peer_rater):
    assert api.post(BASE + "unsubscribe/", **_auth(invited)).json() == {"status": "unsubscribed"}
    response = api.post(BASE + "decline/", {"reason": "Not enough contact"}, **_auth(invited))
    assert response.json() == {"status": "declined"}
    peer_rater.refresh_from_db()
    assert peer_rater.status == RaterStatus.DECLINED and peer_rater.unsubscribed_at is not None
    assert api.get(BASE, **_auth(invited)).json()["detail"] == "This request was declined."


def test_no_member_reaches_the_rater_api_and_a_rater_link_reaches_nothing_else(
    api, invited, lnd_manager, org
):
    """The rater is a principal of its own: an L&D manager's session or API token is
    refused here, and the rater's token is refused by every other resource."""
    api.force_login(lnd_manager)
    assert api.get(BASE).status_code in (401, 403)
    api.logout()
    _token, secret = api_token_create(
        actor=actor_for(lnd_manager, org), name="t", roles=[Role.LND_MANAGER], read_only=False
    )
    assert api.get(BASE, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code in (401, 403)
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    for other in ("/api/v1/me/", "/api/v1/employees/", "/api/v1/"):
        assert api.get(other, **_auth(invited)).status_code in (401, 403), other
        assert api.get(other, HTTP_X_RATER_TOKEN=invited).status_code in (401, 403), other
