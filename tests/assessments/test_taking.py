"""Taking an assessment: items grouped by competency, how many remain, drafts saved as
the rater answers (page, htmx and API alike), and who may save them."""

import datetime
import html
import re
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessments import selectors, services
from assessments.models import Assessment, AssessmentStatus, AssessmentTemplate
from people.events import EventName
from people.models import DomainEvent
from tests.assessments.conftest import answer_all
from tests.conftest import actor_for

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def own(round_open, learner):
    return Assessment.objects.get(rater=learner)


def items(assessment):
    return list(assessment.template.items.order_by("position"))


def form(answers: dict) -> dict:
    return {f"item-{key}": value for key, value in answers.items()}


def draft_url(assessment):
    return reverse("assessments:take_draft", args=[assessment.pk])


def take_url(assessment):
    return reverse("assessments:take", args=[assessment.pk])


def saved(assessment) -> dict:
    return dict(assessment.answers.values_list("item__key", "value"))


def submitted_events():
    return DomainEvent.objects.filter(name=EventName.ASSESSMENT_SUBMITTED)


def text(response) -> str:
    """What a reader sees: tags dropped, entities decoded, white space collapsed."""
    plain = html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))
    return re.sub(r"\s+", " ", plain).strip()


def test_a_draft_answer_is_saved_counted_and_stays_a_draft(own, learner, org):
    first, second = items(own)[:2]
    services.assessment_answer(
        actor=actor_for(learner, org),
        assessment=own,
        answers={first.key: 2, second.key: 5},
        submit=False,
    )
    own.refresh_from_db()
    assert own.status == AssessmentStatus.DRAFT and own.submitted_at is None
    assert saved(own) == {first.key: 2, second.key: 5}
    assert not submitted_events().exists()
    progress = selectors.assessment_progress(assessment=own)
    assert (progress.answered, progress.total, progress.remaining) == (2, 24, 22)
    emotional = progress.groups[0]
    assert (emotional.name, emotional.answered, emotional.total, emotional.done) == (
        "Emotional intelligence",
        2,
        3,
        False,
    )
    assert [item.key for item in progress.unanswered][:2] == [i.key for i in items(own)[2:4]]


def test_an_item_of_another_questionnaire_is_refused_and_nothing_saved(own, learner, org):
    other = AssessmentTemplate.objects.get(key="pre-promotion-readiness").items.first()
    assert other.key not in {i.key for i in items(own)}
    with pytest.raises(ValidationError, match=f"'{other.key}' is not a question"):
        services.assessment_answer(
            actor=actor_for(learner, org),
            assessment=own,
            answers={items(own)[0].key: 3, other.key: 3},
            submit=False,
        )
    assert saved(own) == {}


@pytest.mark.parametrize(
    "opens, closes, refusal",
    [(1, 5, "opens on"), (-5, -1, "closed on")],
)
def test_a_draft_outside_the_window_is_refused(own, learner, org, opens, closes, refusal):
    today = org.today()
    Assessment.objects.filter(pk=own.pk).update(
        opens_on=today + datetime.timedelta(days=opens),
        closes_on=today + datetime.timedelta(days=closes),
    )
    with pytest.raises(ValidationError, match=refusal):
        services.assessment_answer(
            actor=actor_for(learner, org),
            assessment=own,
            answers={items(own)[0].key: 3},
            submit=False,
        )
    assert saved(own) == {}


def test_the_page_groups_items_by_competency_and_says_how_many_remain(client, own, learner):
    client.force_login(learner)
    page = client.get(take_url(own)).content.decode()
    legends = re.findall(r'<legend class="take-competency-name">([^<]+?) <span', page)
    assert legends == [
        "Emotional intelligence",
        "Delegation",
        "Feedback delivery",
        "Conflict resolution",
        "Stakeholder management",
        "Strategic thinking",
        "Communication",
        "Psychological safety",
    ]
    assert "0 of 24 items answered · 24 items remaining" in text(client.get(take_url(own)))
    assert page.count("0 of 3 answered") == 8


@pytest.mark.parametrize(
    "answered, line",
    [
        (21, "21 of 24 items answered · 3 items remaining"),
        (23, "23 of 24 items answered · 1 item remaining"),
        (24, "24 of 24 items answered · all answered"),
    ],
)
def test_the_remaining_count_reads_naturally(client, own, learner, org, answered, line):
    services.assessment_answer(
        actor=actor_for(learner, org),
        assessment=own,
        answers={item.key: 4 for item in items(own)[:answered]},
        submit=False,
    )
    client.force_login(learner)
    assert line in text(client.get(take_url(own)))


def test_each_change_saves_a_draft_and_answers_with_the_counts(
    client, own, learner, learner_employee
):
    learner_employee.time_zone = "Asia/Tokyo"
    learner_employee.save(update_fields=["time_zone"])
    first, second, third = items(own)[:3]
    client.force_login(learner)
    before = timezone.localtime(timezone=zoneinfo.ZoneInfo("Asia/Tokyo"))
    response = client.post(draft_url(own), form({first.key: 4, second.key: 2}), **HTMX)
    after = timezone.localtime(timezone=zoneinfo.ZoneInfo("Asia/Tokyo"))
    shown = text(response)
    assert response.status_code == 200
    assert "2 of 24 items answered · 22 items remaining" in shown
    assert re.search(r"Saved at (\d\d:\d\d)", shown).group(1) in {
        f"{before:%H:%M}",
        f"{after:%H:%M}",
    }
    body = response.content.decode()
    assert (
        '<span id="done-emotional_intelligence" class="take-marker" hx-swap-oob="true">'
        "2 of 3 answered</span>"
    ) in body
    own.refresh_from_db()
    assert own.status == AssessmentStatus.DRAFT and saved(own) == {first.key: 4, second.key: 2}
    assert not submitted_events().exists()

    done = client.post(draft_url(own), form({first.key: 4, second.key: 2, third.key: 5}), **HTMX)
    assert "✓ Done" in done.content.decode().split('id="done-emotional_intelligence"')[1][:80]

    page = client.get(take_url(own)).content.decode()
    for item, value in [(first, 4), (second, 2), (third, 5)]:
        assert f'id="i-{item.key}-{value}" value="{value}" checked>' in page
    assert page.count(" checked>") == 3
    assert "3 of 24 items answered" in text(client.get(take_url(own)))


def test_without_javascript_save_draft_keeps_the_answers(client, own, learner):
    first = items(own)[0]
    client.force_login(learner)
    response = client.post(take_url(own), {**form({first.key: 3}), "draft": "1"}, follow=True)
    shown = text(response)
    assert "Draft saved. You can finish later." in shown
    assert "1 of 24 items answered · 23 items remaining" in shown
    assert saved(own) == {first.key: 3}
    plain = client.post(draft_url(own), form({first.key: 5}), follow=True)
    assert "Draft saved. You can finish later." in text(plain) and saved(own) == {first.key: 5}


@pytest.mark.parametrize("bad", ["0", "6"])
def test_a_rating_outside_the_scale_names_the_item_and_saves_nothing(client, own, learner, bad):
    first, second = items(own)[:2]
    client.force_login(learner)
    live = text(client.post(draft_url(own), form({first.key: 3, second.key: bad}), **HTMX))
    assert f"Not saved: '{second.text[:60]}…' needs a rating from 1 to 5, not {bad}." in live
    assert "Saved at" not in live
    page = text(client.post(take_url(own), {**form({first.key: 3, second.key: bad}), "draft": "1"}))
    assert "Nothing was saved:" in page
    assert f"'{second.text[:60]}…' needs a rating from 1 to 5, not {bad}." in page
    assert saved(own) == {}


def test_a_submitted_assessment_refuses_drafts(client, own, learner, org):
    answer_all(actor_for(learner, org), own, lambda item: 3)
    first = items(own)[0]
    client.force_login(learner)
    refused = text(client.post(draft_url(own), form({first.key: 1}), **HTMX))
    assert "Not saved: You already submitted this assessment; answers are final." in refused
    assert set(saved(own).values()) == {3}
    assert submitted_events().count() == 1


def test_only_the_rater_may_open_or_save_it(
    client, own, round_open, line_manager, lnd_manager, peer_learner, outsider
):
    first = items(own)[0]
    for someone in (line_manager, lnd_manager, peer_learner, outsider):
        client.force_login(someone)
        assert client.get(take_url(own)).status_code == 404
        assert client.post(draft_url(own), form({first.key: 1}), **HTMX).status_code == 404
        assert client.post(take_url(own), {**form({first.key: 1}), "draft": "1"}).status_code == 404
    assert saved(own) == {}


def test_the_line_manager_saves_drafts_of_their_own_assessment(client, round_open, line_manager):
    theirs = Assessment.objects.get(rater=line_manager)
    first = items(theirs)[0]
    client.force_login(line_manager)
    response = client.post(draft_url(theirs), form({first.key: 2}), **HTMX)
    assert "1 of 24 items answered · 23 items remaining" in text(response)
    assert saved(theirs) == {first.key: 2}


def test_a_refused_submission_keeps_the_answers_and_names_what_is_unanswered(client, own, learner):
    # Every emotional-intelligence and delegation item, nothing about the rest.
    answered = {item.key: 4 for item in items(own)[:6]}
    client.force_login(learner)
    response = client.post(take_url(own), {**form(answered), "submit": "1"})
    shown = text(response)
    assert "Not submitted yet. Your answers are saved as a draft." in shown
    assert "Answer at least one question about each competency before submitting:" in shown
    seventh = items(own)[6]
    assert f'<a href="#q-{seventh.key}">7. ' in response.content.decode()
    assert (
        response.content.decode().count('<span class="badge badge-error">Not answered</span>') == 18
    )
    assert saved(own) == answered
    own.refresh_from_db()
    assert own.status == AssessmentStatus.DRAFT and not submitted_events().exists()

    everything = client.post(take_url(own), {**form(dict.fromkeys(answered, 4)), "submit": "1"})
    assert everything.status_code == 200, "still refused while competencies are unanswered"
    complete = {item.key: 3 for item in items(own)}
    asked = client.post(take_url(own), {**form(complete), "submit": "1"})
    assert "Your answers are saved as a draft. You can't change them after this." in text(asked)
    own.refresh_from_db()
    assert own.status == AssessmentStatus.DRAFT, "nothing is final before the confirmation"
    assert saved(own) == complete
    done = client.post(take_url(own), {"confirm": "1"}, follow=True)
    assert "Submitted. Thank you: your answers are final." in text(done)
    own.refresh_from_db()
    assert own.status == AssessmentStatus.SUBMITTED and submitted_events().count() == 1


@pytest.mark.parametrize("size", [3, 24])
def test_the_assessment_page_queries_do_not_grow_with_the_questionnaire(
    client, own, learner, org, size, django_assert_num_queries
):
    own.template.items.filter(
        position__gt=sorted(i.position for i in items(own))[size - 1]
    ).delete()
    assert own.template.items.count() == size
    services.assessment_answer(
        actor=actor_for(learner, org),
        assessment=own,
        answers={item.key: 3 for item in items(own)[: size - 1]},
        submit=False,
    )
    client.force_login(learner)
    with django_assert_num_queries(7):
        response = client.get(take_url(own))
    assert f"{size - 1} of {size} items answered · 1 item remaining" in text(response)


def test_drafts_through_the_api_count_and_stay_drafts(client, own, learner):
    first, second = items(own)[:2]
    client.force_login(learner)
    response = client.post(
        f"/api/v1/assessments/{own.pk}/answers/",
        {"answers": {first.key: 4, second.key: 1}},
        content_type="application/json",
    )
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "draft" and body["answers"] == {first.key: 4, second.key: 1}
    assert body["progress"] == {"answered": 2, "total": 24, "remaining": 22}
    assert not submitted_events().exists()
    assert client.get(f"/api/v1/assessments/{own.pk}/").json()["progress"]["answered"] == 2


@pytest.mark.parametrize("bad", [0, 6])
def test_the_api_names_the_item_of_a_rating_outside_the_scale(client, own, learner, bad):
    first, second = items(own)[:2]
    client.force_login(learner)
    response = client.post(
        f"/api/v1/assessments/{own.pk}/answers/",
        {"answers": {first.key: 3, second.key: bad}},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()["answers"]) == [second.key]
    assert saved(own) == {}


def test_the_api_refuses_an_item_of_another_questionnaire(client, own, learner):
    other = AssessmentTemplate.objects.get(key="pre-promotion-readiness").items.first()
    client.force_login(learner)
    response = client.post(
        f"/api/v1/assessments/{own.pk}/answers/",
        {"answers": {other.key: 3}},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"answers": [f"'{other.key}' is not a question of this assessment."]}


def test_the_api_hides_someone_elses_assessment(client, own, line_manager, outsider):
    for someone in (line_manager, outsider):
        client.force_login(someone)
        response = client.post(
            f"/api/v1/assessments/{own.pk}/answers/",
            {"answers": {items(own)[0].key: 3}},
            content_type="application/json",
        )
        assert response.status_code == 404
    assert saved(own) == {}
