"""A real Celery worker process against a real broker, for the tests that need one."""

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.db import connection

from tests.conftest import redis_available, redis_url, skip_or_fail

ROOT = Path(__file__).resolve().parents[1]


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


@contextlib.contextmanager
def celery_worker(env: dict, tmp_path: Path, *, drop_broker_url: bool = False):
    """Starts `celery worker` on the test database with `env` (from broker_for), and stops
    it on the way out. Its log is tmp_path/worker.log."""
    worker_env = {
        **os.environ,
        **env,
        "DATABASE_URL": database_url(),
        "DJANGO_ALLOW_ASYNC_UNSAFE": "",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PYTHONUNBUFFERED": "1",
    }
    if drop_broker_url:
        worker_env.pop("CELERY_BROKER_URL", None)
    with (tmp_path / "worker.log").open("w") as out:
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
        yield worker
    finally:
        worker.terminate()
        worker.wait(timeout=20)


def wait_for(done: Callable[[], bool], worker, seconds: float = 90) -> bool:
    """Polls `done` until it is true, the worker exits or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if done() or worker.poll() is not None:
            return done()
        time.sleep(0.25)
    return False
