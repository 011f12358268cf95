"""Invitations and reminders: queued as ids, each email minting its own link at sending,
only the link's hash stored; reminders claimed, sent and marked so nothing is skipped or
sent twice."""

import datetime

from django.utils import timezone

from feedback360.models import CycleStatus, RaterStatus, RaterToken
from feedback360.permissions.reviewer import LinkState, token_hash
from feedback360.selectors.reviewer import rater_link_find
from feedback360.services import invitations
from people.models import MailStatus, OutgoingMail
from people.outbox import mail_send, mail_send_pending, mail_sweep
from tests.feedback360.factories_reviewer import (  # noqa: F401  (fixtures)
    fixture_cycle,
    fixture_invited,
    fixture_peer_rater,
    fixture_subject,
    rater,
    token_from,
)


def _days_ago(days: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def test_an_invitation_is_queued_as_ids_and_its_link_made_when_sent(peer_rater, mailoutbox):
    assert invitations.invite([peer_rater.pk]) == 1
    mail = OutgoingMail.objects.get()
    assert (mail.kind, mail.ids) == (invitations.INVITATION_MAIL, {"assignment_id": peer_rater.pk})
    assert not RaterToken.objects.exists(), "no link exists before the email is sent"
    peer_rater.refresh_from_db()
    assert (peer_rater.status, peer_rater.invited_at) == (RaterStatus.INVITED, None)

    assert mail_send(mail_id=mail.pk) == MailStatus.SENT
    [email] = mailoutbox
    assert email.to == ["priya@partner.test"]
    assert email.subject == "Learner would value your feedback"
    assert "would value your feedback as one of their peers." in email.body
    token = token_from(email.body)
    assert len(token) >= 43
    [stored] = RaterToken.objects.all()
    assert stored.token_hash == token_hash(token) and stored.token_hash != token
    assert f"/360/r/{token}/decline/" in email.body
    assert f"/360/r/{token}/unsubscribe/" in email.body
    peer_rater.refresh_from_db()
    assert peer_rater.invited_at is not None


def test_the_invitation_names_the_raters_part_in_words(cycle, subject, mailoutbox):
    manager = rater(cycle, subject, name="Mia", email="mia@acme.test", group="manager")
    report = rater(cycle, subject, name="Ravi", email="ravi@acme.test", group="direct_report")
    invitations.invite([manager.pk, report.pk])
    mail_send_pending()
    bodies = {m.to[0]: m.body for m in mailoutbox}
    assert "your feedback as their manager." in bodies["mia@acme.test"]
    assert "your feedback as someone they manage." in bodies["ravi@acme.test"]


def test_inviting_twice_sends_once(peer_rater, mailoutbox):
    invitations.invite([peer_rater.pk])
    assert invitations.invite([peer_rater.pk]) == 0
    mail_send_pending()
    assert len(mailoutbox) == 1


def test_only_approved_raters_of_an_open_cycle_are_invited(cycle, subject, mailoutbox):
    nominated = rater(cycle, subject, name="N", email="n@x.test", status=RaterStatus.NOMINATED)
    removed = rater(cycle, subject, name="R", email="r@x.test", status=RaterStatus.REMOVED)
    approved = rater(cycle, subject, name="A", email="a@x.test")
    assert invitations.invite([nominated.pk, removed.pk, approved.pk]) == 1
    mail_send_pending()
    assert [m.to for m in mailoutbox] == [["a@x.test"]]

    cycle.status = CycleStatus.SCHEDULED
    cycle.save(update_fields=["status"])
    late = rater(cycle, subject, name="L", email="l@x.test")
    assert invitations.invite([late.pk]) == 0
    assert invitations.cycle_invite_all(cycle=cycle) == 0


def test_opening_invites_every_approved_rater_of_the_cycle(cycle, subject, mailoutbox):
    for n in range(3):
        rater(cycle, subject, name=f"P{n}", email=f"p{n}@x.test")
    rater(cycle, subject, name="Wait", email="w@x.test", status=RaterStatus.NOMINATED)
    assert invitations.cycle_invite_all(cycle=cycle) == 3
    mail_send_pending()
    assert sorted(m.to[0] for m in mailoutbox) == ["p0@x.test", "p1@x.test", "p2@x.test"]


def test_a_rater_who_answered_or_declined_before_sending_gets_no_email(peer_rater, mailoutbox):
    invitations.invite([peer_rater.pk])
    peer_rater.status = RaterStatus.DECLINED
    peer_rater.save(update_fields=["status"])
    assert mail_send(mail_id=OutgoingMail.objects.get().pk) == MailStatus.SKIPPED
    assert not mailoutbox and not RaterToken.objects.exists()


def test_every_send_mints_a_fresh_link_and_earlier_links_keep_working(
    peer_rater, invited, mailoutbox
):
    peer_rater.refresh_from_db()
    peer_rater.invited_at = _days_ago(5)
    peer_rater.save(update_fields=["invited_at"])
    assert invitations.reminders_send_due() == {"queued": 1, "sent": 1, "failed": 0}
    second = token_from(mailoutbox[-1].body)
    assert second != invited
    assert mailoutbox[-1].subject == "Reminder: your feedback for Learner"
    assert RaterToken.objects.count() == 2
    for token in (invited, second):
        principal = rater_link_find(token=token)
        assert (principal.state, principal.assignment.pk) == (LinkState.OPEN, peer_rater.pk)


def test_a_reminder_waits_for_the_cycles_interval(peer_rater, invited, mailoutbox):
    peer_rater.refresh_from_db()
    peer_rater.invited_at = _days_ago(3.9)
    peer_rater.save(update_fields=["invited_at"])
    assert invitations.reminders_queue_due() == 0
    peer_rater.invited_at = _days_ago(4.1)
    peer_rater.save(update_fields=["invited_at"])
    assert invitations.reminders_queue_due() == 1
    # A rerun, or a second beat, finds nobody due: the reminder is already claimed.
    assert invitations.reminders_queue_due() == 0
    mail_send_pending()
    peer_rater.refresh_from_db()
    assert peer_rater.reminders_sent == 1 and peer_rater.last_reminded_at is not None
    # The next one counts from the last reminder, not from the invitation.
    assert invitations.reminders_queue_due(now=timezone.now() + datetime.timedelta(days=3)) == 0
    assert invitations.reminders_queue_due(now=timezone.now() + datetime.timedelta(days=5)) == 1


def test_no_reminder_to_who_answered_declined_unsubscribed_or_after_closing(
    cycle, subject, mailoutbox
):
    raters = {
        status: rater(cycle, subject, name=status, email=f"{status}@x.test")
        for status in ("answered", "declined", "unsubscribed", "waiting")
    }
    invitations.invite([r.pk for r in raters.values()])
    mail_send_pending()
    mailoutbox.clear()
    raters["answered"].status = RaterStatus.SUBMITTED
    raters["declined"].status = RaterStatus.DECLINED
    raters["unsubscribed"].status = RaterStatus.INVITED
    raters["unsubscribed"].unsubscribed_at = timezone.now()
    raters["waiting"].status = RaterStatus.INVITED
    for r in raters.values():
        r.invited_at = _days_ago(10)
        r.save(update_fields=["status", "invited_at", "unsubscribed_at"])
    assert invitations.reminders_send_due()["sent"] == 1
    assert [m.to for m in mailoutbox] == [["waiting@x.test"]]

    later = timezone.now() + datetime.timedelta(days=30)  # past the closing date
    assert invitations.reminders_queue_due(now=later) == 0


def test_reminders_stop_after_three(cycle, peer_rater, invited, mailoutbox):
    cycle.closes_on += datetime.timedelta(days=60)
    cycle.save(update_fields=["closes_on"])
    now = timezone.now()
    for n in range(1, 6):
        invitations.reminders_send_due(now=now + datetime.timedelta(days=5 * n))
    peer_rater.refresh_from_db()
    assert peer_rater.reminders_sent == 3
    assert len(mailoutbox) == 1 + 3


def test_a_reminder_is_not_lost_when_the_worker_dies_and_is_sent_at_most_twice(
    peer_rater, invited, mailoutbox
):
    peer_rater.refresh_from_db()
    peer_rater.invited_at = _days_ago(5)
    peer_rater.save(update_fields=["invited_at"])
    assert invitations.reminders_queue_due() == 1
    mail = OutgoingMail.objects.get(kind=invitations.REMINDER_MAIL)
    # The worker sent the email, then died before marking the row.
    OutgoingMail.objects.filter(pk=mail.pk).update(
        status=MailStatus.SENDING, claimed_at=_days_ago(1), created_at=_days_ago(1)
    )
    assert mail_sweep() == {"unstuck": 1, "queued": 1}
    assert OutgoingMail.objects.get(pk=mail.pk).status == MailStatus.SENT
    reminders = [m for m in mailoutbox if m.subject.startswith("Reminder")]
    assert len(reminders) == 1  # the dead worker's copy never reached the locmem outbox
    assert invitations.reminders_send_due() == {"queued": 0, "sent": 0, "failed": 0}
