"""Thin Celery tasks: take ids, call one service."""

from celery import shared_task

from programs import services


@shared_task(name="programs.tasks.send_due_reminders")
def send_due_reminders() -> dict:
    return services.reminders_send_due()
