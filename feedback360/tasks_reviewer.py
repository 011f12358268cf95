from celery import shared_task

from feedback360.services import invitations


@shared_task(name="feedback360.tasks.send_due_rater_reminders")
def send_due_rater_reminders() -> dict:
    return invitations.reminders_send_due()
