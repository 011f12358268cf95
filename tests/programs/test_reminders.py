import datetime

from django.utils import timezone

from programs import services
from programs.models import ReminderSent


def test_reminders_are_sent_once_and_overdue_follows_a_week_later(
    enrollment, program, mailoutbox, django_capture_on_commit_callbacks
):
    start = enrollment.cohort.start_date

    def day(n):
        return timezone.make_aware(
            datetime.datetime.combine(start + datetime.timedelta(days=n), datetime.time(9))
        )

    with django_capture_on_commit_callbacks(execute=True):
        first = services.reminders_send_due(now=day(0))
    assert first == {"released": 2, "overdue": 0}
    assert {m.subject for m in mailoutbox} == {
        "New this week: Welcome",
        "New this week: Feedback role-play",
    }

    with django_capture_on_commit_callbacks(execute=True):
        again = services.reminders_send_due(now=day(0))
    assert again == {"released": 0, "overdue": 0}, "a re-run sends nothing twice"

    with django_capture_on_commit_callbacks(execute=True):
        later = services.reminders_send_due(now=day(7))
    assert later["overdue"] == 2 and later["released"] == 1  # week 2's reflection opens
    assert ReminderSent.objects.count() == 5


def test_completed_modules_get_no_overdue_reminder(
    enrollment, program, learner_actor, django_capture_on_commit_callbacks
):
    services.module_complete(
        actor=learner_actor, enrollment=enrollment, module=program.modules.get(title="Welcome")
    )
    start = enrollment.cohort.start_date
    now = timezone.make_aware(
        datetime.datetime.combine(start + datetime.timedelta(days=8), datetime.time(9))
    )
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.reminders_send_due(now=now)
    assert not ReminderSent.objects.filter(module__title="Welcome").exists()
    assert sent["overdue"] == 1


def test_withdrawn_learners_get_no_reminders(lnd, enrollment):
    services.enrollment_withdraw(actor=lnd, enrollment=enrollment)
    assert services.reminders_send_due() == {"released": 0, "overdue": 0}
