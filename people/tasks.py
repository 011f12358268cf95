"""Thin Celery tasks: take ids, call one service."""

from celery import shared_task

from people import events, jobs, outbox, services
from people.jobs import register_job_kind
from people.models import RosterImport

register_job_kind(
    "roster_import.parse",
    "people.tasks.parse_roster_import",
    on_failure=lambda job_ids: services.roster_imports_fail(job_ids=job_ids),
)


def _parse(job, progress) -> None:
    batch = RosterImport.objects.select_related("organization").get(job_id=job.pk)
    services.roster_import_parse(roster_import=batch, progress=progress)


@shared_task(
    name="people.tasks.parse_roster_import",
    autoretry_for=(jobs.JobRetryLater,),
    retry_backoff=5,
    max_retries=3,
)
def parse_roster_import(job_id: int) -> None:
    jobs.job_run(job_id=job_id, work=_parse)


@shared_task(name="people.tasks.sweep_stale_jobs")
def sweep_stale_jobs() -> dict:
    return jobs.jobs_sweep_stale()


@shared_task(name="people.tasks.deactivate_terminated_logins")
def deactivate_terminated_logins() -> int:
    return services.terminated_logins_deactivate()


@shared_task(name="people.tasks.handle_event")
def handle_event(event_id: str) -> list[str]:
    return events.event_handle(event_id=event_id)


@shared_task(name="people.tasks.sweep_events")
def sweep_events() -> int:
    return events.events_sweep()


@shared_task(name="people.tasks.send_outgoing_mail")
def send_outgoing_mail(mail_id: int) -> str:
    return outbox.mail_send(mail_id=mail_id)


@shared_task(name="people.tasks.sweep_mail")
def sweep_mail() -> dict:
    return outbox.mail_sweep()
