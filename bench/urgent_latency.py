"""Urgent delivery latency under a reminder backlog: the `urgent` queue and its worker slot.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/urgent_latency.py [--backlog 100000]

Against a migrated database with the demo organization (`make run` has made one): puts
--backlog in-app reminders due now in the outbox, starts the two worker slots of the
Procfile (default: `-Q celery --concurrency 2`; urgent: `-Q urgent --concurrency 1`), lets
the default worker work through the backlog as beat would make it, and then schedules
urgent messages one at a time, each followed by the urgent delivery run on the urgent
queue, as a coaching alert does. It reports the time from scheduling to sent for each,
and the same for an urgent message whose delivery run is sent to the default queue (no
urgent slot), which waits behind the backlog. Writes bench/results/urgent-<time>.md.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "continuum.settings")
PREFIX = "bench-urgent:"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backlog", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--baseline-timeout", type=float, default=120)
    args = parser.parse_args()

    import django

    django.setup()
    from _django import reminder_row
    from django.utils import timezone
    from django_scopes import scope

    from continuum.notifications.models import Notification, Status
    from continuum.notifications.services import notification_schedule
    from continuum.notifications.tasks import deliver_due_notifications
    from continuum.operations.broker import URGENT_QUEUE
    from continuum.tenancy.models import Membership, Organization
    from continuum.tenancy.scoping import across_organizations

    with across_organizations("bench: the demo organization"):
        org = Organization.objects.get(slug="demo")
        member = Membership.objects.filter(organization=org, is_active=True).first()
    with scope(organization=org.pk):
        Notification.objects.filter(dedup_key__startswith=PREFIX).delete()
        now = timezone.now()
        Notification.objects.bulk_create(
            [
                reminder_row(
                    organization=org,
                    recipient_id=member.user_id,
                    body="Your group meets at 6 pm.",
                    dedup_key=f"{PREFIX}reminder:{i}",
                    due_at=now,
                )
                for i in range(args.backlog)
            ],
            batch_size=5000,
        )
    print(f"backlog: {args.backlog} reminders due", flush=True)

    celery = [sys.executable, "-m", "celery", "-A", "continuum", "worker", "-l", "warning"]
    logs = ROOT / ".data"
    logs.mkdir(exist_ok=True)
    workers = []
    for name, queue, concurrency in (("default", "celery", 2), ("urgent", URGENT_QUEUE, 1)):
        with (logs / f"bench-{name}.log").open("wb") as out:
            workers.append(
                subprocess.Popen(  # noqa: S603
                    [
                        *celery,
                        "-Q",
                        queue,
                        "--concurrency",
                        str(concurrency),
                        "-n",
                        f"bench-{name}@%h",
                    ],
                    cwd=ROOT,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
    time.sleep(8)

    def pending_backlog() -> int:
        with scope(organization=org.pk):
            return Notification.objects.filter(
                dedup_key__startswith=f"{PREFIX}reminder:", status=Status.PENDING
            ).count()

    def deliver_one(i: int, *, queue: str, urgent_only: bool, timeout: float) -> float | None:
        with scope(organization=org.pk):
            n = notification_schedule(
                organization=org,
                recipient=member.user,
                template="general",
                context={"subject": "Urgent", "body": "Call the client now."},
                urgent=True,
                dedup_key=f"{PREFIX}urgent:{queue}:{i}",
            )
        started = time.monotonic()
        deliver_due_notifications.apply_async(kwargs={"urgent_only": urgent_only}, queue=queue)
        while time.monotonic() - started < timeout:
            with scope(organization=org.pk):
                if Notification.objects.filter(pk=n.pk, status=Status.SENT).exists():
                    return time.monotonic() - started
            time.sleep(0.05)
        return None

    try:
        # Enough delivery runs queued for the default slot to stay busy with the whole
        # backlog (each claims up to 1,000 rows), as a beat that has fallen behind would.
        for _ in range(max(4, args.backlog // 1000)):
            deliver_due_notifications.apply_async(queue="celery")
        time.sleep(3)
        urgent = []
        for i in range(args.samples):
            backlog_left = pending_backlog()
            latency = deliver_one(i, queue=URGENT_QUEUE, urgent_only=True, timeout=60)
            urgent.append(latency)
            print(
                f"urgent queue: {latency and f'{latency:.2f} s'} with {backlog_left} due",
                flush=True,
            )
            time.sleep(1)
        backlog_left = pending_backlog()
        baseline = deliver_one(0, queue="celery", urgent_only=False, timeout=args.baseline_timeout)
        print(
            f"default queue (no urgent slot): {baseline and f'{baseline:.2f} s'} with {backlog_left} due",
            flush=True,
        )
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(60)
            except subprocess.TimeoutExpired:
                worker.kill()
        with scope(organization=org.pk):
            Notification.objects.filter(dedup_key__startswith=PREFIX).delete()

    measured = [x for x in urgent if x is not None]
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M")
    lines = [
        f"# Urgent delivery latency under a backlog ({stamp} UTC)",
        "",
        f"Backlog: {args.backlog} in-app reminders due; default slot 2 processes, urgent slot 1.",
        "",
        "| delivery run sent to | samples | median | max |",
        "| --- | --- | --- | --- |",
        f"| `urgent` queue, urgent rows only | {len(measured)}/{len(urgent)} |"
        f" {statistics.median(measured):.2f} s | {max(measured):.2f} s |"
        if measured
        else "| `urgent` queue | 0 | - | - |",
        "| default queue, behind the backlog | 1 | "
        + (
            f"{baseline:.2f} s | {baseline:.2f} s |"
            if baseline
            else f"not sent within {args.baseline_timeout:.0f} s | - |"
        ),
    ]
    out = ROOT / "bench" / "results" / f"urgent-{stamp}.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0 if measured and len(measured) == len(urgent) else 1


if __name__ == "__main__":
    sys.exit(main())
