"""A real Celery worker is killed with SIGKILL in the middle of delivering an e-mail; a
second worker then finishes the outbox. Every notification must end up delivered exactly
once on every channel: nothing lost, nothing repeated."""

import os
import signal
import subprocess
import time
from collections import Counter
from email import message_from_bytes
from pathlib import Path

import pytest
from django.conf import settings
from django_scopes import scope

from continuum.celery import app
from continuum.notifications.models import Delivery, Notification, Status
from continuum.notifications.services import notification_schedule
from continuum.notifications.tasks import deliver_due_notifications
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.workers import database_url

LEASE_SECONDS = 3


def _start_worker(mail_dir: Path, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "NOTIFICATION_TEST_MAIL_DIR": str(mail_dir),
        "NOTIFICATION_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    celery = Path(settings.BASE_DIR) / ".venv" / "bin" / "celery"
    command = [
        str(celery if celery.exists() else "celery"),
        "-A",
        "continuum",
        "worker",
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


def _wait_for(condition, *, timeout: float, what: str, log: Path):
    # Sends the drain task every few seconds, as beat would: delivery must not depend on
    # any single broker message arriving.
    deadline = time.monotonic() + timeout
    next_nudge = 0.0
    while time.monotonic() < deadline:
        if condition():
            return
        if time.monotonic() >= next_nudge:
            deliver_due_notifications.delay()
            next_nudge = time.monotonic() + 3
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}; worker log:\n{log.read_text()[-4000:]}")


def _statuses(org) -> dict[str, str]:
    with scope(organization=org.pk):
        return dict(Notification.objects.values_list("dedup_key", "status"))


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_neither_loses_nor_repeats_a_notification(tmp_path):
    org = OrganizationFactory(slug="harbor")
    coach = UserFactory(email="coach@harbor.example.com")
    MembershipFactory(organization=org, user=coach, roles=["sober_coach"])
    with scope(organization=org.pk):
        notifications = [
            notification_schedule(
                organization=org,
                recipient=coach,
                template="general",
                context={
                    "subject": f"Reminder {i}" + (" [block]" if i == 3 else ""),
                    "body": "Your group meets at 6 pm.",
                },
                dedup_key=f"reminder:{i}",
            )
            for i in range(1, 6)
        ]
    mail_dir = tmp_path / "mail"
    (mail_dir / "sent").mkdir(parents=True)
    (mail_dir / "block").touch()
    log = tmp_path / "worker.log"
    app.control.purge()

    first = _start_worker(mail_dir, log)
    try:
        _wait_for(
            lambda: any(mail_dir.glob("sending-*")),
            timeout=150,
            what="the worker to start delivering the third e-mail",
            log=log,
        )
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()

    # Killed mid-delivery: two went out, the third was in flight, all five are leased.
    assert len(list((mail_dir / "sent").iterdir())) == 2
    assert sorted(_statuses(org).values()) == ["sending"] * 3 + ["sent"] * 2

    (mail_dir / "block").unlink()
    time.sleep(LEASE_SECONDS + 0.5)
    second = _start_worker(mail_dir, log)
    try:
        _wait_for(
            lambda: set(_statuses(org).values()) == {Status.SENT},
            timeout=150,
            what="the second worker to deliver the rest",
            log=log,
        )
    finally:
        second.terminate()
        try:
            second.wait(20)
        except subprocess.TimeoutExpired:
            second.kill()

    message_ids = Counter(
        message_from_bytes(path.read_bytes())["Message-ID"].strip()
        for path in (mail_dir / "sent").iterdir()
    )
    expected = {f"<notification-{n.public_id}@continuum.local>" for n in notifications}
    assert set(message_ids) == expected
    assert set(message_ids.values()) == {1}, message_ids
    with scope(organization=org.pk):
        per_notification = Counter(
            Delivery.objects.values_list("notification__dedup_key", "channel")
        )
        interrupted = Notification.objects.get(dedup_key="reminder:3")
    assert per_notification == {
        (f"reminder:{i}", channel): 1 for i in range(1, 6) for channel in ("in_app", "email")
    }
    # The interrupted one took a second attempt; its inbox copy is there once.
    assert interrupted.attempts == 2
    assert interrupted.in_app_delivered_at is not None


SUPERVISED = """
import signal, sys
from pathlib import Path
from continuum.supervisor import Supervisor

stop = []
signal.signal(signal.SIGINT, lambda *a: stop.append(1))
command = sys.argv[1]
sys.exit(Supervisor([("worker", command)], cwd=Path.cwd(), env=None,
                    should_stop=lambda: bool(stop), grace_seconds=60).run())
"""


@pytest.mark.django_db(transaction=True)
def test_ctrl_c_during_a_burst_lets_the_prefork_worker_finish_and_repeats_nothing(tmp_path):
    """make run's worker (prefork, two children) under the supervisor gets Ctrl-C, as a
    terminal sends it to the whole foreground group, while an e-mail is mid-delivery: the
    warm shutdown finishes it, and nothing is sent twice."""
    org = OrganizationFactory(slug="harbor")
    coach = UserFactory(email="coach@harbor.example.com")
    MembershipFactory(organization=org, user=coach, roles=["sober_coach"])
    with scope(organization=org.pk):
        notifications = [
            notification_schedule(
                organization=org,
                recipient=coach,
                template="general",
                context={
                    "subject": f"Reminder {i}" + (" [block]" if i == 3 else ""),
                    "body": "6 pm",
                },
                dedup_key=f"burst:{i}",
            )
            for i in range(1, 9)
        ]
    mail_dir = tmp_path / "mail"
    (mail_dir / "sent").mkdir(parents=True)
    (mail_dir / "block").touch()
    log = tmp_path / "worker.log"
    app.control.purge()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "NOTIFICATION_TEST_MAIL_DIR": str(mail_dir),
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    celery = Path(settings.BASE_DIR) / ".venv" / "bin" / "celery"
    worker = (
        f"{celery if celery.exists() else 'celery'} -A continuum worker --concurrency 2"
        " --without-mingle --without-gossip -Q celery -l INFO"
    )
    import sys

    with log.open("ab") as output:
        runner = subprocess.Popen(
            [sys.executable, "-c", SUPERVISED, worker],
            env=env,
            cwd=settings.BASE_DIR,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for(
            lambda: any(mail_dir.glob("sending-*")),
            timeout=150,
            what="the worker to start delivering the third e-mail",
            log=log,
        )
        os.killpg(runner.pid, signal.SIGINT)
        time.sleep(2)
        # Still mid-delivery: the pool child did not die of the Ctrl-C.
        assert runner.poll() is None, log.read_text()[-3000:]
        (mail_dir / "block").unlink()
        assert runner.wait(90) == 0, log.read_text()[-3000:]
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGKILL)

    message_ids = Counter(
        message_from_bytes(path.read_bytes())["Message-ID"].strip()
        for path in (mail_dir / "sent").iterdir()
    )
    assert set(message_ids.values()) == {1}, message_ids
    statuses = _statuses(org)
    # The interrupted e-mail went out during the warm shutdown; nothing is left leased.
    assert statuses["burst:3"] == Status.SENT
    assert Status.SENDING not in statuses.values()
    sent = {k for k, v in statuses.items() if v == Status.SENT}
    assert {
        f"<notification-{n.public_id}@continuum.local>"
        for n in notifications
        if n.dedup_key in sent
    } == set(message_ids)
