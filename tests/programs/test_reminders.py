import datetime
from unittest import mock

from django.utils import timezone

from programs import services
from programs.models import Enrollment, ModuleKind, ReminderSent


def at(enrollment, days: int) -> datetime.datetime:
    day = enrollment.cohort.start_date + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


def enrolled_before_start(enrollment):
    # The fixture cohort started ten days ago; pretend the learner was enrolled before it.
    Enrollment.objects.filter(pk=enrollment.pk).update(enrolled_at=at(enrollment, -3))


def test_reminders_are_sent_once_and_overdue_follows_a_week_later(enrollment, mailoutbox):
    enrolled_before_start(enrollment)
    first = services.reminders_send_due(now=at(enrollment, 0))
    assert first == {"released": 2, "overdue": 0, "sent": 2, "failed": 0}
    assert {m.subject for m in mailoutbox} == {
        "New this week: Welcome",
        "New this week: Feedback role-play",
    }

    again = services.reminders_send_due(now=at(enrollment, 0))
    assert again["sent"] == 0 and len(mailoutbox) == 2, "a re-run sends nothing twice"

    later = services.reminders_send_due(now=at(enrollment, 7))
    assert later["overdue"] == 2 and later["released"] == 1  # week 2's reflection opens
    assert ReminderSent.objects.filter(sent_at__isnull=False).count() == 5


def test_a_failed_send_stays_pending_and_goes_out_on_the_next_run(enrollment, mailoutbox):
    enrolled_before_start(enrollment)
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=OSError("smtp down"),
    ):
        broken = services.reminders_send_due(now=at(enrollment, 0))
    assert broken["failed"] == 2 and not mailoutbox
    assert ReminderSent.objects.filter(sent_at__isnull=True).count() == 2
    retried = services.reminders_send_due(now=at(enrollment, 1))
    assert retried["sent"] == 2 and len(mailoutbox) == 2


def test_completed_modules_get_no_overdue_reminder(enrollment, program, learner_actor):
    enrolled_before_start(enrollment)
    services.module_complete(
        actor=learner_actor, enrollment=enrollment, module=program.modules.get(title="Welcome")
    )
    sent = services.reminders_send_due(now=at(enrollment, 8))
    assert not ReminderSent.objects.filter(module__title="Welcome").exists()
    assert sent["overdue"] == 1


def test_a_backfilled_cohort_does_not_flood_learners(enrollment, mailoutbox):
    # Enrolled today into a cohort that started ten days ago: week-1 modules are old news.
    sent = services.reminders_send_due(now=at(enrollment, 10))
    assert sent["overdue"] == 0 and not mailoutbox


def test_withdrawn_learners_get_no_reminders(lnd, enrollment):
    services.enrollment_withdraw(actor=lnd, enrollment=enrollment)
    assert services.reminders_send_due()["sent"] == 0


def test_a_module_added_midweek_is_announced_on_the_next_run(lnd, enrollment, program, mailoutbox):
    enrolled_before_start(enrollment)
    services.reminders_send_due(now=at(enrollment, 0))
    services.module_save(
        actor=lnd, program=program, title="Added", kind=ModuleKind.LESSON, release_week=1, body="x"
    )
    second = services.reminders_send_due(now=at(enrollment, 1))
    assert second["released"] == 1 and second["sent"] == 1
    assert sorted(m.subject for m in mailoutbox) == [
        "New this week: Added",
        "New this week: Feedback role-play",
        "New this week: Welcome",
    ]
