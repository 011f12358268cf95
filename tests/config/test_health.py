from unittest import mock


def test_healthz_is_200_when_database_and_broker_answer(client, db):
    with mock.patch("config.health._broker_ok", return_value=True):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


def test_healthz_is_503_naming_what_is_down(client, db):
    with mock.patch("config.health._broker_ok", return_value=False):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["down"] == ["broker"]


def test_healthz_reports_a_real_unreachable_broker(client, db, settings):
    from config.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert "broker" in response.json()["down"]
