import datetime
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from config.celery import app
from people import services
from people.models import ImportStatus, Job, JobStatus, RosterImport
from people.tasks import parse_roster_import
from tests.conftest import actor_for


@pytest.fixture
def stuck_import(lnd_manager, org):
    """An upload whose message never reached a worker (no on_commit callbacks run)."""
    return services.roster_import_start(
        actor=actor_for(lnd_manager, org), filename="r.csv", content=b"email,name\na@a.test,A\n"
    )


def age(job, **delta):
    past = timezone.now() - datetime.timedelta(**delta)
    Job.objects.filter(pk=job.pk).update(queued_at=past, heartbeat_at=past)


def test_sweeper_requeues_a_lost_job_and_it_completes(
    stuck_import, django_capture_on_commit_callbacks
):
    job = stuck_import.job
    age(job, minutes=10)

    with django_capture_on_commit_callbacks(execute=True):
        result = services.jobs_sweep_stale()

    assert result == {"requeued": 1, "failed": 0}
    job.refresh_from_db()
    stuck_import.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.progress == 100
    assert stuck_import.status == ImportStatus.PREVIEW


def test_sweeper_requeues_a_job_whose_worker_died(stuck_import, django_capture_on_commit_callbacks):
    job = stuck_import.job
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=1)
    age(job, minutes=10)

    with django_capture_on_commit_callbacks(execute=True):
        services.jobs_sweep_stale()

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.attempts == 2


def test_sweeper_leaves_fresh_jobs_alone(stuck_import):
    assert services.jobs_sweep_stale() == {"requeued": 0, "failed": 0}


def test_sweeper_gives_up_after_max_attempts(stuck_import, settings):
    job = stuck_import.job
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, attempts=settings.LODESTAR_JOB_MAX_ATTEMPTS
    )
    age(job, minutes=10)
    assert services.jobs_sweep_stale() == {"requeued": 0, "failed": 1}
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED


def test_a_job_delivered_twice_runs_once(stuck_import):
    parse_roster_import(stuck_import.job_id)
    first = Job.objects.get(pk=stuck_import.job_id)
    parse_roster_import(stuck_import.job_id)
    second = Job.objects.get(pk=stuck_import.job_id)
    assert first.attempts == second.attempts == 1


def test_parsing_twice_gives_the_same_preview(stuck_import):
    calls = []
    services.roster_import_parse(roster_import=stuck_import, progress=lambda p, m: calls.append(p))
    services.roster_import_parse(roster_import=stuck_import, progress=lambda p, m: None)
    assert RosterImport.objects.get(pk=stuck_import.pk).rows.count() == 1
    assert calls and calls == sorted(calls), "progress only moves forward"


def test_progress_is_visible_on_the_page_while_parsing(client, lnd_manager, stuck_import):
    Job.objects.filter(pk=stuck_import.job_id).update(
        status=JobStatus.RUNNING, progress=40, message="Checked 4 of 10 rows"
    )
    client.force_login(lnd_manager)
    page = client.get(f"/people/imports/{stuck_import.pk}/")
    assert b'<progress id="import-progress-bar" max="100" value="40">' in page.content
    partial = client.get(
        f"/people/imports/{stuck_import.pk}/?partial=progress", HTTP_HX_REQUEST="true"
    )
    assert b"Checked 4 of 10 rows" in partial.content
    assert "HX-Refresh" not in partial


def test_a_job_whose_message_keeps_getting_lost_gives_up_and_says_so(stuck_import, settings):
    past = timezone.now() - datetime.timedelta(hours=1)
    for _ in range(settings.LODESTAR_JOB_MAX_ATTEMPTS + 1):
        Job.objects.filter(pk=stuck_import.job_id).update(queued_at=past)
        services.jobs_sweep_stale()  # re-sends are dropped: no on_commit callbacks run here
    job = Job.objects.get(pk=stuck_import.job_id)
    assert job.status == JobStatus.FAILED
    stuck_import.refresh_from_db()
    assert stuck_import.status == ImportStatus.INVALID
    assert "could not finish checking" in stuck_import.file_errors[0]


def test_a_passing_database_fault_puts_the_job_back_in_the_queue(stuck_import):
    def flaky(job, progress):
        raise OperationalError("database is locked")

    with pytest.raises(services.JobRetryLater):
        services.job_run(job_id=stuck_import.job_id, work=flaky)
    assert Job.objects.get(pk=stuck_import.job_id).status == JobStatus.QUEUED


def test_an_upload_survives_a_broker_that_is_down(client, lnd_manager):
    client.force_login(lnd_manager)
    app.conf.task_always_eager = False
    try:
        with mock.patch.object(
            app.tasks["people.tasks.parse_roster_import"], "delay", side_effect=OSError("down")
        ):
            response = client.post(
                reverse("people:imports"),
                {"file": SimpleUploadedFile("r.csv", b"email,name\nb@acme.test,B\n")},
            )
    finally:
        app.conf.task_always_eager = True
    batch = RosterImport.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/people/imports/{batch.pk}/")
    assert Job.objects.get().status == JobStatus.QUEUED
