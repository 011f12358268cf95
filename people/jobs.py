"""Job kinds and how to queue them.

A job kind maps to the Celery task that runs it, so the sweeper can re-queue any
kind without knowing what it does, and to what should happen to the job's own rows
when it fails for good. Apps register their kinds when their tasks module loads.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from celery import current_app
from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone

from people.models import (
    Job,
    JobStatus,
)

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


# --- Running jobs: claim, progress, retry, sweep ------------------------------------


def job_claim(*, job_id: int) -> Job | None:
    """Marks a queued job as running. None when another worker already has it or it
    has finished, so a message delivered twice does not run the work twice."""
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=settings.LODESTAR_JOB_STALE_AFTER_SECONDS)
    claimed = (
        Job.objects.filter(pk=job_id)
        .filter(Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, heartbeat_at__lt=stale))
        .update(
            status=JobStatus.RUNNING,
            started_at=now,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            message="Started",
        )
    )
    return Job.objects.get(pk=job_id) if claimed else None


def job_progress(*, job: Job, percent: int, message: str) -> None:
    """Records progress and a heartbeat; visible at once to the page polling it."""
    job.progress = max(0, min(100, percent))
    job.message = message[:300]
    job.heartbeat_at = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        progress=job.progress, message=job.message, heartbeat_at=job.heartbeat_at
    )


class JobRetryLater(Exception):
    """Raised by job_run when the work hit a passing fault; the task retries it."""


def job_run(*, job_id: int, work: Callable[[Job, Callable[[int, str], None]], None]) -> Job | None:
    """Claims a job, runs `work(job, progress)` and records how it ended.

    A database fault that may pass (a lock, a dropped connection) puts the job back
    in the queue and raises JobRetryLater; anything else fails the job for good.
    """
    job = job_claim(job_id=job_id)
    if job is None:
        return None
    try:
        work(job, lambda percent, message: job_progress(job=job, percent=percent, message=message))
    except OperationalError as exc:
        logger.warning("Job %s (%s) hit %s; retrying", job.pk, job.kind, exc)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.QUEUED, queued_at=timezone.now(), message="Retrying shortly"
        )
        raise JobRetryLater(str(exc)) from exc
    except Exception as exc:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:2000],
            message="Failed",
        )
        jobs_failed(kind=job.kind, job_ids=[job.pk])
        raise
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.SUCCEEDED, progress=100, finished_at=timezone.now(), message="Done"
    )
    job.refresh_from_db()
    return job


def jobs_sweep_stale() -> dict[str, int]:
    """Re-queues jobs whose worker died or whose message was lost, and fails them for
    good after LODESTAR_JOB_MAX_ATTEMPTS. Runs every minute from celery beat.

    A run counts as an attempt when a worker claims the job; a lost message counts
    when the sweeper re-sends it, so neither can loop forever.
    """
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=settings.LODESTAR_JOB_STALE_AFTER_SECONDS)
    lost = Job.objects.filter(kind__in=list(JOB_KINDS)).filter(
        Q(status=JobStatus.RUNNING, heartbeat_at__lt=stale)
        | Q(status=JobStatus.QUEUED, queued_at__lt=stale)
    )
    with transaction.atomic():
        giving_up = list(
            lost.filter(attempts__gte=settings.LODESTAR_JOB_MAX_ATTEMPTS)
            .select_for_update(skip_locked=True)
            .values_list("pk", "kind")
        )
        Job.objects.filter(pk__in=[pk for pk, _ in giving_up]).update(
            status=JobStatus.FAILED,
            finished_at=now,
            message="Gave up: the job stopped answering on every attempt",
        )
        kinds: dict[str, list[int]] = {}
        for pk, kind in giving_up:
            kinds.setdefault(kind, []).append(pk)
        for kind, job_ids in kinds.items():
            jobs_failed(kind=kind, job_ids=job_ids)
        to_requeue = list(
            lost.filter(attempts__lt=settings.LODESTAR_JOB_MAX_ATTEMPTS)
            .select_for_update(skip_locked=True)
            .values_list("pk", "kind", "status")
        )
        Job.objects.filter(
            pk__in=[pk for pk, _, status in to_requeue if status == JobStatus.QUEUED]
        ).update(attempts=F("attempts") + 1)
        Job.objects.filter(pk__in=[pk for pk, _, _ in to_requeue]).update(
            status=JobStatus.QUEUED,
            queued_at=now,
            message="Re-queued after its worker stopped answering",
        )
        for pk, kind, _ in to_requeue:
            enqueue_on_commit(job_id=pk, kind=kind)
    return {"requeued": len(to_requeue), "failed": len(giving_up)}
