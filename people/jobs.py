"""Job kinds and how to queue them.

A job kind maps to the Celery task that runs it, so the sweeper can re-queue any
kind without knowing what it does, and to what should happen to the job's own rows
when it fails for good. Apps register their kinds when their tasks module loads.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobKind:
    task_name: str
    on_failure: Callable[[list[int]], None] | None = None


JOB_KINDS: dict[str, JobKind] = {}


def register_job_kind(
    kind: str, task_name: str, on_failure: Callable[[list[int]], None] | None = None
) -> None:
    JOB_KINDS[kind] = JobKind(task_name=task_name, on_failure=on_failure)


def enqueue_on_commit(*, job_id: int, kind: str) -> None:
    """Send the job's task once the row that describes it is committed.

    A broker that is down does not fail the request that saved the job: the job
    stays queued and the sweeper sends it again.
    """
    task_name = JOB_KINDS[kind].task_name

    def send() -> None:
        try:
            # Through the task object, not send_task, so eager mode (tests) runs it in-process.
            current_app.tasks[task_name].delay(job_id)
        except Exception:
            if current_app.conf.task_always_eager:
                raise
            logger.exception("Could not queue job %s (%s); the sweeper will retry", job_id, kind)

    transaction.on_commit(send)


def jobs_failed(*, kind: str, job_ids: list[int]) -> None:
    hook = JOB_KINDS[kind].on_failure if kind in JOB_KINDS else None
    if hook and job_ids:
        hook(job_ids)
