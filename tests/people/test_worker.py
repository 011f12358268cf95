"""A real Celery worker process, started against a real broker, runs a job end to end."""

from pathlib import Path

import pytest
from celery import Celery

from people.models import Job, JobStatus, RosterImport
from tests.worker import broker_for, celery_worker, wait_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("transport", ["redis", "filesystem"])
def test_worker_checks_a_roster_upload_and_reports_progress(
    transport, org, lnd_manager, tmp_path, monkeypatch
):
    url, options, env = broker_for(transport, tmp_path)
    # Celery prefers the CELERY_BROKER_URL variable over an app's own broker setting.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    job = Job.objects.create(organization=org, kind="roster_import.parse", created_by=lnd_manager)
    batch = RosterImport.objects.create(
        organization=org,
        uploaded_by=lnd_manager,
        filename="roster.csv",
        content=b"email,name,team\nada@acme.test,Ada,Platform\nbob@acme.test,Bob,Platform\n",
        job=job,
    )
    with celery_worker(env, tmp_path, drop_broker_url=transport == "filesystem") as worker:
        producer = Celery(broker=url, broker_transport_options=options)
        producer.send_task("people.tasks.parse_roster_import", args=[job.pk])
        wait_for(lambda: job.refresh_from_db() or job.is_finished, worker)
    assert job.status == JobStatus.SUCCEEDED, (tmp_path / "worker.log").read_text()[-3000:]
    assert job.progress == 100 and job.attempts == 1 and job.heartbeat_at is not None
    batch.refresh_from_db()
    assert batch.status == "preview"
    assert batch.rows.count() == 2
