"""A real Celery worker process, started against a real broker, runs a job end to end."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

from people.models import Job, JobStatus, RosterImport
from tests.conftest import redis_available, redis_url, skip_or_fail

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"


def broker_for(transport: str, tmp_path: Path) -> tuple[str, dict, dict]:
    if transport == "redis":
        url = redis_url()
        if not redis_available(url):
            skip_or_fail(f"no Redis answers at {url} (start redis-server)")
        return url, {}, {"CELERY_BROKER_URL": url}
    folder = tmp_path / "broker" / "in"
    folder.mkdir(parents=True)
    (tmp_path / "broker" / "processed").mkdir()
    options = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "control_folder": str(tmp_path / "broker" / "control"),
    }
    return "filesystem://", options, {"LODESTAR_VAR_DIR": str(tmp_path)}


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
    worker_env = {
        **os.environ,
        **env,
        "DATABASE_URL": database_url(),
        "DJANGO_ALLOW_ASYNC_UNSAFE": "",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PYTHONUNBUFFERED": "1",
    }
    if transport == "filesystem":
        worker_env.pop("CELERY_BROKER_URL", None)
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--without-mingle",
                "--without-gossip",
                "--loglevel=info",
            ],
            cwd=ROOT,
            env=worker_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        producer = Celery(broker=url, broker_transport_options=options)
        producer.send_task("people.tasks.parse_roster_import", args=[job.pk])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.is_finished or worker.poll() is not None:
                break
            time.sleep(0.25)
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    assert job.status == JobStatus.SUCCEEDED, log.read_text()[-3000:]
    assert job.progress == 100 and job.attempts == 1 and job.heartbeat_at is not None
    batch.refresh_from_db()
    assert batch.status == "preview"
    assert batch.rows.count() == 2
