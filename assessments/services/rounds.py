"""Assessment rounds for a cohort, and the raters' answers: drafts, submission, reopening."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessments.models import (
    Answer,
    Assessment,
    AssessmentKind,
    AssessmentStatus,
    AssessmentTemplate,
    Phase,
)
from assessments.services.library import assessment_library_load
from assessments.services.requests import assessment_requests_queue
from people.audit import audit_log
from people.events import EventName, event_emit
from people.permissions import Actor, require
from programs.models import Cohort, EnrollmentStatus

SELF_TEMPLATE = "leadership-self-assessment"
MANAGER_TEMPLATE = "leadership-manager-assessment"


@transaction.atomic
def assessment_round_open(
    *,
    actor: Actor,
    cohort: Cohort,
    phase: str,
    opens_on: datetime.date,
    closes_on: datetime.date,
    notify: bool = True,
) -> dict:
    """Asks every active learner of a cohort for a self-assessment and their line manager
    for a manager assessment, within a window, each newly asked rater by one email
    (unless `notify` is off, as for demo data). Safe to repeat: nobody is asked twice.
    Returns counts and the learners whose manager has no login."""
    require(actor, "manage_assessments")
    if cohort.organization_id != actor.organization.pk:
        raise Cohort.DoesNotExist
    errors = {}
    if phase not in Phase.values:
        errors["phase"] = "Choose baseline or end of program."
    if closes_on < opens_on:
        errors["closes_on"] = "The window must close after it opens."
    if closes_on < actor.organization.today():
        errors["closes_on"] = "The window would already be closed."
    if errors:
        raise ValidationError(errors)
    assessment_library_load(organization=actor.organization)
    templates = {
        t.key: t
        for t in AssessmentTemplate.objects.filter(
            organization=actor.organization, key__in=[SELF_TEMPLATE, MANAGER_TEMPLATE]
        )
    }
    enrollments = list(
        cohort.enrollments.filter(status=EnrollmentStatus.ACTIVE).select_related(
            "employee__user", "employee__manager__user"
        )
    )
    wanted, no_manager = [], []
    for enrollment in enrollments:
        learner = enrollment.employee
        if learner.user_id:
            wanted.append((templates[SELF_TEMPLATE], learner, learner.user, enrollment))
        manager = learner.manager
        if manager is not None and manager.user_id and manager.user.is_active:
            wanted.append((templates[MANAGER_TEMPLATE], learner, manager.user, enrollment))
        else:
            no_manager.append(learner.full_name)
    existing = set(
        Assessment.objects.filter(enrollment__in=enrollments, phase=phase).values_list(
            "template_id", "subject_id", "rater_id", "enrollment_id"
        )
    )
    created = Assessment.objects.bulk_create(
        Assessment(
            organization=actor.organization,
            template=t,
            subject=s,
            rater=r,
            enrollment=e,
            phase=phase,
            opens_on=opens_on,
            closes_on=closes_on,
        )
        for t, s, r, e in wanted
        if (t.pk, s.pk, r.pk, e.pk) not in existing
    )
    # Only those asked now are emailed, so opening the round again emails nobody twice.
    if notify:
        assessment_requests_queue(organization=actor.organization, assessments=created)
    audit_log(
        organization=actor.organization,
        actor=actor.user,
        action="assessment.round_opened",
        target=cohort.name,
        detail={"phase": phase, "created": len(created)},
    )
    return {"created": len(created), "without_manager": no_manager}


def _check_window(assessment: Assessment) -> None:
    today = assessment.organization.today()
    if today < assessment.opens_on:
        raise ValidationError(
            {"assessment": f"This assessment opens on {assessment.opens_on:%d %B %Y}."}
        )
    if today > assessment.closes_on:
        raise ValidationError(
            {"assessment": f"This assessment closed on {assessment.closes_on:%d %B %Y}."}
        )


def assessment_submit_refusal(*, assessment: Assessment) -> str | None:
    """Why the saved answers cannot be submitted yet (a competency with no answer), or
    None when they can. The one rule behind submitting and the page's confirmation step."""
    answered = set(assessment.answers.values_list("item__competency_id", flat=True))
    missing = sorted(
        {
            i.competency.name
            for i in assessment.template.items.select_related("competency")
            if i.competency_id and i.competency_id not in answered
        }
    )
    if not missing:
        return None
    return (
        "Answer at least one question about each competency before submitting: "
        + ", ".join(missing)
        + "."
    )


@transaction.atomic
def assessment_answer(
    *, actor: Actor, assessment: Assessment, answers: dict[str, int | None], submit: bool
) -> Assessment:
    """Saves the rater's answers as a draft, or submits them (final).

    `answers` maps item keys to 1-5, or None to clear. Raises ValidationError naming
    every bad answer; nothing is saved unless all are valid. A submitted assessment
    cannot change until an L&D manager reopens it.
    """
    assessment = (
        Assessment.objects.select_for_update().select_related("organization").get(pk=assessment.pk)
    )
    if assessment.rater_id != actor.user.pk or assessment.organization_id != actor.organization.pk:
        raise Assessment.DoesNotExist
    if assessment.status == AssessmentStatus.SUBMITTED:
        raise ValidationError(
            {"assessment": "You already submitted this assessment; answers are final."}
        )
    if assessment.template.kind in (AssessmentKind.MANAGER, AssessmentKind.READINESS):
        manager = assessment.subject.manager
        if manager is None or manager.user_id != actor.user.pk:
            raise ValidationError(
                {"assessment": f"You are no longer {assessment.subject.full_name}'s line manager."}
            )
    _check_window(assessment)
    items = {i.key: i for i in assessment.template.items.all()}
    bad = []
    for key, value in answers.items():
        item = items.get(key)
        if item is None:
            bad.append(f"'{key}' is not a question of this assessment.")
        elif value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5
        ):
            bad.append(f"'{item.text[:60]}…' needs a rating from 1 to 5, not {value!r}.")
    if bad:
        raise ValidationError({"answers": bad})
    current = {a.item_id: a for a in assessment.answers.all()}
    to_create, to_update, to_delete = [], [], []
    for key, value in answers.items():
        item = items[key]
        if value is None:
            if item.pk in current:
                to_delete.append(current[item.pk].pk)
        elif item.pk in current:
            current[item.pk].value = value
            to_update.append(current[item.pk])
        else:
            to_create.append(Answer(assessment=assessment, item=item, value=value))
    Answer.objects.filter(pk__in=to_delete).delete()
    Answer.objects.bulk_update(to_update, ["value"])
    Answer.objects.bulk_create(to_create)
    if submit:
        refusal = assessment_submit_refusal(assessment=assessment)
        if refusal:
            raise ValidationError({"answers": refusal})
        assessment.status, assessment.submitted_at = AssessmentStatus.SUBMITTED, timezone.now()
        assessment.save(update_fields=["status", "submitted_at"])
        event_emit(
            name=EventName.ASSESSMENT_SUBMITTED,
            actor=actor,
            payload={
                "assessment_id": assessment.pk,
                "enrollment_id": assessment.enrollment_id,
                "subject_id": assessment.subject_id,
                "kind": assessment.template.kind,
                "phase": assessment.phase,
            },
        )
    return assessment


@transaction.atomic
def assessment_reopen(
    *, actor: Actor, assessment: Assessment, reason: str, closes_on: datetime.date | None = None
) -> Assessment:
    """An L&D manager lets the rater change a submitted assessment again, until
    `closes_on` (default: a week from today, or the old close date if later). Audited."""
    require(actor, "manage_assessments")
    if assessment.organization_id != actor.organization.pk:
        raise Assessment.DoesNotExist
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not reason.strip():
        raise ValidationError({"reason": "Say why it is being reopened."})
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise ValidationError({"assessment": "Only a submitted assessment can be reopened."})
    today = actor.organization.today()
    closes_on = closes_on or max(assessment.closes_on, today + datetime.timedelta(days=7))
    if closes_on < today:
        raise ValidationError({"closes_on": "Give the rater time: choose a date from today on."})
    assessment.status, assessment.submitted_at, assessment.closes_on = (
        AssessmentStatus.DRAFT,
        None,
        closes_on,
    )
    assessment.save(update_fields=["status", "submitted_at", "closes_on"])
    assessment_requests_queue(organization=actor.organization, assessments=[assessment])
    audit_log(
        organization=actor.organization,
        actor=actor.user,
        action="assessment.reopened",
        target=str(assessment),
        detail={"assessment_id": assessment.pk, "reason": reason.strip()[:500]},
    )
    return assessment
