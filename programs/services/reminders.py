"""Release and overdue reminders: a ReminderSent ledger row per learner, module and kind
(so each is due once), sent through the mail outbox (people.outbox). Also the nudge an
L&D manager sends by hand to chosen learners of a cohort."""

import datetime
import logging
import zoneinfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from people.audit import audit_log
from people.outbox import mail_queue_many, mail_send_pending
from people.permissions import Actor, require
from programs.models import (
    Cohort,
    Enrollment,
    EnrollmentStatus,
    Module,
    ModuleProgress,
    ProgressStatus,
    ReminderKind,
    ReminderSent,
)
from programs.selectors import next_module_for

logger = logging.getLogger(__name__)


RELEASE_REMINDER_DAYS = 6
REMINDER_MAIL = "programs.reminder"
NUDGE_MAIL = "programs.nudge"


def reminders_send_due(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Queues and sends reminder emails about modules released this week and modules now
    overdue (a week after release), for active learners.

    Driven by database state: each reminder is recorded once (a unique ReminderSent row)
    with its email in the mail outbox, in one transaction; then the pending reminder
    emails are sent outside any transaction and marked. A failed send stays pending for
    the next run, so a re-run, a second beat or a lost queue neither repeats nor loses
    one. Modules released before the learner was enrolled get no reminder (backfilled
    cohorts).
    """
    now = now or timezone.now()
    queued = reminders_queue_due(now=now)
    sent = mail_send_pending(kind=REMINDER_MAIL)
    return {**queued, **sent}


def reminders_queue_due(*, now: datetime.datetime) -> dict[str, int]:
    enrollments = list(
        Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE, employee__user__isnull=False)
        .filter(
            Q(employee__termination_date__isnull=True)
            | Q(employee__termination_date__gt=now.date())
        )
        .select_related("cohort__organization")
    )
    queued = {ReminderKind.RELEASED.value: 0, ReminderKind.OVERDUE.value: 0}
    if not enrollments:
        return queued
    modules_by_program: dict[int, list[Module]] = {}
    for module in Module.objects.filter(program_id__in={e.cohort.program_id for e in enrollments}):
        modules_by_program.setdefault(module.program_id, []).append(module)
    done = set(
        ModuleProgress.objects.filter(
            enrollment__in=enrollments, status=ProgressStatus.COMPLETED
        ).values_list("enrollment_id", "module_id")
    )
    already = set(
        ReminderSent.objects.filter(enrollment__in=enrollments).values_list(
            "enrollment_id", "module_id", "kind"
        )
    )
    due: list[ReminderSent] = []
    for enrollment in enrollments:
        tz = zoneinfo.ZoneInfo(enrollment.cohort.organization.time_zone)
        today = timezone.localdate(now, timezone=tz)
        enrolled_on = timezone.localdate(enrollment.enrolled_at, timezone=tz)
        for module in modules_by_program.get(enrollment.cohort.program_id, []):
            released = enrollment.cohort.week_starts(module.release_week)
            if released > today or released > enrollment.cohort.end_date or released < enrolled_on:
                continue
            if (enrollment.pk, module.pk) in done:
                continue
            if today >= released + datetime.timedelta(days=7):
                kind = ReminderKind.OVERDUE
            elif today <= released + datetime.timedelta(days=RELEASE_REMINDER_DAYS):
                kind = ReminderKind.RELEASED
            else:
                continue
            if (enrollment.pk, module.pk, kind) in already:
                continue
            due.append(
                ReminderSent(enrollment=enrollment, module=module, kind=kind, created_at=now)
            )
            queued[kind] += 1
    try:
        with transaction.atomic():
            created = ReminderSent.objects.bulk_create(due)
            mail_queue_many(kind=REMINDER_MAIL, ids_list=[{"reminder_id": r.pk} for r in created])
    except IntegrityError:
        # A concurrent run queued the same reminders first; it sends them.
        return {ReminderKind.RELEASED.value: 0, ReminderKind.OVERDUE.value: 0}
    return queued


def reminder_render(ids: dict) -> EmailMessage | None:
    """The reminder email, built when it is sent; None when the learner finished the
    module, left the cohort or has no login any more."""
    reminder = (
        ReminderSent.objects.select_related(
            "enrollment__employee__user", "enrollment__cohort__program", "module"
        )
        .filter(pk=ids["reminder_id"], enrollment__status=EnrollmentStatus.ACTIVE)
        .first()
    )
    if reminder is None or reminder.enrollment.employee.user is None:
        return None
    subject, body, _from, to = _reminder_message(
        reminder.enrollment, reminder.module, reminder.kind
    )
    return EmailMessage(subject, body, None, to)


def reminder_mark_sent(ids: dict) -> None:
    ReminderSent.objects.filter(pk=ids["reminder_id"]).update(
        sent_at=timezone.now(), attempts=F("attempts") + 1
    )


def _reminder_message(enrollment: Enrollment, module: Module, kind: str) -> tuple:

    user = enrollment.employee.user
    link = settings.LODESTAR_BASE_URL.rstrip("/") + "/learn/"
    if kind == ReminderKind.RELEASED:
        subject = f"New this week: {module.title}"
        body = f"Hello {user.get_short_name()},\n\n'{module.title}' is now open in {enrollment.cohort.program.title}.\n\n{link}\n"
    else:
        subject = f"Catch up: {module.title}"
        body = f"Hello {user.get_short_name()},\n\n'{module.title}' was due a week after its release. Pick it up when you can:\n\n{link}\n"
    return (subject, body, None, [user.email])


@transaction.atomic
def cohort_nudge(*, actor: Actor, cohort: Cohort, enrollment_ids: list[int]) -> list[Enrollment]:
    """Queues a nudge email to each chosen learner of this cohort, with a link to their
    next module (worked out when the email is sent). Ids of another cohort's or another
    organisation's enrolments, of ended enrolments and of learners without an active login
    are ignored; the caller gets the enrolments nudged. Another organisation's cohort is
    Cohort.DoesNotExist."""
    require(actor, "manage_programs")
    if cohort.organization_id != actor.organization.pk:
        raise Cohort.DoesNotExist
    enrollments = list(
        Enrollment.objects.filter(
            cohort=cohort,
            pk__in=set(enrollment_ids),
            status=EnrollmentStatus.ACTIVE,
            employee__user__is_active=True,
        )
        .select_related("employee")
        .order_by("employee__full_name", "id")
    )
    if not enrollments:
        return []
    mail_queue_many(
        kind=NUDGE_MAIL,
        organization=cohort.organization,
        ids_list=[{"enrollment_id": e.pk} for e in enrollments],
    )
    audit_log(
        organization=actor.organization,
        actor=actor.user,
        action="cohort.nudged",
        target=cohort.name,
        detail={"cohort_id": cohort.pk, "count": len(enrollments)},
    )
    return enrollments


def nudge_render(ids: dict) -> EmailMessage | None:
    """The nudge, built when it is sent: it links to the learner's next module then (or
    to their program when everything released is done). None once the enrolment ended or
    the login was deactivated."""
    enrollment = (
        Enrollment.objects.select_related(
            "employee__user", "cohort__program", "cohort__organization"
        )
        .filter(pk=ids["enrollment_id"], status=EnrollmentStatus.ACTIVE)
        .first()
    )
    user = enrollment.employee.user if enrollment else None
    if user is None or not user.is_active:
        return None
    base = settings.LODESTAR_BASE_URL.rstrip("/")
    program = enrollment.cohort.program.title
    module = next_module_for(enrollment=enrollment)
    greeting = f"Hello {user.get_short_name()},"
    if module is None:
        subject = f"Keep going with {program}"
        body = (
            f"{greeting}\n\nYou are up to date in {program}: the next module opens soon.\n\n"
            f"{base}{reverse('learn:home')}\n"
        )
    else:
        link = base + reverse("learn:module", args=[enrollment.pk, module.pk])
        subject = f"Your next step in {program}: {module.title}"
        body = (
            f"{greeting}\n\nYour L&D team sent you a reminder: '{module.title}' is waiting "
            f"for you in {program}.\n\n{link}\n"
        )
    return EmailMessage(subject, body, None, [user.email])
