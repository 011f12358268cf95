"""Target levels and development plans: drafted from the gaps, edited, agreed, shared, checked in on."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import dateformat, timezone

from assessments import selectors
from assessments.models import (
    Assessment,
    AssessmentKind,
    AssessmentStatus,
    DevelopmentPlan,
    Phase,
    PlanGoal,
    PlanStatus,
    TargetLevel,
)
from assessments.permissions import can_edit_plan, plan_draft_scope
from assessments.scoring import top_gaps
from assessments.services.requests import COACH, LEARNER, plan_to_agree_queue
from people.audit import audit_log
from people.events import EventName, event_emit
from people.permissions import Actor, require
from programs.models import Cohort, Competency, Enrollment, Program
from programs.permissions import is_own_enrollment

PRACTICE_COMMITMENTS = {
    "feedback_delivery": "Two SBI entries a week in the practice log.",
    "delegation": "Log one real delegation decision a week, and its outcome.",
    "communication": "A written update to stakeholders every Friday; one-on-ones with each report every week.",
    "stakeholder_management": "Before each stakeholder meeting, write down the trade-off you will offer.",
    "conflict_resolution": "After each disagreement, note what decision was reached and how.",
    "psychological_safety": "Ask one 'what worried you this week?' question in every one-on-one.",
    "emotional_intelligence": "Note one moment a week when you noticed your own reaction before acting.",
    "strategic_thinking": "Link one technical decision a week to a product or team goal, in writing.",
}


GOAL_PLACEHOLDER = "say what you will do differently, in your own words."


def goals_to_write(plan: DevelopmentPlan) -> list[PlanGoal]:
    """The plan's goals nobody has written yet: still the draft's placeholder text."""
    return [goal for goal in plan.goals.select_related("competency") if goal.edited_at is None]


def goals_to_write_message(goals: list[PlanGoal]) -> str:
    names = ", ".join(goal.competency.name for goal in goals)
    return f"Write each goal in your own words before agreeing; still to write: {names}."


@transaction.atomic
def target_set(
    *, actor: Actor, program: Program, competency: Competency, target: Decimal
) -> TargetLevel:
    require(actor, "manage_assessments")
    if (
        program.organization_id != actor.organization.pk
        or competency.organization_id != actor.organization.pk
    ):
        raise Program.DoesNotExist
    if not Decimal("1") <= Decimal(target) <= Decimal("5") or Decimal(target) * 2 % 1:
        raise ValidationError({"target": "A target is a level from 1 to 5, in steps of 0.5."})
    level, _ = TargetLevel.objects.update_or_create(
        program=program, competency=competency, defaults={"target": target}
    )
    return level


DEFAULT_TARGET = Decimal("4.0")


def targets_default(*, program: Program) -> int:
    """Gives each of the program's competencies without a target level the default (4.0),
    leaving set ones alone; returns how many were added. Runs when a program (template
    or a cohort's copy) is saved, so building a program yields a target profile that the
    cohorts' copies then carry; it never touches another program's targets."""
    have = set(TargetLevel.objects.filter(program=program).values_list("competency_id", flat=True))
    added = TargetLevel.objects.bulk_create(
        TargetLevel(program=program, competency=competency, target=DEFAULT_TARGET)
        for competency in program.competencies.all()
        if competency.pk not in have
    )
    return len(added)


def _goal_due_dates(cohort: Cohort, count: int) -> list[datetime.date]:
    """Spread the goals' due dates through the program, the last one before it ends."""
    start = max(cohort.start_date, cohort.organization.today())
    span = max((cohort.end_date - start).days, 0)
    return [start + datetime.timedelta(days=span * (i + 1) // (count + 1)) for i in range(count)]


def plan_draft_awaits(*, enrollment: Enrollment) -> str | None:
    """Whether the plan can be drafted now: None if so, otherwise what it waits for, in
    words a reader can act on ("Waiting for Maria Keller's assessment, due 3 Dec 2026.").
    The one rule behind plan_draft, the results page's offer and the API's results."""
    baseline = list(
        Assessment.objects.filter(
            enrollment=enrollment,
            phase=Phase.BASELINE,
            template__kind__in=[AssessmentKind.SELF, AssessmentKind.MANAGER],
        ).select_related("template", "rater", "subject")
    )
    if not any(a.template.kind == AssessmentKind.SELF for a in baseline):
        return "Waiting for the baseline assessments to be sent out."
    waits = []
    for assessment in sorted(baseline, key=lambda a: a.template.kind != AssessmentKind.SELF):
        if assessment.status == AssessmentStatus.SUBMITTED:
            continue
        due = dateformat.format(assessment.closes_on, "j M Y")
        if assessment.template.kind == AssessmentKind.SELF:
            waits.append(
                f"Waiting for {assessment.subject.full_name}'s self-assessment, due {due}."
            )
        else:
            waits.append(f"Waiting for {assessment.rater.full_name}'s assessment, due {due}.")
    if waits:
        return " ".join(waits)
    plan = DevelopmentPlan.objects.filter(enrollment=enrollment).first()
    if plan and (
        plan.learner_agreed_at
        or plan.coach_agreed_at
        or plan.goals.filter(edited_at__isnull=False).exists()
    ):
        return "The goals were already edited or agreed; edit them instead of redrafting."
    if not top_gaps(selectors.learner_gaps(enrollment=enrollment), limit=1):
        return "Every target is already met, so there is no gap to draft a goal from."
    return None


@transaction.atomic
def plan_draft(*, actor: Actor, enrollment: Enrollment, limit: int = 3) -> DevelopmentPlan:
    """Drafts the learner's plan from their top gaps (scoring.top_gaps: at most `limit`,
    targets already met never become goals): a goal per gap in plain words, the program's
    modules that target that competency, a practice commitment and a due date inside the
    program. Redrafting replaces goals only while nobody has agreed.

    Raises ValidationError keyed "plan" with plan_draft_awaits' words while either
    baseline assessment is awaited, once the goals were edited or agreed, and when every
    target is already met."""
    if not plan_draft_scope(actor).allows(enrollment):
        raise Enrollment.DoesNotExist
    awaits = plan_draft_awaits(enrollment=enrollment)
    if awaits:
        raise ValidationError({"plan": awaits})
    plan, _ = DevelopmentPlan.objects.get_or_create(enrollment=enrollment)
    had_goals = plan.goals.exists()
    top = top_gaps(selectors.learner_gaps(enrollment=enrollment), limit=limit)
    competencies = {
        c.key: c
        for c in Competency.objects.filter(
            organization=actor.organization, key__in=[g.competency for g in top]
        )
    }
    modules = list(enrollment.cohort.program.modules.prefetch_related("competencies"))
    plan.goals.all().delete()
    dues = _goal_due_dates(enrollment.cohort, len(top))
    for position, (gap, due) in enumerate(zip(top, dues, strict=True)):
        competency = competencies[gap.competency]
        goal = PlanGoal.objects.create(
            plan=plan,
            position=position,
            competency=competency,
            gap=Decimal(str(gap.gap)),
            goal=f"Grow my {competency.name.lower()}: {GOAL_PLACEHOLDER}",
            practice_commitment=PRACTICE_COMMITMENTS.get(
                competency.key, "Practise this every week and note what happened."
            ),
            due_date=due,
        )
        goal.modules.set(
            [m for m in modules if any(c.pk == competency.pk for c in m.competencies.all())]
        )
    plan.updated_at = timezone.now()
    plan.save(update_fields=["updated_at"])
    # The learner writes and agrees next; someone else drafting it tells them, once (a
    # redraft of goals they were already told about does not).
    if not had_goals and not is_own_enrollment(actor, enrollment):
        plan_to_agree_queue(plan=plan, who=LEARNER)
    return plan


@transaction.atomic
def plan_goal_update(
    *, actor: Actor, goal: PlanGoal, text: str, practice_commitment: str, due_date: datetime.date
) -> PlanGoal:
    """The learner or their coach rewrites a goal. Any change asks both to agree again."""
    plan = goal.plan
    if not can_edit_plan(actor, plan.enrollment):
        raise PlanGoal.DoesNotExist
    errors = {}
    if not text.strip():
        errors["goal"] = "Write the goal in your own words."
    cohort = plan.enrollment.cohort
    if not cohort.start_date <= due_date <= cohort.end_date:
        errors["due_date"] = (
            f"Choose a date inside the program (from {cohort.start_date:%d %b} to {cohort.end_date:%d %b %Y})."
        )
    if errors:
        raise ValidationError(errors)
    goal.goal, goal.practice_commitment, goal.due_date = (
        text.strip(),
        practice_commitment.strip()[:300],
        due_date,
    )
    goal.edited_at = timezone.now()
    goal.save(update_fields=["goal", "practice_commitment", "due_date", "edited_at"])
    plan.learner_agreed_at = plan.coach_agreed_at = None
    plan.coach_agreed_by = None
    plan.updated_at = timezone.now()
    plan.save(
        update_fields=["learner_agreed_at", "coach_agreed_at", "coach_agreed_by", "updated_at"]
    )
    return goal


@transaction.atomic
def plan_agree(*, actor: Actor, plan: DevelopmentPlan) -> DevelopmentPlan:
    """Records the learner's or the coach's agreement (whoever the actor is).

    Raises ValidationError keyed "goals" naming the goals still in the draft's words: a
    plan is agreed only once a person has written every goal."""
    enrollment = plan.enrollment
    if not can_edit_plan(actor, enrollment):
        raise DevelopmentPlan.DoesNotExist
    if not plan.goals.exists():
        raise ValidationError({"plan": "Draft the plan's goals before agreeing."})
    unwritten = goals_to_write(plan)
    if unwritten:
        raise ValidationError({"goals": goals_to_write_message(unwritten)})
    now = timezone.now()
    # Whoever must agree next is emailed when an agreement is newly given: agreeing
    # twice asks nobody twice.
    if is_own_enrollment(actor, enrollment):
        newly, next_to_agree = plan.learner_agreed_at is None, COACH
        plan.learner_agreed_at = now
    else:
        newly, next_to_agree = plan.coach_agreed_at is None, LEARNER
        plan.coach_agreed_at, plan.coach_agreed_by = now, actor.user
    plan.save(update_fields=["learner_agreed_at", "coach_agreed_at", "coach_agreed_by"])
    if newly and plan.status != PlanStatus.AGREED:
        plan_to_agree_queue(plan=plan, who=next_to_agree)
    if plan.status == PlanStatus.AGREED:
        event_emit(
            name=EventName.PLAN_AGREED,
            actor=actor,
            payload={
                "plan_id": plan.pk,
                "enrollment_id": enrollment.pk,
                "employee_id": enrollment.employee_id,
                "competencies": list(plan.goals.values_list("competency__key", flat=True)),
            },
        )
    return plan


@transaction.atomic
def plan_shared_seen(*, actor: Actor, plan: DevelopmentPlan) -> None:
    """Records that the line manager the plan is shared with opened it, which takes it
    off their to-do list until it is shared again or a goal changes. Anyone else's
    reading changes nothing."""
    if plan.shared_with_id is None or plan.shared_with_id != actor.employee_id:
        return
    plan.shared_seen_at = timezone.now()
    plan.save(update_fields=["shared_seen_at"])


@transaction.atomic
def plan_share(*, actor: Actor, plan: DevelopmentPlan, shared: bool) -> DevelopmentPlan:
    """The learner shares the plan with their current line manager, by name, or stops.
    A manager who takes the team over later sees nothing until the learner shares again."""
    if not is_own_enrollment(actor, plan.enrollment):
        raise DevelopmentPlan.DoesNotExist
    manager = plan.enrollment.employee.manager
    if shared and manager is None:
        raise ValidationError({"shared": "You have no line manager on the roster to share with."})
    plan.shared_with = manager if shared else None
    plan.shared_seen_at = None  # newly shared: unread until the manager opens it
    plan.save(update_fields=["shared_with", "shared_seen_at"])
    audit_log(
        organization=actor.organization,
        actor=actor.user,
        action="plan.shared" if shared else "plan.unshared",
        target=str(plan.enrollment.employee),
        detail={"plan_id": plan.pk},
    )
    return plan
