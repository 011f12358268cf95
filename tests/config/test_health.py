from unittest import mock

from celery import Celery

from config.health import broker_reachable
from tests.conftest import redis_available, redis_url, skip_or_fail


def test_healthz_is_200_when_database_and_broker_answer(client, db):
    with mock.patch("config.health.broker_reachable", return_value=True):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


def test_healthz_is_503_naming_what_is_down(client, db):
    with mock.patch("config.health.broker_reachable", return_value=False):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["down"] == ["broker"]


def test_healthz_is_503_when_the_database_is_down(client, db):
    with (
        mock.patch("config.health.broker_reachable", return_value=True),
        mock.patch("config.health.connection.cursor", side_effect=OSError("gone")),
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["down"] == ["database"]


def test_broker_probe_tells_a_dead_redis_from_a_live_one(monkeypatch):
    # Celery prefers the CELERY_BROKER_URL variable over an app's own broker setting.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    assert not broker_reachable(Celery(broker="redis://127.0.0.1:1/0"))
    url = redis_url()
    if not redis_available(url):
        skip_or_fail(f"no Redis answers at {url}")
    assert broker_reachable(Celery(broker=url))
