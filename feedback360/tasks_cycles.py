"""Thin Celery tasks of 360 cycles: call one service."""

from celery import shared_task

from feedback360.services import cycles


@shared_task(name="feedback360.tasks_cycles.advance_cycles")
def advance_cycles() -> dict:
    """Opens cycles whose opening date has come and closes those whose closing date has
    come. Idempotent: a second run finds nothing more to do."""
    return cycles.cycles_advance_due()
