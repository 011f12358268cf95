"""The assessments app's contributions to the home page (see people.home)."""

from django.urls import reverse

from assessments import selectors
from assessments.models import AssessmentStatus
from assessments.permissions import can_manage_assessments
from people.home import TodoItem, register_todo
from people.permissions import Actor


def _assessments_to_fill(actor: Actor) -> list[TodoItem]:
    """Open assessments the actor is asked to fill in, about themselves or a report."""
    today = actor.organization.today()
    waiting = selectors.assessments_to_do(actor=actor).filter(
        status=AssessmentStatus.DRAFT, opens_on__lte=today, closes_on__gte=today
    )
    items = []
    for assessment in waiting:
        about_self = actor.employee_id is not None and assessment.subject_id == actor.employee_id
        what = (
            assessment.template.title
            if about_self
            else f"{assessment.template.title} for {assessment.subject.full_name}"
        )
        items.append(
            TodoItem(
                text=f"Fill in the {what}",
                url=reverse("assessments:take", args=[assessment.pk]),
                due=assessment.closes_on,
                urgency="due soon" if (assessment.closes_on - today).days <= 3 else "",
            )
        )
    return items


def _rounds_behind(actor: Actor) -> list[TodoItem]:
    """Open assessment rounds with low completion (the rule: selectors.rounds_behind)."""
    if not can_manage_assessments(actor):
        return []
    today = actor.organization.today()
    return [
        TodoItem(
            text=f"{r.phase_label} assessments for {r.cohort_name}: "
            f"{r.submitted} of {r.asked} submitted",
            url=reverse("assessments:cohort_round", args=[r.cohort_id]),
            due=r.closes_on,
            urgency="due soon"
            if (r.closes_on - today).days <= selectors.ROUND_CLOSING_DAYS
            else "",
        )
        for r in selectors.rounds_behind(organization=actor.organization)
    ]


def register() -> None:
    register_todo(key="assessments.to_fill", order=20, items=_assessments_to_fill)
    register_todo(key="assessments.rounds_behind", order=84, items=_rounds_behind)
