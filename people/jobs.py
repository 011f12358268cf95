"""Job kinds and how to queue them.

A job kind maps to the Celery task that runs it, so the sweeper can re-queue any
kind without knowing what it does. Apps register their kinds at import time of
their tasks module.
"""

from celery import current_app
from django.db import transaction

JOB_TASKS: dict[str, str] = {}


def register_job_kind(kind: str, task_name: str) -> None:
    JOB_TASKS[kind] = task_name


def enqueue_on_commit(*, job_id: int, kind: str) -> None:
    """Send the job's task once the row that describes it is committed."""
    task_name = JOB_TASKS[kind]
    # Through the task object, not send_task, so eager mode (tests) runs it in-process.
    transaction.on_commit(lambda: current_app.tasks[task_name].delay(job_id))
