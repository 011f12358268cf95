"""Pre-promotion readiness: candidates nominated, their managers asked."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from assessments.models import (
    Assessment,
    AssessmentItem,
    AssessmentKind,
    AssessmentStatus,
    AssessmentTemplate,
    DevelopmentPlan,
    Phase,
    PlanCheckIn,
    PlanGoal,
    ReadinessNomination,
    TargetLevel,
)
from assessments.services.knowledge_checks import check_key
from assessments.services.library import assessment_library_load
from people.audit import audit_log
from people.models import Employee
from people.outbox import mail_queue_many
from people.permissions import Actor, require
from programs.models import Competency, Program
from programs.permissions import is_assigned_coach

READINESS_TEMPLATE = "pre-promotion-readiness"
READINESS_REQUEST_MAIL = "assessments.readiness_request"


@transaction.atomic
def readiness_nominate(*, actor: Actor, emails: list[str], closes_on: datetime.date) -> list:
    """Nominates candidates by work email: each one's line manager is asked for a
    readiness assessment, by one email per manager (through the mail outbox) linking
    straight to each assessment. All or nobody: every problem is listed."""
    require(actor, "manage_assessments")

    today = actor.organization.today()
    if closes_on < today:
        raise ValidationError({"closes_on": "The window would already be closed."})
    wanted = [e.strip().lower() for e in emails if e.strip()]
    if not wanted:
        raise ValidationError({"emails": "Give at least one work email."})
    people = {
        e.email.lower(): e
        for e in Employee.objects.filter(
            organization=actor.organization, email__in=wanted
        ).select_related("manager__user")
    }
    open_already = set(
        ReadinessNomination.objects.filter(
            organization=actor.organization,
            candidate__email__in=wanted,
            assessment__status=AssessmentStatus.DRAFT,
        ).values_list("candidate__email", flat=True)
    )
    problems = []
    for email in dict.fromkeys(wanted):
        person = people.get(email)
        if person is None:
            problems.append(f"{email} is not on the roster.")
        elif not person.is_employed_on(today):
            problems.append(f"{person.full_name} has left the organisation.")
        elif email in open_already:
            problems.append(f"{person.full_name} already has an open readiness assessment.")
        elif (
            person.manager is None
            or person.manager.user_id is None
            or not person.manager.user.is_active
        ):
            problems.append(f"{person.full_name} has no line manager with a login to assess them.")
    if problems:
        raise ValidationError({"emails": problems})
    assessment_library_load(organization=actor.organization)
    template = AssessmentTemplate.objects.get(
        organization=actor.organization, key=READINESS_TEMPLATE
    )
    nominations = []
    for email in dict.fromkeys(wanted):
        person = people[email]
        assessment = Assessment.objects.create(
            organization=actor.organization,
            template=template,
            subject=person,
            rater=person.manager.user,
            phase=Phase.BASELINE,
            opens_on=today,
            closes_on=closes_on,
        )
        nominations.append(
            ReadinessNomination.objects.create(
                organization=actor.organization,
                candidate=person,
                nominated_by=actor.user,
                assessment=assessment,
            )
        )
    by_manager: dict[int, list[int]] = {}
    for nomination in nominations:
        by_manager.setdefault(nomination.assessment.rater_id, []).append(nomination.pk)
    mail_queue_many(
        kind=READINESS_REQUEST_MAIL,
        organization=actor.organization,
        ids_list=[{"nomination_ids": ids} for ids in by_manager.values()],
    )
    audit_log(
        organization=actor.organization,
        actor=actor.user,
        action="readiness.nominated",
        target=f"{len(nominations)} candidates",
        detail={"count": len(nominations)},
    )
    return nominations


@transaction.atomic
def plan_checkin_record(
    *, actor: Actor, plan: DevelopmentPlan, note: str, progress: int, goal: PlanGoal | None = None
):
    """Records a coach's check-in on the plan (or one goal): a note and progress 1-5.
    Only the learner's own coach may; coaching sessions call this."""

    if not is_assigned_coach(actor, plan.enrollment):
        raise DevelopmentPlan.DoesNotExist
    errors = {}
    if not note.strip():
        errors["note"] = "Write what you discussed."
    if isinstance(progress, bool) or not isinstance(progress, int) or not 1 <= progress <= 5:
        errors["progress"] = "Progress is from 1 (not started) to 5 (done)."
    if goal is not None and goal.plan_id != plan.pk:
        errors["goal"] = "That goal belongs to another plan."
    if errors:
        raise ValidationError(errors)
    return PlanCheckIn.objects.create(
        plan=plan, goal=goal, author=actor.user, note=note.strip(), progress=progress
    )


@transaction.atomic
def target_clear(*, actor: Actor, program: Program, competency: Competency) -> None:
    require(actor, "manage_assessments")
    if program.organization_id != actor.organization.pk:
        raise Program.DoesNotExist
    TargetLevel.objects.filter(program=program, competency=competency).delete()


def readiness_view_audit(*, actor: Actor, nomination) -> None:
    audit_log(
        organization=actor.organization,
        actor=actor.user,
        action="readiness.evidence_viewed",
        target=str(nomination.candidate),
        detail={"nomination_id": nomination.pk},
    )


def copy_for_cohort(*, source: Program, copy: Program, module_map: dict) -> None:
    """When a cohort copies a program, its knowledge checks and target profile come along."""
    TargetLevel.objects.bulk_create(
        TargetLevel(program=copy, competency_id=t.competency_id, target=t.target)
        for t in source.target_levels.all()
    )
    checks = AssessmentTemplate.objects.filter(
        module_id__in=list(module_map), kind=AssessmentKind.KNOWLEDGE_CHECK
    ).prefetch_related("items")
    for template in checks:
        new_module = module_map[template.module_id]
        clone = AssessmentTemplate.objects.create(
            organization=template.organization,
            key=check_key(new_module),
            title=template.title,
            kind=template.kind,
            module=new_module,
            pass_mark=template.pass_mark,
        )
        AssessmentItem.objects.bulk_create(
            AssessmentItem(
                template=clone,
                key=i.key,
                position=i.position,
                competency_id=i.competency_id,
                item_type=i.item_type,
                text=i.text,
                options=i.options,
                correct=i.correct,
                explanation=i.explanation,
            )
            for i in template.items.all()
        )


def readiness_request_render(ids: dict) -> EmailMessage | None:
    """The line manager's request: each candidate still awaiting their assessment, its
    due date and a link straight to it. None once every one was submitted or the
    manager has no active login."""
    nominations = list(
        ReadinessNomination.objects.filter(
            pk__in=ids["nomination_ids"], assessment__status=AssessmentStatus.DRAFT
        )
        .select_related("candidate", "assessment__rater", "organization")
        .order_by("candidate__full_name", "id")
    )
    if not nominations:
        return None
    manager = nominations[0].assessment.rater
    if not manager.is_active:
        return None
    base = settings.LODESTAR_BASE_URL.rstrip("/")
    requests = [
        {
            "candidate": n.candidate.full_name,
            "closes_on": n.assessment.closes_on,
            "link": base + reverse("assessments:take", args=[n.assessment_id]),
        }
        for n in nominations
    ]
    names = ", ".join(r["candidate"] for r in requests)
    body = render_to_string(
        "assessments/email/readiness_request.txt",
        {
            "manager": manager,
            "organization": nominations[0].organization,
            "requests": requests,
        },
    )
    return EmailMessage(f"Readiness assessment requested: {names}", body, None, [manager.email])
