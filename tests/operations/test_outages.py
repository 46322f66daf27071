"""A frozen or stopped broker, cache or database costs a request seconds, never a hang."""

import time

import pytest
from celery import Celery
from django.conf import settings as django_settings
from django.urls import reverse

from continuum import views
from continuum.celery import app as celery_app
from continuum.operations import broker


def _frozen_app(port: int) -> Celery:
    app = Celery("frozen")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.broker_url = f"redis://127.0.0.1:{port}/0"
    return app


def test_publishing_to_a_frozen_broker_gives_up_within_the_timeout_and_then_skips_it(
    frozen_server,
):
    app = _frozen_app(frozen_server)

    @app.task(name="ops.test_noop")
    def noop():
        return None

    task = noop
    started = time.monotonic()
    assert broker.publish(task, why="test") is False
    assert time.monotonic() - started < django_settings.CELERY_BROKER_CONNECTION_TIMEOUT * 3
    # The next publish does not wait again.
    started = time.monotonic()
    assert broker.publish(task, why="test") is False
    assert time.monotonic() - started < 0.1
    assert broker.broker_skipped()


@pytest.mark.django_db
def test_healthz_answers_503_within_2_s_when_the_broker_is_frozen(
    client, monkeypatch, frozen_server
):
    monkeypatch.setattr(celery_app.conf, "broker_url", f"redis://127.0.0.1:{frozen_server}/0")
    started = time.monotonic()
    response = client.get(reverse("healthz"))
    assert time.monotonic() - started < 2
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "broker": "unavailable"}


@pytest.mark.django_db
def test_healthz_answers_503_within_2_s_when_the_database_hangs(client, monkeypatch):
    def hangs():
        time.sleep(5)
        return True

    monkeypatch.setattr(views, "_database_ok", hangs)
    started = time.monotonic()
    response = client.get(reverse("healthz"))
    assert time.monotonic() - started < 2
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    assert response.json()["broker"] == "ok"


@pytest.mark.django_db
def test_healthz_reports_a_database_that_refuses_connections(client, monkeypatch):
    from django.db import connections

    real = connections.create_connection

    def refused(alias):
        conn = real(alias)
        conn.settings_dict = {**conn.settings_dict, "HOST": "127.0.0.1", "PORT": "1"}
        conn.settings_dict["OPTIONS"] = {
            k: v for k, v in conn.settings_dict.get("OPTIONS", {}).items() if k != "host"
        }
        return conn

    monkeypatch.setattr(connections, "create_connection", refused)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    assert b"127.0.0.1" not in response.content
