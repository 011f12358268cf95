"""The mail outbox: intent in the transaction, sending outside it.

A service calls `mail_queue(kind=..., ids=...)` inside its transaction; nothing is
rendered or sent then. Once the transaction commits a Celery task runs `mail_send`:
it claims the row (pending -> sending, in one UPDATE, so two workers never both send
it), renders the email through the kind's registered renderer (which mints any link
token at that moment, committing its hash before the email leaves), sends, and marks
it sent. Delivery is at least once: a worker killed between sending and marking leaves
the row "sending", and the sweeper sends it again after a while, so one duplicate is
possible and nothing is lost. A rerun or a second beat never sends a sent row again.

Apps register their kinds in AppConfig.ready(); people never imports them.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from celery import current_app
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from people.models import MailStatus, Organization, OutgoingMail

logger = logging.getLogger(__name__)

TASK = "people.tasks.send_outgoing_mail"
MAX_ATTEMPTS = 5
# A row still "sending" this long after it was claimed belongs to a worker that died.
STUCK_AFTER = datetime.timedelta(minutes=10)
# A pending row this old missed its task (broker down, worker down): the sweeper sends it.
RESEND_AFTER = datetime.timedelta(minutes=1)


@dataclass(frozen=True)
class MailKind:
    # Builds the email from the ids, or returns None when there is nothing to send any
    # more (the person left, the task was done meanwhile).
    render: Callable[[dict], EmailMessage | None]
    # Runs in the transaction that marks the row sent (a reminder ledger, say).
    on_sent: Callable[[dict], None] | None = None


MAIL_KINDS: dict[str, MailKind] = {}


def register_mail_kind(
    kind: str,
    *,
    render: Callable[[dict], EmailMessage | None],
    on_sent: Callable[[dict], None] | None = None,
) -> None:
    MAIL_KINDS[kind] = MailKind(render=render, on_sent=on_sent)


def mail_queue(*, kind: str, ids: dict, organization: Organization | None = None) -> OutgoingMail:
    """Records that an email of `kind` about `ids` should go out, in the caller's
    transaction; its task is queued once that commits."""
    return mail_queue_many(kind=kind, ids_list=[ids], organization=organization)[0]


def mail_queue_many(
    *, kind: str, ids_list: list[dict], organization: Organization | None = None
) -> list[OutgoingMail]:
    if kind not in MAIL_KINDS:
        raise ValueError(f"No renderer is registered for mail of kind {kind!r}.")
    mails = OutgoingMail.objects.bulk_create(
        OutgoingMail(organization=organization, kind=kind, ids=ids) for ids in ids_list
    )
    pks = [mail.pk for mail in mails]
    if pks:
        transaction.on_commit(lambda: [_send_task(pk) for pk in pks])
    return mails


def _send_task(mail_id: int) -> None:
    try:
        current_app.tasks[TASK].delay(mail_id)
    except Exception:
        if current_app.conf.task_always_eager:
            raise
        logger.exception("Could not queue mail %s; the sweeper will send it", mail_id)


def mail_send(*, mail_id: int, connection=None) -> str:
    """Claims, renders, sends and marks one email. Returns its status afterwards; a row
    another worker claimed, or already sent, is left alone."""
    now = timezone.now()
    claimed = OutgoingMail.objects.filter(pk=mail_id, status=MailStatus.PENDING).update(
        status=MailStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return OutgoingMail.objects.filter(pk=mail_id).values_list("status", flat=True).first()
    mail = OutgoingMail.objects.get(pk=mail_id)
    kind = MAIL_KINDS.get(mail.kind)
    try:
        message = kind.render(mail.ids) if kind else None
    except Exception as exc:
        return _failed(mail, exc)
    if message is None:
        OutgoingMail.objects.filter(pk=mail.pk).update(status=MailStatus.SKIPPED)
        return MailStatus.SKIPPED
    try:
        (connection or get_connection()).send_messages([message])
    except Exception as exc:
        return _failed(mail, exc)
    with transaction.atomic():
        OutgoingMail.objects.filter(pk=mail.pk).update(
            status=MailStatus.SENT, sent_at=timezone.now(), last_error=""
        )
        if kind.on_sent:
            kind.on_sent(mail.ids)
    return MailStatus.SENT


def _failed(mail: OutgoingMail, exc: Exception) -> str:
    logger.warning("Mail %s (%s) failed on attempt %s: %s", mail.pk, mail.kind, mail.attempts, exc)
    status = MailStatus.FAILED if mail.attempts >= MAX_ATTEMPTS else MailStatus.PENDING
    OutgoingMail.objects.filter(pk=mail.pk).update(
        status=status, last_error=f"{type(exc).__name__}: {exc}"[:300]
    )
    return status


def mail_send_pending(*, kind: str | None = None, limit: int = 500) -> dict[str, int]:
    """Sends pending mail now, one row at a time through `mail_send` (for a job that
    queued mail and wants it out in the same run, and for the sweeper)."""
    pending = OutgoingMail.objects.filter(status=MailStatus.PENDING)
    if kind:
        pending = pending.filter(kind=kind)
    counts = {"sent": 0, "failed": 0}
    connection = get_connection()
    for mail_id in pending.order_by("created_at", "id").values_list("pk", flat=True)[:limit]:
        status = mail_send(mail_id=mail_id, connection=connection)
        if status == MailStatus.SENT:
            counts["sent"] += 1
        elif status in (MailStatus.PENDING, MailStatus.FAILED):
            counts["failed"] += 1
    return counts


def mail_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Puts rows stuck in "sending" back to pending (their worker died), and queues the
    pending rows whose task was lost."""
    now = now or timezone.now()
    unstuck = OutgoingMail.objects.filter(
        status=MailStatus.SENDING, claimed_at__lte=now - STUCK_AFTER
    ).update(status=MailStatus.PENDING)
    waiting = list(
        OutgoingMail.objects.filter(
            status=MailStatus.PENDING, created_at__lte=now - RESEND_AFTER
        ).values_list("pk", flat=True)[:500]
    )
    for mail_id in waiting:
        _send_task(mail_id)
    return {"unstuck": unstuck, "queued": len(waiting)}
