"""`GET /healthz`: the contract's answer, live checks of the database and the broker, 503 naming what failed."""

import os

import pytest
from django.db import OperationalError, connections

pytestmark = pytest.mark.django_db

BROKER = os.environ.get("CELERY_BROKER_URL", "")


def test_healthy_without_login_and_never_cached(client, settings):
    settings.CELERY_BROKER_URL = None
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "jobs": "inline"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.skipif(not BROKER, reason="CELERY_BROKER_URL is unset: no broker to reach (CI sets a Redis broker)")
def test_real_broker_answers(client, settings):
    settings.CELERY_BROKER_URL = BROKER
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


def test_unreachable_broker_is_503_naming_it(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"].startswith("error: ")


def test_database_down_is_503_naming_it(client, settings, monkeypatch):
    settings.CELERY_BROKER_URL = None

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connections["default"], "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error: OperationalError"
    assert response.json()["broker"] == "ok"


def test_only_get(client):
    assert client.post("/healthz").status_code == 405
