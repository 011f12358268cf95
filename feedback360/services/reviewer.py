"""What a rater does through their link: save a draft, submit once, decline,
unsubscribe from reminders. Each write locks the rater's row and asks the link rule
again, so a closed cycle, a second submission or a decline after answering changes
nothing, whichever page or API call asked."""

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from feedback360.models import (
    FeedbackAnswer,
    FeedbackCycle,
    FeedbackResponse,
    ItemKind,
    QuestionnaireItem,
    RaterAssignment,
    RaterStatus,
    ResponseStatus,
)
from feedback360.permissions.reviewer import LinkState, link_state
from people.bounds import NOTE_LENGTH
from people.events import event_emit

RESPONSE_SUBMITTED = "feedback360.response_submitted"
NOT_OBSERVED = "not_observed"


class LinkNotOpen(Exception):
    """The link can no longer change anything (answered, declined, removed, closed)."""

    def __init__(self, state: LinkState):
        super().__init__(f"This link is {state}.")
        self.state = state


@dataclass(frozen=True)
class Answer:
    value: int | None = None
    not_observed: bool = False
    text: str = ""

    @property
    def is_empty(self) -> bool:
        return self.value is None and not self.not_observed and not self.text


def answers_parse(
    *,
    assignment: RaterAssignment,
    ratings: Mapping[str, object],
    texts: Mapping[str, object],
) -> tuple[dict[str, Answer], dict[str, str]]:
    """Reads answers to `assignment`'s questionnaire keyed by item key: `ratings` "1".."5"
    or "not_observed" (blank means unanswered), `texts` for open questions. Returns the
    answers and, for anything out of bounds or unknown, an error per key; the caller
    writes nothing when there are errors."""
    by_key = {
        item.key: item
        for item in QuestionnaireItem.objects.filter(
            questionnaire_id=assignment.cycle.questionnaire_id
        )
    }
    answers: dict[str, Answer] = {}
    errors: dict[str, str] = {}
    for key, raw in ratings.items():
        item = by_key.get(key)
        if item is None or item.kind != ItemKind.RATING:
            errors[key] = "There is no statement to rate with this key."
            continue
        raw = "" if raw is None else str(raw).strip()
        if raw == "":
            answers[key] = Answer()
        elif raw == NOT_OBSERVED and item.not_observed:
            answers[key] = Answer(not_observed=True)
        elif raw in {"1", "2", "3", "4", "5"}:
            answers[key] = Answer(value=int(raw))
        else:
            errors[key] = "Choose a rating from 1 to 5, or 'Not observed'."
    for key, raw in texts.items():
        item = by_key.get(key)
        if item is None or item.kind != ItemKind.OPEN:
            errors[key] = "There is no open question with this key."
            continue
        if raw is not None and not isinstance(raw, str):
            errors[key] = "Write your answer as text."
            continue
        text = (raw or "").replace("\x00", "").strip()
        if len(text) > NOTE_LENGTH:
            errors[key] = f"Keep this answer to {NOTE_LENGTH:,} characters (it has {len(text):,})."
            continue
        answers[key] = Answer(text=text)
    return answers, errors


def _lock(assignment: RaterAssignment) -> RaterAssignment:
    locked = (
        RaterAssignment.objects.select_for_update(of=("self",))
        .select_related("cycle__organization")
        .get(pk=assignment.pk)
    )
    state = link_state(locked, today=locked.cycle.organization.today())
    if state != LinkState.OPEN:
        raise LinkNotOpen(state)
    return locked


def _save(assignment: RaterAssignment, answers: dict[str, Answer]) -> FeedbackResponse:
    now = timezone.now()
    response, _ = FeedbackResponse.objects.get_or_create(
        assignment=assignment, defaults={"started_at": now, "updated_at": now}
    )
    if not answers:
        return response
    items = {
        item.key: item
        for item in QuestionnaireItem.objects.filter(
            questionnaire_id=assignment.cycle.questionnaire_id, key__in=list(answers)
        )
    }
    existing = {a.item_id: a for a in response.answers.filter(item__in=items.values())}
    create, update, delete = [], [], []
    for key, answer in answers.items():
        item = items[key]
        row = existing.get(item.pk)
        if answer.is_empty:
            if row is not None:
                delete.append(row.pk)
            continue
        if row is None:
            create.append(
                FeedbackAnswer(
                    response=response,
                    item=item,
                    value=answer.value,
                    not_observed=answer.not_observed,
                    text=answer.text,
                )
            )
        elif (row.value, row.not_observed, row.text) != (
            answer.value,
            answer.not_observed,
            answer.text,
        ):
            row.value, row.not_observed, row.text = answer.value, answer.not_observed, answer.text
            update.append(row)
    FeedbackAnswer.objects.filter(pk__in=delete).delete()
    FeedbackAnswer.objects.bulk_create(create)
    FeedbackAnswer.objects.bulk_update(update, ["value", "not_observed", "text"])
    response.updated_at = now
    response.save(update_fields=["updated_at"])
    return response


def response_draft_save(
    *, assignment: RaterAssignment, answers: dict[str, Answer]
) -> FeedbackResponse:
    """Saves the rater's answers so far (a blank answer clears a saved one). Raises
    LinkNotOpen when the link can no longer change anything."""
    with transaction.atomic():
        locked = _lock(assignment)
        return _save(locked, answers)


def response_submit(
    *, assignment: RaterAssignment, answers: dict[str, Answer] | None = None
) -> FeedbackResponse:
    """Saves `answers` and submits, once: every statement needs a rating or 'Not
    observed' (open questions may stay blank). Raises ValidationError naming the
    unanswered statements (and then nothing is saved), or LinkNotOpen. Announces
    "feedback360.response_submitted" with the cycle and the learner only: the event
    never names the rater."""
    with transaction.atomic():
        # The cycle first (the order closing and nomination lock in), so a submission
        # cannot land after a close that committed a moment before.
        FeedbackCycle.objects.select_for_update().filter(pk=assignment.cycle_id).first()
        locked = _lock(assignment)
        response = _save(locked, answers or {})
        answered = set(
            response.answers.filter(item__kind=ItemKind.RATING)
            .exclude(value__isnull=True, not_observed=False)
            .values_list("item_id", flat=True)
        )
        missing = list(
            QuestionnaireItem.objects.filter(
                questionnaire_id=locked.cycle.questionnaire_id, kind=ItemKind.RATING
            )
            .exclude(pk__in=answered)
            .order_by("position")
            .values_list("key", flat=True)
        )
        if missing:
            raise ValidationError(
                {
                    "answers": [
                        f"{len(missing)} statement{'s' if len(missing) != 1 else ''} still "
                        "need a rating or 'Not observed' before you submit."
                    ],
                    **{key: ["Not answered yet."] for key in missing},
                }
            )
        now = timezone.now()
        response.status = ResponseStatus.SUBMITTED
        response.submitted_at = now
        response.updated_at = now
        response.save(update_fields=["status", "submitted_at", "updated_at"])
        locked.status = RaterStatus.SUBMITTED
        locked.save(update_fields=["status"])
        event_emit(
            name=RESPONSE_SUBMITTED,
            actor=None,
            organization=locked.cycle.organization,
            payload={"cycle_id": locked.cycle_id, "subject_enrollment_id": locked.subject_id},
        )
        return response


def rater_decline(*, assignment: RaterAssignment) -> None:
    """The rater declines: no more reminders, and the learner may nominate someone
    else. Any draft is deleted; a reason, if given, is not kept."""
    with transaction.atomic():
        locked = _lock(assignment)
        FeedbackResponse.objects.filter(assignment=locked).delete()
        locked.status = RaterStatus.DECLINED
        locked.declined_at = timezone.now()
        locked.save(update_fields=["status", "declined_at"])


def rater_unsubscribe(*, assignment: RaterAssignment) -> None:
    """No more reminders to this rater for this learner; the link keeps working."""
    with transaction.atomic():
        locked = _lock(assignment)
        if locked.unsubscribed_at is None:
            locked.unsubscribed_at = timezone.now()
            locked.save(update_fields=["unsubscribed_at"])
