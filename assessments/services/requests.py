"""Emails asking someone to do something: fill in an assessment, agree a development plan.

Services queue them through the mail outbox (people.outbox) in the transaction that
makes the request, so a rollback sends nothing; each is rendered at sending time and
skipped when the task was done meanwhile. Each links straight to where the task is done.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat

from assessments.models import Assessment, AssessmentKind, AssessmentStatus, DevelopmentPlan
from people.models import Organization
from people.outbox import mail_queue, mail_queue_many
from programs.models import EnrollmentStatus

ASSESSMENT_REQUEST_MAIL = "assessments.assessment_request"
PLAN_TO_AGREE_MAIL = "assessments.plan_to_agree"
LEARNER, COACH = "learner", "coach"


def _link(url_name: str, pk: int) -> str:
    return settings.LODESTAR_BASE_URL.rstrip("/") + reverse(url_name, args=[pk])


def assessment_requests_queue(*, organization: Organization, assessments: list[Assessment]) -> None:
    """One email per rater listing the assessments they are newly asked to fill in."""
    by_rater: dict[int, list[int]] = {}
    for assessment in assessments:
        by_rater.setdefault(assessment.rater_id, []).append(assessment.pk)
    mail_queue_many(
        kind=ASSESSMENT_REQUEST_MAIL,
        organization=organization,
        ids_list=[{"assessment_ids": ids} for ids in by_rater.values()],
    )


def _what(assessment: Assessment) -> str:
    if assessment.template.kind == AssessmentKind.SELF:
        return f"{assessment.template.title} (about yourself)"
    return f"{assessment.template.title} for {assessment.subject.full_name}"


def assessment_request_render(ids: dict) -> EmailMessage | None:
    """The rater's request: each assessment still to submit, its window and a link
    straight to it. None once every one was submitted or the rater has no active login."""
    waiting = list(
        Assessment.objects.filter(pk__in=ids["assessment_ids"], status=AssessmentStatus.DRAFT)
        .select_related("template", "subject", "rater", "organization")
        .order_by("closes_on", "subject__full_name", "id")
    )
    if not waiting or not waiting[0].rater.is_active:
        return None
    rater = waiting[0].rater
    requests = [
        {
            "what": _what(a),
            "opens_on": a.opens_on,
            "closes_on": a.closes_on,
            "link": _link("assessments:take", a.pk),
        }
        for a in waiting
    ]
    due = dateformat.format(waiting[0].closes_on, "j M Y")
    subject = (
        f"Please fill in the {requests[0]['what']} by {due}"
        if len(requests) == 1
        else f"{len(requests)} assessments to fill in, the first by {due}"
    )
    body = render_to_string(
        "assessments/email/assessment_request.txt",
        {"rater": rater, "organization": waiting[0].organization, "requests": requests},
    )
    return EmailMessage(subject, body, None, [rater.email])


def plan_to_agree_queue(*, plan: DevelopmentPlan, who: str) -> None:
    """Asks the learner or their coach to agree the plan (see plan_to_agree_render)."""
    mail_queue(
        kind=PLAN_TO_AGREE_MAIL,
        organization=plan.enrollment.cohort.organization,
        ids={"plan_id": plan.pk, "who": who},
    )


def plan_to_agree_render(ids: dict) -> EmailMessage | None:
    """The learner or the coach is asked to agree the plan, with a link to it. None when
    their agreement is no longer awaited (given already, or, for the coach, the learner's
    was withdrawn by an edit), the enrolment ended, or they have no active login."""
    plan = (
        DevelopmentPlan.objects.filter(
            pk=ids["plan_id"], enrollment__status=EnrollmentStatus.ACTIVE
        )
        .select_related(
            "enrollment__employee__user",
            "enrollment__coach",
            "enrollment__cohort__program",
            "enrollment__cohort__organization",
        )
        .first()
    )
    if plan is None:
        return None
    enrollment = plan.enrollment
    learner = enrollment.employee
    if ids["who"] == COACH:
        recipient = enrollment.coach
        awaited = plan.learner_agreed_at is not None and plan.coach_agreed_at is None
        subject = f"{learner.full_name} agreed their development plan: please agree it too"
    else:
        recipient = learner.user
        awaited = plan.learner_agreed_at is None
        subject = f"Your development plan for {enrollment.cohort.program.title} is ready to agree"
    if not awaited or recipient is None or not recipient.is_active:
        return None
    body = render_to_string(
        "assessments/email/plan_to_agree.txt",
        {
            "recipient": recipient,
            "as_coach": ids["who"] == COACH,
            "learner": learner,
            "program": enrollment.cohort.program,
            "coach_agreed": plan.coach_agreed_at is not None,
            "link": _link("assessments:results", enrollment.pk),
        },
    )
    return EmailMessage(subject, body, None, [recipient.email])
