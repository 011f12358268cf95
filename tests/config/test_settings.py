"""Production settings: refuse to start without a real SECRET_KEY; check --deploy is clean."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "SECRET_KEY", "DJANGO_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    base.update({"LODESTAR_VAR_DIR": "/tmp/lodestar-prod-check", **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_a_missing_secret_key():
    result = run_manage("check", DJANGO_ENV="production", ALLOWED_HOSTS="lodestar.example")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = run_manage("check", DJANGO_ENV="production", SECRET_KEY="short", ALLOWED_HOSTS="x")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_check_deploy_is_clean_in_production():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        SECRET_KEY="k" * 20 + "-production-secret-used-only-by-this-test-0123456789",
        ALLOWED_HOSTS="lodestar.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_pages_send_a_strict_content_security_policy(client, db):
    response = client.get("/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    assert b"<script>" not in response.content, "no inline scripts"


def test_gunicorn_loads_the_app_under_production_settings():
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY="g" * 60,
        ALLOWED_HOSTS="lodestar.example",
        LODESTAR_VAR_DIR="/tmp/lodestar-prod-check",
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    ok = subprocess.run(
        [str(gunicorn), "--check-config", "config.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    env.pop("SECRET_KEY")
    refused = subprocess.run(
        [str(gunicorn), "--check-config", "config.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode != 0
    assert "SECRET_KEY must be set" in refused.stderr
