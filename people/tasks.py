"""Thin Celery tasks: take ids, call one service."""

from celery import shared_task

from people import services
from people.jobs import register_job_kind
from people.models import RosterImport

register_job_kind("roster_import.parse", "people.tasks.parse_roster_import")


@shared_task(name="people.tasks.parse_roster_import")
def parse_roster_import(job_id: int) -> None:
    def work(job, progress):
        batch = RosterImport.objects.select_related("organization").get(job_id=job.pk)
        services.roster_import_parse(roster_import=batch, progress=progress)

    services.job_run(job_id=job_id, work=work)


@shared_task(name="people.tasks.sweep_stale_jobs")
def sweep_stale_jobs() -> dict:
    return services.jobs_sweep_stale()


@shared_task(name="people.tasks.deactivate_terminated_logins")
def deactivate_terminated_logins() -> int:
    return services.terminated_logins_deactivate()
