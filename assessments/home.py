"""The assessments app's contributions to the home page (see people.home)."""

from django.urls import reverse

from assessments import selectors, services
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
        # The questionnaire's own title, as the form and L&D's round page show it.
        text = (
            f"Fill in the {assessment.template.title}"
            if about_self
            else f"Assess {assessment.subject.full_name}: {assessment.template.title}"
        )
        items.append(
            TodoItem(
                text=text,
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


def _plan_url(plan) -> str:
    return reverse("assessments:results", args=[plan.enrollment_id])


def _plans_to_agree_as_learner(actor: Actor) -> list[TodoItem]:
    """The learner's drafted plans they have not agreed: write the goals first if any is
    still in the draft's words (agreeing would be refused), else agree."""
    if not actor.is_learner:
        return []
    items = []
    for plan in selectors.plans_awaiting_learner(actor=actor):
        program = plan.enrollment.cohort.program.title
        text = (
            f"Write the goals of your development plan for {program} in your own words"
            if plan.unwritten
            else f"Agree your development plan for {program}"
        )
        items.append(TodoItem(text=text, url=_plan_url(plan)))
    return items


def _plans_to_draft(actor: Actor) -> list[TodoItem]:
    """The learner's plans that can be drafted now (services.plan_draft_awaits decides).
    plan_draft_awaits runs only for the candidates plans_to_draft finds (an active
    enrolment without goals whose self-assessment is in): at most one per program the
    learner is in, whatever the size of the cohort."""
    if not actor.is_learner:
        return []
    return [
        TodoItem(
            text=f"Draft your development plan for {enrollment.cohort.program.title}",
            url=reverse("assessments:results", args=[enrollment.pk]),
        )
        for enrollment in selectors.plans_to_draft(actor=actor)
        if services.plan_draft_awaits(enrollment=enrollment) is None
    ]


def _plans_to_agree_as_coach(actor: Actor) -> list[TodoItem]:
    if not actor.is_coach:
        return []
    return [
        TodoItem(
            text=f"Agree {plan.enrollment.employee.full_name}'s development plan",
            url=_plan_url(plan),
        )
        for plan in selectors.plans_awaiting_coach(actor=actor)
    ]


def _shared_plans_to_read(actor: Actor) -> list[TodoItem]:
    """Plans shared with the line manager that they have not opened since they were
    shared or last changed: there is nothing for them to agree, so reading it is the task."""
    if not actor.is_line_manager:
        return []
    return [
        TodoItem(
            text=f"Read {plan.enrollment.employee.full_name}'s development plan",
            url=_plan_url(plan),
        )
        for plan in selectors.plans_shared_unread(actor=actor)
    ]


def register() -> None:
    register_todo(key="assessments.to_fill", order=20, items=_assessments_to_fill)
    register_todo(key="assessments.rounds_behind", order=84, items=_rounds_behind)
    register_todo(key="assessments.plans_to_draft", order=21, items=_plans_to_draft)
    register_todo(key="assessments.plans_to_agree", order=22, items=_plans_to_agree_as_learner)
    register_todo(key="assessments.coach_plans_to_agree", order=23, items=_plans_to_agree_as_coach)
    register_todo(key="assessments.shared_plans", order=24, items=_shared_plans_to_read)
