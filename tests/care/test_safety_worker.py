"""A real Celery worker consuming the urgent queue (with the default one, so one process
serves the test; the Procfile gives `urgent` a worker of its own): a safety event's
messages go out through the urgent queue as soon as the event commits, with no beat
running and nothing else nudging the outbox."""

import os
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings
from django_scopes import scope

from continuum.care.services import safety_event_raise
from continuum.celery import app
from continuum.notifications.models import Notification, Status
from continuum.tenancy.models import Role
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.people.factories import CareTeamMemberFactory, ClientFactory
from tests.workers import database_url


def _start_worker(mail_dir: Path, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "NOTIFICATION_TEST_MAIL_DIR": str(mail_dir),
    }
    celery = Path(settings.BASE_DIR) / ".venv" / "bin" / "celery"
    command = [
        str(celery if celery.exists() else "celery"),
        "-A",
        "continuum",
        "worker",
        "-Q",
        "celery,urgent",
        "--pool",
        "solo",
        "--without-mingle",
        "--without-gossip",
        "--without-heartbeat",
        "--loglevel",
        "INFO",
    ]
    with log.open("ab") as output:
        return subprocess.Popen(
            command, env=env, cwd=settings.BASE_DIR, stdout=output, stderr=subprocess.STDOUT
        )


def _purge_urgent() -> None:
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge("urgent")


@pytest.mark.django_db(transaction=True)
def test_a_safety_event_is_delivered_through_the_urgent_queue_without_beat(tmp_path):
    org = OrganizationFactory(slug="harbor")
    coach = MembershipFactory(
        organization=org,
        user=UserFactory(email="carmen@harbor.example.com", full_name="Carmen Diaz"),
        roles=[Role.SOBER_COACH],
    )
    mail_dir = tmp_path / "mail"
    (mail_dir / "sent").mkdir(parents=True)
    log = tmp_path / "worker.log"
    app.control.purge()
    _purge_urgent()
    with scope(organization=org.pk):
        client = ClientFactory(organization=org, first_name="Luis", last_name="Ortega")
        CareTeamMemberFactory(
            organization=org, client=client, membership=coach, role=Role.SOBER_COACH
        )
        # Commits, so its on-commit hooks put one message per outbox row on `urgent`.
        safety_event_raise(actor=None, client=client, kind="help_now", door="portal")
    worker = _start_worker(mail_dir, log)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with scope(organization=org.pk):
                statuses = set(
                    Notification.objects.filter(template="safety_event").values_list(
                        "status", flat=True
                    )
                )
            if statuses == {Status.SENT}:
                break
            time.sleep(0.2)
        else:
            pytest.fail(f"not delivered: {statuses}; worker log:\n{log.read_text()[-4000:]}")
    finally:
        worker.terminate()
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
    [sent] = list((mail_dir / "sent").iterdir())
    body = sent.read_bytes().decode()
    assert "carmen@harbor.example.com" in body
    assert "needs a same-day call" in body and "Luis" not in body
    assert "notifications.deliver_urgent" in log.read_text()
