"""Release and overdue reminders, through the ReminderSent outbox."""

import datetime
import logging
import zoneinfo

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from programs.models import (
    Enrollment,
    EnrollmentStatus,
    Module,
    ModuleProgress,
    ProgressStatus,
    ReminderKind,
    ReminderSent,
)

logger = logging.getLogger(__name__)


RELEASE_REMINDER_DAYS = 6
MAX_REMINDER_ATTEMPTS = 5


def reminders_send_due(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Queues and sends reminder emails about modules released this week and modules now
    overdue (a week after release), for active learners.

    Driven by database state through the ReminderSent outbox: each reminder is queued
    once (a unique row), then sent and marked; a failed send is retried on the next run,
    so a re-run, a second beat or a lost queue neither repeats nor loses one. Modules
    released before the learner was enrolled get no reminder (backfilled cohorts).
    """
    now = now or timezone.now()
    queued = reminders_queue_due(now=now)
    sent = reminders_deliver(now=now)
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
    # ignore_conflicts: a concurrent run that queued the same reminder wins, harmlessly.
    ReminderSent.objects.bulk_create(due, ignore_conflicts=True)
    return queued


def reminders_deliver(*, now: datetime.datetime) -> dict[str, int]:
    """Sends every pending reminder and marks it sent; failures stay pending."""

    delivered = failed = 0
    with transaction.atomic():
        pending = list(
            ReminderSent.objects.filter(sent_at__isnull=True, attempts__lt=MAX_REMINDER_ATTEMPTS)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("enrollment__employee__user", "enrollment__cohort__program", "module")
        )
        if not pending:
            return {"sent": 0, "failed": 0}
        connection = get_connection()
        sent_ids, failed_ids = [], []
        for reminder in pending:
            subject, body, _from, to = _reminder_message(
                reminder.enrollment, reminder.module, reminder.kind
            )
            try:
                connection.send_messages([EmailMessage(subject, body, None, to)])
            except Exception:
                logger.exception("Reminder %s could not be sent; it stays pending", reminder.pk)
                failed_ids.append(reminder.pk)
            else:
                sent_ids.append(reminder.pk)
        ReminderSent.objects.filter(pk__in=sent_ids).update(sent_at=now, attempts=F("attempts") + 1)
        ReminderSent.objects.filter(pk__in=failed_ids).update(attempts=F("attempts") + 1)
        delivered, failed = len(sent_ids), len(failed_ids)
    return {"sent": delivered, "failed": failed}


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
