"""Invitations and reminders to raters, through the mail outbox (people.outbox).

Each email carries a personal link. Its token is minted in the sending step (the
outbox's render), only its SHA-256 is stored, and the raw token goes into that one
email and nowhere else: not the outbox row, not a task argument, not a log line.
Earlier links stay valid until the cycle closes, so a rater may use any email.

Reminders follow the outbox's claim, send, mark: a beat run claims the raters due
(sets `last_reminded_at` and queues the email in one transaction, so a rerun or a
second beat finds them not due), the outbox sends, and `on_sent` counts the reminder.
A worker that dies between sending and marking causes at most one duplicate.
"""

import datetime
import secrets
import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from feedback360.models import CycleStatus, RaterAssignment, RaterStatus, RaterToken
from feedback360.permissions.reviewer import (
    LinkState,
    link_state,
    own_rater_requests,
    token_hash,
)
from feedback360.selectors.reviewer import AS_WHOM
from people.models import Organization
from people.outbox import mail_queue_many, mail_send_pending
from people.permissions import Actor

INVITATION_MAIL = "feedback360.invitation"
REMINDER_MAIL = "feedback360.reminder"
DEFAULT_REMINDER_INTERVAL_DAYS = 4
# Three reminders and then we stop asking: more reads as nagging.
MAX_REMINDERS = 3


def invite(assignment_ids: Iterable[int]) -> int:
    """Queues an invitation to each approved rater among `assignment_ids` whose cycle is
    open, and marks them invited, in the caller's transaction (or its own). Raters not
    approved yet, already invited, or in a cycle that is not open are left alone, so
    calling it twice sends nothing twice. Returns how many were queued."""
    with transaction.atomic():
        assignments = list(
            RaterAssignment.objects.select_for_update()
            .filter(
                pk__in=list(assignment_ids),
                status=RaterStatus.APPROVED,
                cycle__status=CycleStatus.OPEN,
            )
            .order_by("pk")
        )
        return _invite(assignments)


def cycle_invite_all(*, cycle) -> int:
    """Invites every approved rater of an open `cycle` not invited yet (on opening, or
    after late approvals). The caller has checked who may do this. Returns how many."""
    if cycle.status != CycleStatus.OPEN:
        return 0
    with transaction.atomic():
        assignments = list(
            RaterAssignment.objects.select_for_update()
            .filter(cycle=cycle, status=RaterStatus.APPROVED)
            .order_by("pk")
        )
        return _invite(assignments)


def _invite(assignments: list[RaterAssignment]) -> int:
    by_org: dict[int, list[int]] = {}
    for assignment in assignments:
        by_org.setdefault(assignment.organization_id, []).append(assignment.pk)
    RaterAssignment.objects.filter(pk__in=[a.pk for a in assignments]).update(
        status=RaterStatus.INVITED
    )
    for organization_id, pks in by_org.items():
        mail_queue_many(
            kind=INVITATION_MAIL,
            ids_list=[{"assignment_id": pk} for pk in pks],
            organization=_org(organization_id),
        )
    return len(assignments)


def _org(organization_id: int) -> Organization:
    return Organization.objects.get(pk=organization_id)


MAX_LINKS_PER_DAY = 20


def link_mint(*, assignment: RaterAssignment) -> str:
    """A fresh random link token for `assignment`. Only its hash is stored, committed
    before the caller puts the raw token in the email (the one place it may go)."""
    raw = secrets.token_urlsafe(32)
    RaterToken.objects.create(assignment=assignment, token_hash=token_hash(raw))
    return raw


def link_for_own_request(*, actor: Actor, assignment: RaterAssignment) -> str | None:
    """A fresh link for a rater with an account who opens their request from their home
    page (the emailed tokens are not stored, so one is minted, like an email's). None
    when the link would no longer take answers. Raises PermissionDenied for a request
    addressed to someone else."""
    if not own_rater_requests(actor).allows(assignment):
        raise PermissionDenied("This request is addressed to someone else.")
    if link_state(assignment, today=assignment.cycle.organization.today()) != LinkState.OPEN:
        return None
    # Each visit mints a link; a bound keeps a reloading page or a script from piling up
    # rows (emails add a handful a cycle, well under it).
    recent = RaterToken.objects.filter(
        assignment=assignment, created_at__gte=timezone.now() - datetime.timedelta(days=1)
    ).count()
    if recent >= MAX_LINKS_PER_DAY:
        raise ValidationError(
            "You have opened this request many times today. Use the page you already have "
            "open, or the link in your email."
        )
    return link_mint(assignment=assignment)


def _sendable(assignment_id: int) -> RaterAssignment | None:
    assignment = (
        RaterAssignment.objects.select_related(
            "cycle__organization", "subject__employee", "organization"
        )
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None:
        return None
    today = assignment.cycle.organization.today()
    if link_state(assignment, today=today) != LinkState.OPEN:
        return None
    return assignment


def _message(assignment: RaterAssignment, template: str, subject: str) -> EmailMessage:
    raw = link_mint(assignment=assignment)
    base = settings.LODESTAR_BASE_URL.rstrip("/")
    body = render_to_string(
        template,
        {
            "assignment": assignment,
            "subject_name": assignment.subject.employee.full_name,
            "as_whom": AS_WHOM[assignment.group],
            "organization": assignment.cycle.organization,
            "closes_on": assignment.cycle.closes_on,
            "link": base + reverse("feedback360:rater_form", args=[raw]),
            "unsubscribe_link": base + reverse("feedback360:rater_unsubscribe", args=[raw]),
            "decline_link": base + reverse("feedback360:rater_decline", args=[raw]),
        },
    )
    return EmailMessage(subject, body, None, [assignment.email])


def invitation_render(ids: dict) -> EmailMessage | None:
    """The invitation with a fresh link; None when the rater no longer needs one (they
    answered, declined or were removed, or the cycle closed)."""
    assignment = _sendable(ids["assignment_id"])
    if assignment is None:
        return None
    name = assignment.subject.employee.full_name
    return _message(
        assignment,
        "feedback360/reviewer/email/invitation.txt",
        f"{name} would value your feedback",
    )


def invitation_mark_sent(ids: dict) -> None:
    RaterAssignment.objects.filter(pk=ids["assignment_id"], invited_at__isnull=True).update(
        invited_at=timezone.now()
    )


def reminder_render(ids: dict) -> EmailMessage | None:
    """The reminder with a fresh link; None when the rater answered, declined,
    unsubscribed or was removed meanwhile, or the cycle closed."""
    assignment = _sendable(ids["assignment_id"])
    if assignment is None or assignment.unsubscribed_at is not None:
        return None
    name = assignment.subject.employee.full_name
    return _message(
        assignment,
        "feedback360/reviewer/email/reminder.txt",
        f"Reminder: your feedback for {name}",
    )


def reminder_mark_sent(ids: dict) -> None:
    RaterAssignment.objects.filter(pk=ids["assignment_id"]).update(
        reminders_sent=F("reminders_sent") + 1
    )


def reminders_queue_due(*, now: datetime.datetime | None = None) -> int:
    """Claims the raters due a reminder and queues one email each, in one transaction.
    Due: invited (the invitation went out), not answered, declined or unsubscribed, in
    an open cycle not past its closing date, and the cycle's reminder interval since the
    invitation or the last reminder. Returns how many were queued."""
    now = now or timezone.now()
    with transaction.atomic():
        candidates = list(
            RaterAssignment.objects.select_for_update(of=("self",))
            .select_related("cycle__organization")
            .filter(
                status=RaterStatus.INVITED,
                cycle__status=CycleStatus.OPEN,
                invited_at__isnull=False,
                unsubscribed_at__isnull=True,
                reminders_sent__lt=MAX_REMINDERS,
            )
            .order_by("pk")
        )
        due = [a for a in candidates if _is_due(a, now)]
        if not due:
            return 0
        RaterAssignment.objects.filter(pk__in=[a.pk for a in due]).update(last_reminded_at=now)
        by_org: dict[int, list[RaterAssignment]] = {}
        for assignment in due:
            by_org.setdefault(assignment.organization_id, []).append(assignment)
        for org_assignments in by_org.values():
            mail_queue_many(
                kind=REMINDER_MAIL,
                ids_list=[{"assignment_id": a.pk} for a in org_assignments],
                organization=org_assignments[0].cycle.organization,
            )
    return len(due)


def _is_due(assignment: RaterAssignment, now: datetime.datetime) -> bool:
    cycle = assignment.cycle
    today = timezone.localdate(now, timezone=zoneinfo.ZoneInfo(cycle.organization.time_zone))
    if today > cycle.closes_on:
        return False
    interval = datetime.timedelta(
        days=cycle.reminder_interval_days or DEFAULT_REMINDER_INTERVAL_DAYS
    )
    last = assignment.last_reminded_at or assignment.invited_at
    return last <= now - interval


def reminders_send_due(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """For beat: claims and queues the reminders due, then sends what is pending (also
    reminders a lost queue left behind)."""
    queued = reminders_queue_due(now=now)
    sent = mail_send_pending(kind=REMINDER_MAIL)
    return {"queued": queued, **sent}
