"""The handoff task through a real Celery worker: a separate process consuming from the
real Redis broker and writing to this test database."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.utils import timezone
from django_scopes import scope

from continuum.care.models import HandoffRun, HandoffStatus, Task
from continuum.care.services import episode_open
from continuum.care.tasks import handoff_run_task, handoff_sweep
from continuum.tenancy.models import Role
from tests.people.factories import ClientFactory
from tests.workers import database_url

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")


def _wait_for(predicate, *, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def worker(tmp_path):
    """A `celery worker --pool solo` subprocess on this test database and broker."""
    # Start from an empty queue so nothing left over from another run is consumed.
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete("celery")
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DB_CONN_MAX_AGE": "0",
        "LOG_LEVEL": "INFO",
    }
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                str(CELERY),
                "-A",
                "continuum",
                "worker",
                "--pool",
                "solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for(lambda: "ready" in log.read_text(), timeout=150, what="the worker to start")
        yield log
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_handoff_once_and_a_redelivery_changes_nothing(org, members, worker):
    with scope(organization=org.pk):
        client = ClientFactory(organization=org, first_name="Sam", last_name="Ortiz")
        # Committed here (no surrounding transaction), so the transition's on-commit hook
        # sends the run to the broker as in production.
        episode = episode_open(actor=members[Role.INTAKE_COORDINATOR], client=client)
        run = HandoffRun.objects.get(transition__episode=episode, name="care.inquiry_triage")

    def status():
        with scope(organization=org.pk):
            return HandoffRun.objects.get(pk=run.pk).status

    _wait_for(lambda: status() == HandoffStatus.SUCCEEDED, what="the handoff to succeed")

    # The same message delivered again (acks_late after a worker crash) is a no-op.
    handoff_run_task.apply_async(kwargs={"organization_id": org.pk, "run_id": run.pk})
    _wait_for(
        lambda: worker.read_text().count("care.handoff_run[") >= 4, what="the second delivery"
    )
    with scope(organization=org.pk):
        run.refresh_from_db()
        tasks = list(Task.objects.filter(client=client))
    assert run.attempts == 1
    assert [(t.title, t.queue_role) for t in tasks] == [
        ("Triage new inquiry for Sam Ortiz", "intake_coordinator")
    ]


@pytest.mark.django_db
def test_the_sweep_resends_runs_left_pending(org, members, monkeypatch):
    sent = []
    monkeypatch.setattr(handoff_run_task, "apply_async", lambda *a, **kw: sent.append(kw["kwargs"]))
    with scope(organization=org.pk):
        client = ClientFactory(organization=org)
        episode = episode_open(actor=members[Role.ORG_ADMIN], client=client)
        run = HandoffRun.objects.get(transition__episode=episode, name="care.inquiry_triage")
        HandoffRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert handoff_sweep() >= 1
    assert {"organization_id": org.pk, "run_id": run.pk} in sent
