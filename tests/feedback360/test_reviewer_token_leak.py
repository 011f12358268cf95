"""A rater's link token exists in exactly one place: the email that carried it. After
invitations and reminders go out, every table, every log line and every task message
is searched for the raw tokens, and none is found."""

import datetime
import logging

from celery.signals import task_prerun
from django.apps import apps
from django.utils import timezone

from feedback360.models import RaterAssignment, RaterToken
from feedback360.services import invitations
from tests.feedback360.factories_reviewer import (  # noqa: F401  (fixtures)
    fixture_cycle,
    fixture_subject,
    rater,
    token_from,
)


def _every_stored_value() -> str:
    """Every column of every row of every table, as text."""
    chunks = []
    for model in apps.get_models(include_auto_created=True):
        fields = [f.attname for f in model._meta.concrete_fields]
        for row in model._default_manager.values_list(*fields):
            chunks.append(repr(row))
    return "\n".join(chunks)


def test_raw_tokens_are_found_only_in_the_emails_that_carried_them(
    cycle, subject, mailoutbox, caplog, capsys, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    task_messages = []

    def record(sender=None, task_id=None, task=None, args=None, kwargs=None, **_):
        task_messages.append(repr((task.name, args, kwargs)))

    task_prerun.connect(record, weak=False)
    try:
        raters = [
            rater(cycle, subject, name=f"Rater {n}", email=f"rater{n}@partner.test")
            for n in range(3)
        ]
        # Invitations through the real path: queued in a transaction, sent by the task
        # once it commits.
        with django_capture_on_commit_callbacks(execute=True):
            assert invitations.invite([r.pk for r in raters]) == 3
        RaterAssignment.objects.update(invited_at=timezone.now() - datetime.timedelta(days=5))
        with django_capture_on_commit_callbacks(execute=True):
            assert invitations.reminders_queue_due() == 3
    finally:
        task_prerun.disconnect(record)

    assert len(mailoutbox) == 6 and len(task_messages) >= 6
    tokens = [token_from(email.body) for email in mailoutbox]
    assert len(set(tokens)) == 6 and RaterToken.objects.count() == 6
    for token in tokens:
        assert sum(token in email.body for email in mailoutbox) == 1
    stored, logged, printed = _every_stored_value(), caplog.text, capsys.readouterr()
    tasks = "\n".join(task_messages)
    assert "rater0@partner.test" in stored, "the scan reads the tables"
    assert "send_outgoing_mail" in tasks, "the scan reads the task messages"
    for token in tokens:
        assert token not in stored
        assert token not in logged
        assert token not in tasks
        assert token not in printed.out and token not in printed.err
