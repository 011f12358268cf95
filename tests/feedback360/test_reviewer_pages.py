"""The rater's pages, with no account: who sees what before the first question, a
draft to come back to, one submission, decline, unsubscribe, and a clear page that
changes nothing for a link that no longer works."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feedback360.models import (
    CycleStatus,
    FeedbackAnswer,
    FeedbackResponse,
    QuestionnaireItem,
    RaterGroup,
    RaterStatus,
)
from feedback360.services import invitations
from feedback360.services.reviewer import RESPONSE_SUBMITTED
from people.models import DomainEvent
from people.outbox import mail_send_pending
from tests.factories import EmployeeFactory
from tests.feedback360.factories_reviewer import (  # noqa: F401  (fixtures)
    enrol,
    fixture_cycle,
    fixture_invited,
    fixture_peer_rater,
    fixture_subject,
    open_cycle,
    rater,
    token_from,
)

ALL_RATINGS = {"rating-del-1": "4", "rating-del-2": "3", "rating-fb-1": "5"}


def _url(token, name="rater_form"):
    return reverse(f"feedback360:{name}", args=[token])


def _state(assignment):
    """What a rater's row and answers look like, to prove a refused request changed
    nothing."""
    assignment.refresh_from_db()
    return (
        assignment.status,
        assignment.declined_at,
        assignment.unsubscribed_at,
        list(FeedbackResponse.objects.filter(assignment=assignment).values_list("status")),
        sorted(
            FeedbackAnswer.objects.filter(response__assignment=assignment).values_list(
                "item__key", "value", "not_observed", "text"
            )
        ),
    )


def test_the_page_says_who_sees_what_before_the_first_question(client, invited):
    page = client.get(_url(invited)).content.decode()
    assert "Feedback for Learner" in page
    intro = page.index("Who will see your answers")
    assert intro < page.index("Hands over whole problems")
    assert "combined with those of the other peers" in page
    assert "at least <strong>3</strong> peers have answered" in page
    assert "from at least <strong>4</strong> answers" in page
    assert "Only the manager's answers carry a name" in page
    assert "L&amp;D managers see only how many people have answered" in page
    assert "0 of 4 statements answered" in page


def test_a_manager_is_told_their_answers_are_identified(client, cycle, subject, mailoutbox):
    manager = rater(cycle, subject, name="Mo", email="manager@acme.test", group=RaterGroup.MANAGER)
    invitations.invite([manager.pk])
    mail_send_pending()
    page = client.get(_url(token_from(mailoutbox[-1].body))).content.decode()
    assert "Your answers are identified." in page
    assert "combined with those of the other" not in page


def test_the_thresholds_come_from_the_cycle(client, org, learner_employee, mailoutbox):
    cycle = open_cycle(org, peer_threshold=5)
    subject = enrol(cycle, learner_employee)
    peer = rater(cycle, subject, name="P", email="p@x.test")
    invitations.invite([peer.pk])
    mail_send_pending()
    page = client.get(_url(token_from(mailoutbox[-1].body))).content.decode()
    assert "at least <strong>5</strong> peers have answered" in page


def test_a_draft_is_saved_and_waits_for_the_rater_to_come_back(client, invited, peer_rater):
    response = client.post(
        _url(invited),
        {"rating-del-1": "4", "rating-fb-1": "not_observed", "text-keep": "  Calm in incidents "},
    )
    assert response.status_code == 302
    assert response["Location"] == _url(invited) + "?saved=1"
    saved = client.get(response["Location"]).content.decode()
    assert "Draft saved at" in saved
    assert "2 of 4 statements answered" in saved
    assert 'id="r-del-1-4" value="4" checked' in saved
    assert 'id="r-fb-1-no" value="not_observed" checked' in saved
    assert ">Calm in incidents</textarea>" in saved
    assert _state(peer_rater)[3:] == (
        [("draft",)],
        [
            ("del-1", 4, False, ""),
            ("fb-1", None, True, ""),
            ("keep", None, False, "Calm in incidents"),
        ],
    )


def test_submitting_with_statements_unanswered_keeps_the_draft_and_lists_them(
    client, invited, peer_rater
):
    page = client.post(_url(invited), {"rating-del-1": "4", "submit": "1"}).content.decode()
    assert "3 statements still need a rating or &#x27;Not observed&#x27;" in page
    assert "Your answers so far are saved, but not submitted yet." in page
    assert '<a href="#q-del-2">2. Lets the team own incident follow-ups.</a>' in page
    assert _state(peer_rater)[0] == RaterStatus.INVITED
    assert _state(peer_rater)[4] == [("del-1", 4, False, "")]
    assert not DomainEvent.objects.filter(name=RESPONSE_SUBMITTED).exists()


def test_a_submission_is_final_and_announced_without_naming_the_rater(
    client, invited, peer_rater, subject, cycle
):
    response = client.post(
        _url(invited), {**ALL_RATINGS, "rating-fb-2": "not_observed", "submit": "1"}
    )
    assert response["Location"] == reverse("feedback360:rater_thanks")
    assert (
        "Your feedback is submitted and final." in client.get(response["Location"]).content.decode()
    )
    assert _state(peer_rater)[0] == RaterStatus.SUBMITTED
    [event] = DomainEvent.objects.filter(name=RESPONSE_SUBMITTED)
    assert event.payload == {"cycle_id": cycle.pk, "subject_enrollment_id": subject.pk}
    assert event.actor is None and event.organization_id == cycle.organization_id
    assert "priya" not in str(event.payload).lower()

    before = _state(peer_rater)
    again = client.post(_url(invited), {"rating-del-1": "1", "submit": "1"})
    assert again.status_code == 410
    assert "You have already answered" in again.content.decode()
    assert _state(peer_rater) == before
    assert DomainEvent.objects.filter(name=RESPONSE_SUBMITTED).count() == 1


def test_a_tampered_rating_is_a_clear_error_and_saves_nothing(client, invited, peer_rater):
    response = client.post(_url(invited), {"rating-del-1": "9", "rating-del-2": "3"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was saved" in page
    assert "del-1: Choose a rating from 1 to 5, or &#x27;Not observed&#x27;." in page
    response = client.post(_url(invited), {"rating-nope": "3", "text-keep": "x" * 2001})
    assert response.status_code == 400
    assert "keep: Keep this answer to 2,000 characters (it has 2,001)." in response.content.decode()
    assert _state(peer_rater)[3:] == ([], [])


def test_declining_frees_the_learner_to_ask_someone_else(client, invited, peer_rater):
    client.post(_url(invited), {"rating-del-1": "4"})
    confirm = client.get(_url(invited, "rater_decline")).content.decode()
    assert "Decline the request from Learner?" in confirm
    assert "it is not stored or shown to anyone" in confirm
    response = client.post(_url(invited, "rater_decline"), {"reason": "no_time"})
    assert response["Location"] == reverse("feedback360:rater_declined")
    status, declined_at, _unsub, responses, answers = _state(peer_rater)
    assert status == RaterStatus.DECLINED and declined_at is not None
    assert (responses, answers) == ([], []), "the draft goes with the decline"
    page = client.get(_url(invited))
    assert page.status_code == 410 and "You declined this request" in page.content.decode()


def test_unsubscribing_stops_reminders_and_the_link_keeps_working(client, invited, peer_rater):
    assert "Stop reminders?" in client.get(_url(invited, "rater_unsubscribe")).content.decode()
    done = client.post(_url(invited, "rater_unsubscribe")).content.decode()
    assert "No more reminders" in done
    peer_rater.refresh_from_db()
    assert peer_rater.unsubscribed_at is not None and peer_rater.status == RaterStatus.INVITED
    assert client.get(_url(invited)).status_code == 200


@pytest.mark.parametrize(
    "change, status, heading",
    [
        ("closed", 410, "This feedback has closed"),
        ("past_closing_date", 410, "This feedback has closed"),
        ("removed", 410, "This request is no longer needed"),
    ],
)
def test_a_link_that_no_longer_works_gets_a_clear_page_and_changes_nothing(
    client, invited, peer_rater, cycle, change, status, heading
):
    client.post(_url(invited), {"rating-del-1": "2"})
    if change == "closed":
        cycle.status = CycleStatus.CLOSED
        cycle.save(update_fields=["status"])
    elif change == "past_closing_date":
        cycle.closes_on = cycle.organization.today() - datetime.timedelta(days=1)
        cycle.opens_on = cycle.closes_on
        cycle.save(update_fields=["closes_on", "opens_on"])
    else:
        peer_rater.status = RaterStatus.REMOVED
        peer_rater.save(update_fields=["status"])
    before = _state(peer_rater)
    for name, data in [
        ("rater_form", {**ALL_RATINGS, "rating-fb-2": "3", "submit": "1"}),
        ("rater_decline", {}),
        ("rater_unsubscribe", {}),
    ]:
        for method in ("get", "post"):
            response = getattr(client, method)(_url(invited, name), data)
            assert response.status_code == status, (name, method)
            assert heading in response.content.decode()
            assert response["Cache-Control"] == "no-store"
    assert _state(peer_rater) == before


@pytest.mark.parametrize(
    "token",
    ["altered", "guessed", "x" * 500],
    ids=["altered", "guessed", "overlong"],
)
def test_an_altered_or_guessed_link_is_not_recognised(client, invited, peer_rater, token):
    token = {
        "altered": invited[:-1] + ("A" if invited[-1] != "A" else "B"),
        "guessed": "a" * 43,
    }.get(token, token)
    before = _state(peer_rater)
    for name in ("rater_form", "rater_decline", "rater_unsubscribe"):
        response = client.post(_url(token, name), {**ALL_RATINGS, "submit": "1"})
        assert response.status_code == 404
        assert "This link isn't recognised" in response.content.decode()
    assert _state(peer_rater) == before


def test_a_link_for_another_organisations_cycle_reaches_only_that_rater(
    client, invited, peer_rater, other_org, mailoutbox
):
    """A link carries no organisation of its own: it opens its one rater's request and
    nothing of ours, and a signed-in member of our organisation changes nothing by
    opening it."""
    other_cycle = open_cycle(other_org)
    other_subject = enrol(other_cycle, EmployeeFactory(organization=other_org, full_name="Gil"))
    theirs = rater(other_cycle, other_subject, name="Tom", email="tom@globex.test")
    invitations.invite([theirs.pk])
    mail_send_pending()
    their_token = token_from(mailoutbox[-1].body)
    ours_before = _state(peer_rater)
    page = client.get(_url(their_token)).content.decode()
    assert "Feedback for Gil" in page and "Learner" not in page
    other_cycle.status = CycleStatus.CLOSED
    other_cycle.save(update_fields=["status"])
    assert client.post(_url(their_token), {**ALL_RATINGS, "submit": "1"}).status_code == 410
    assert _state(peer_rater) == ours_before
    assert _state(theirs)[0] == RaterStatus.INVITED


def test_the_page_costs_the_same_queries_for_a_long_questionnaire(
    client, invited, peer_rater, django_assert_num_queries
):
    client.get(_url(invited))
    with CaptureQueriesContext(connection) as small:
        client.get(_url(invited))
    assert len(small.captured_queries) <= 5
    questionnaire = peer_rater.cycle.questionnaire
    competency = questionnaire.items.first().competency
    for n in range(40):
        QuestionnaireItem.objects.create(
            questionnaire=questionnaire,
            key=f"extra-{n}",
            position=100 + n,
            competency=competency,
            text=f"Extra {n}",
        )
    with django_assert_num_queries(len(small.captured_queries)):
        page = client.get(_url(invited))
    assert "0 of 44 statements answered" in page.content.decode()


def test_the_rater_pages_log_no_token(client, invited, peer_rater, caplog):
    client.post(_url(invited), {**ALL_RATINGS, "rating-fb-2": "3", "submit": "1"})
    client.get(_url(invited))  # 410: already answered
    client.get(_url(invited + "x"))  # 404
    assert invited not in caplog.text
