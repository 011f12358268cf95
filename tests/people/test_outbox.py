"""The mail outbox: intent recorded in the transaction, sent outside it, at least once."""

import datetime
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from people import outbox
from people.models import MailStatus, OutgoingMail
from people.services.access import INVITATION, invitation_queue
from tests.factories import UserFactory


@pytest.fixture
def invitee(db):
    user = UserFactory(email="new@acme.test")
    user.set_unusable_password()
    user.save()
    return user


def test_a_rolled_back_change_sends_nothing(org, invitee, mailoutbox):
    with pytest.raises(RuntimeError), transaction.atomic():
        invitation_queue(users=[invitee], organization=org)
        raise RuntimeError("the grant failed")
    assert not OutgoingMail.objects.exists() and not mailoutbox


def test_the_row_holds_ids_only_and_the_link_is_made_when_sending(org, invitee, mailoutbox):
    invitation_queue(users=[invitee], organization=org)
    mail = OutgoingMail.objects.get()
    assert (mail.kind, mail.ids, mail.status) == (
        INVITATION,
        {"user_id": invitee.pk, "organization_id": org.pk},
        MailStatus.PENDING,
    )
    assert outbox.mail_send(mail_id=mail.pk) == MailStatus.SENT
    [email] = mailoutbox
    assert email.to == ["new@acme.test"] and "/password-reset/" in email.body
    mail.refresh_from_db()
    assert mail.status == MailStatus.SENT and mail.sent_at is not None
    assert "password-reset" not in str(OutgoingMail.objects.values().get())


def test_a_second_delivery_of_the_task_sends_nothing_twice(org, invitee, mailoutbox):
    invitation_queue(users=[invitee], organization=org)
    mail = OutgoingMail.objects.get()
    outbox.mail_send(mail_id=mail.pk)
    assert outbox.mail_send(mail_id=mail.pk) == MailStatus.SENT
    assert outbox.mail_send_pending() == {"sent": 0, "failed": 0}
    assert len(mailoutbox) == 1


def test_a_failed_send_stays_pending_then_gives_up_after_five_tries(org, invitee, mailoutbox):
    invitation_queue(users=[invitee], organization=org)
    mail = OutgoingMail.objects.get()
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=OSError("smtp down"),
    ):
        assert outbox.mail_send(mail_id=mail.pk) == MailStatus.PENDING
        mail.refresh_from_db()
        assert mail.last_error == "OSError: smtp down" and mail.attempts == 1
        statuses = [outbox.mail_send(mail_id=mail.pk) for _ in range(4)]
    assert statuses == [MailStatus.PENDING] * 3 + [MailStatus.FAILED]
    assert not mailoutbox


def test_a_worker_that_died_mid_send_is_covered_by_the_sweeper(org, invitee, mailoutbox):
    invitation_queue(users=[invitee], organization=org)
    mail = OutgoingMail.objects.get()
    # Claimed eleven minutes ago by a worker that never marked it.
    OutgoingMail.objects.filter(pk=mail.pk).update(
        status=MailStatus.SENDING,
        claimed_at=timezone.now() - datetime.timedelta(minutes=11),
        created_at=timezone.now() - datetime.timedelta(minutes=11),
    )
    assert outbox.mail_send(mail_id=mail.pk) == MailStatus.SENDING  # still someone else's
    assert outbox.mail_sweep() == {"unstuck": 1, "queued": 1}
    # The sweep queued the task, which runs in-process here.
    assert OutgoingMail.objects.get(pk=mail.pk).status == MailStatus.SENT
    assert len(mailoutbox) == 1


def test_nothing_is_sent_to_someone_whose_login_closed_meanwhile(org, invitee, mailoutbox):
    invitation_queue(users=[invitee], organization=org)
    invitee.is_active = False
    invitee.save(update_fields=["is_active"])
    assert outbox.mail_send(mail_id=OutgoingMail.objects.get().pk) == MailStatus.SKIPPED
    assert not mailoutbox


def test_an_unknown_kind_is_refused_when_queued(org):
    with pytest.raises(ValueError, match="No renderer"):
        outbox.mail_queue(kind="nobody.knows", ids={}, organization=org)
