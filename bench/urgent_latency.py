"""Safety alerts under load: from the client's "I need help now" request to the inbox copy
and to the e-mail, while a reminder backlog drains and a directory import runs.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/urgent_latency.py \
        [--backlog 100000] [--services 4000] [--samples 25] [--port 8107]

Against a migrated database with the demo organization (`make run` or `manage.py
demo_setup` has made one). It starts what the Procfile starts, with the production
settings apart from TLS: gunicorn (2 sync workers), the default worker slot
(`-Q celery --concurrency 2`) and the urgent slot (`-Q urgent --concurrency 1`); e-mail
goes through Django's SMTP backend to a local SMTP sink in this process, which notes when
each message arrived. Then:

- `--backlog` in-app reminders are put in the outbox, due now, and the default queue is
  kept topped up with delivery runs (as a beat that has fallen behind would), so the
  default slot drains them for the whole measurement;
- an HSDS import of `--services` services (a generated JSON file, one listing and one
  location each) is queued on the default slot, and queued again whenever it finishes;
- `--samples` times, the demo client signs in (a session of their own) and presses "I
  need help now" on the portal (GET the page, POST its form): the safety event tells
  whoever is responsible, in-app and by e-mail, through the outbox. Measured from just
  before the POST to the row's `in_app_delivered_at` (figure 7) and to the e-mail's
  arrival at the sink, matched by its Message-ID (figure 8). The event is then
  acknowledged, as the coach would, so the next press raises a new one.

`--one-slot` runs a single worker that consumes both queues (`-Q celery,urgent`,
concurrency 2) instead of two slots, to show what the urgent slot is for.

Writes bench/results/<UTC time>-urgent-fig7-8.md (and .csv with every sample). Not part of
the test suite.
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import json
import os
import re
import socket
import socketserver
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from http.cookiejar import Cookie, CookieJar
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PREFIX = "bench-urgent:"
IMPORT_PREFIX = "bench-urgent-import"
DEV_SECRET_KEY = "dev-only-insecure-key-never-used-in-production"


def production_env(*, port: int, smtp_port: int) -> dict[str, str]:
    """The settings of a deployment apart from TLS. The field key is the one the
    development stack derives, so the demo organization's encrypted fields stay readable."""
    field_key = base64.urlsafe_b64encode(
        hashlib.sha256(f"continuum-field-encryption:{DEV_SECRET_KEY}".encode()).digest()
    ).decode()
    return {
        "DJANGO_SETTINGS_MODULE": "continuum.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-urgent-only-" + "k" * 60,
        "FIELD_ENCRYPTION_KEYS": field_key,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "PYTHONPATH": str(ROOT),
    }


# --- the SMTP sink: notes when each message arrived ---------------------------------------


class Sink:
    def __init__(self):
        self.arrived: dict[str, float] = {}  # Message-ID -> time.time() at end of DATA
        self.lock = threading.Lock()


class _SMTPHandler(socketserver.StreamRequestHandler):
    def handle(self):
        sink: Sink = self.server.sink
        self.wfile.write(b"220 bench-sink ESMTP\r\n")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line.strip().split(b" ", 1)[0].upper()
            if verb in (b"EHLO", b"HELO"):
                self.wfile.write(b"250-bench-sink\r\n250 8BITMIME\r\n")
            elif verb == b"DATA":
                self.wfile.write(b"354 go ahead\r\n")
                lines = []
                while True:
                    data = self.rfile.readline()
                    if data in (b".\r\n", b".\n", b""):
                        break
                    lines.append(data[1:] if data.startswith(b"..") else data)
                at = time.time()
                message = BytesParser(policy=policy.default).parsebytes(
                    b"".join(lines), headersonly=True
                )
                if message["Message-ID"]:
                    with sink.lock:
                        sink.arrived[str(message["Message-ID"]).strip()] = at
                self.wfile.write(b"250 queued\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


class _SMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def start_sink() -> tuple[Sink, int]:
    sink = Sink()
    server = _SMTPServer(("127.0.0.1", 0), _SMTPHandler)
    server.sink = sink
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return sink, server.server_address[1]


# --- the directory import: a generated HSDS file ------------------------------------------


def hsds_services(count: int) -> bytes:
    """`count` HSDS services as one JSON list, each with its organization and one located
    address, built as the spreadsheet template's rows would be (`hsds.sheet_record`)."""
    from referrals import hsds

    kinds = ["therapist", "outpatient", "sober_living", "family_support", "iop_php"]
    return json.dumps(
        [
            hsds.sheet_record(
                {
                    "id": f"{IMPORT_PREFIX}-{i}",
                    "name": f"Recovery service {i}",
                    "organization": f"Network {i // 10}",
                    "kind": kinds[i % len(kinds)],
                    "description": f"Counseling and family support, site {i}.",
                    "address": f"{100 + i} Main Street",
                    "city": "Philadelphia",
                    "state": "PA",
                    "zip": "19107",
                    "latitude": f"{39.9 + (i % 200) / 1000:.4f}",
                    "longitude": f"{-75.2 + (i // 200) / 1000:.4f}",
                    "phone": "215-555-0100",
                    "email": f"intake{i}@example.org",
                    "languages": "English; Spanish",
                    "payment": "medicaid",
                    "accepting_new_clients": "yes",
                    "status": "active",
                }
            )
            for i in range(count)
        ]
    ).encode()


# --- the portal, over HTTP ----------------------------------------------------------------


class Portal:
    """The demo client's browser: a session of their own, the help page's form."""

    def __init__(self, base: str, session_key: str, cookie_name: str):
        self.base = base
        jar = CookieJar()
        jar.set_cookie(
            Cookie(
                version=0,
                name=cookie_name,
                value=session_key,
                port=None,
                port_specified=False,
                domain="127.0.0.1",
                domain_specified=False,
                domain_initial_dot=False,
                path="/",
                path_specified=True,
                secure=False,
                expires=None,
                discard=False,
                comment=None,
                comment_url=None,
                rest={},
            )
        )
        self.jar = jar
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, data: dict) -> int:
        request = urllib.request.Request(  # noqa: S310 - our own http:// server
            self.base + path,
            data=urllib.parse.urlencode(data).encode(),
            headers={"Referer": self.base + path},
        )
        with self.opener.open(request, timeout=30) as response:
            response.read()
            return response.status


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def wait_for_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"nothing listens on port {port} after {timeout:.0f} s")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backlog", type=int, default=100_000)
    parser.add_argument("--services", type=int, default=4000)
    parser.add_argument("--samples", type=int, default=25)
    parser.add_argument("--port", type=int, default=8107)
    parser.add_argument("--timeout", type=float, default=120, help="per sample, seconds")
    parser.add_argument("--one-slot", action="store_true", help="one worker for both queues")
    args = parser.parse_args()

    sink, smtp_port = start_sink()
    env = production_env(port=args.port, smtp_port=smtp_port)
    os.environ.update(env)
    import django

    django.setup()
    import redis
    from _django import reminder_row
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils import timezone

    from continuum.care.models import SafetyEvent, SafetyStatus
    from continuum.care.services import safety_event_acknowledge
    from continuum.notifications.models import Channel, Notification, Status
    from continuum.notifications.tasks import deliver_due_notifications
    from continuum.people.models import Client
    from continuum.tenancy.models import Membership, Organization
    from continuum.tenancy.scoping import across_organizations, organization_scope
    from referrals.models import ImportJob
    from referrals.services.imports import import_job_create

    with across_organizations("bench: the demo organization and its client"):
        org = Organization.objects.get(slug="demo")
        client = Client.objects.select_related("portal_user").get(
            organization=org, portal_user__email="client@demo.example.com"
        )
        member = (
            Membership.objects.filter(
                organization=org, is_active=True, roles__contains=["org_admin"]
            )
            .select_related("user")
            .first()
        )
    user = client.portal_user
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    help_path = f"/{org.slug}/portal/recovery/help/"
    portal = Portal(
        f"http://127.0.0.1:{args.port}", session.session_key, settings.SESSION_COOKIE_NAME
    )

    with organization_scope(org):
        # A help request while an event is open only adds to it; each press must raise one.
        for open_event in SafetyEvent.objects.filter(
            client=client, status=SafetyStatus.OPEN
        ).select_related("asked__user"):
            safety_event_acknowledge(actor=(open_event.asked or member).user, event=open_event)
        Notification.objects.filter(dedup_key__startswith=PREFIX).delete()
        member_id = (
            Membership.objects.filter(organization=org, is_active=True)
            .exclude(user=user)
            .values_list("user_id", flat=True)
            .first()
        )
        now = timezone.now()
        for start in range(0, args.backlog, 10_000):
            Notification.objects.bulk_create(
                [
                    reminder_row(
                        organization=org,
                        recipient_id=member_id,
                        body="Your group meets at 6 pm.",
                        dedup_key=f"{PREFIX}reminder:{i}",
                        due_at=now,
                    )
                    for i in range(start, min(start + 10_000, args.backlog))
                ],
                batch_size=5000,
            )
    print(f"backlog: {args.backlog} reminders due", flush=True)
    # DEBUG off serves the hashed names of the collected static files.
    from django.core.management import call_command

    call_command("collectstatic", "--noinput", "-v0")
    package = hsds_services(args.services)

    logs = ROOT / ".data"
    logs.mkdir(exist_ok=True)
    python = [sys.executable, "-m"]
    slots = (
        [("default", "celery,urgent", 2)]
        if args.one_slot
        else [("default", "celery", 2), ("urgent", "urgent", 1)]
    )
    commands = {
        "web": [
            *python,
            "gunicorn",
            "continuum.wsgi:application",
            "--config",
            "continuum/gunicorn_conf.py",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            "2",
        ],
        **{
            name: [
                *python,
                "celery",
                "-A",
                "continuum",
                "worker",
                "-l",
                "warning",
                "-Q",
                queues,
                "--concurrency",
                str(concurrency),
                "-n",
                f"bench-{name}@%h",
            ]
            for name, queues, concurrency in slots
        },
    }
    processes = []
    for name, command in commands.items():
        with (logs / f"bench-urgent-{name}.log").open("wb") as out:
            processes.append(
                subprocess.Popen(  # noqa: S603
                    command,
                    cwd=ROOT,
                    env={**os.environ, **env},
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("celery", "urgent")
    stop = threading.Event()
    imports: list[int] = []

    def pending_backlog() -> int:
        with organization_scope(org):
            return Notification.objects.filter(
                dedup_key__startswith=f"{PREFIX}reminder:", status=Status.PENDING
            ).count()

    def import_running() -> bool:
        with organization_scope(org):
            return (
                ImportJob.objects.filter(pk__in=imports, finished_at__isnull=True).exists()
                if imports
                else False
            )

    def feed() -> None:
        """Keep the default slot busy: an import always queued or running, and two
        delivery runs waiting behind the ones being worked on."""
        from django.db import connection

        try:
            while not stop.is_set():
                if not import_running():
                    with organization_scope(org):
                        job = import_job_create(
                            actor=None,
                            organization=org,
                            filename=f"{IMPORT_PREFIX}.json",
                            payload=package,
                        )
                    imports.append(job.pk)
                if broker.llen("celery") < 2:
                    deliver_due_notifications.apply_async(queue="celery")
                stop.wait(0.5)
        finally:
            connection.close()

    samples = []
    try:
        wait_for_port(args.port, 60)
        time.sleep(8)  # the workers' start-up
        feeder = threading.Thread(target=feed, daemon=True)
        feeder.start()
        time.sleep(10)  # the import parsed and writing, the drain under way
        for i in range(args.samples):
            backlog_before = pending_backlog()
            importing = import_running()
            page = portal.get(help_path)
            token = CSRF.search(page)
            if token is None:
                raise SystemExit(f"{help_path}: no form in the page (signed in?)")
            pressed = time.time()
            status = portal.post(help_path, {"csrfmiddlewaretoken": token.group(1)})
            answered = time.time()
            with organization_scope(org):
                event = (
                    SafetyEvent.objects.filter(client=client)
                    .select_related("asked__user", "organization", "client")
                    .order_by("-raised_at", "-id")
                    .first()
                )
            if event is None or event.raised_at.timestamp() < pressed - 1:
                raise SystemExit("the help request raised no safety event")
            in_app = email = None
            deadline = time.monotonic() + args.timeout
            while time.monotonic() < deadline and (in_app is None or email is None):
                with organization_scope(org):
                    rows = list(
                        Notification.objects.filter(
                            dedup_key__startswith=f"safety:{event.public_id}:"
                        ).values("channels", "public_id", "in_app_delivered_at", "status")
                    )
                for row in rows:
                    if Channel.IN_APP in row["channels"] and row["in_app_delivered_at"]:
                        in_app = row["in_app_delivered_at"].timestamp() - pressed
                    if Channel.EMAIL in row["channels"] and email is None:
                        with sink.lock:
                            arrived = [
                                at
                                for mid, at in sink.arrived.items()
                                if f"notification-{row['public_id']}@" in mid
                            ]
                        if arrived:
                            email = arrived[0] - pressed
                time.sleep(0.02)
            backlog_after = pending_backlog()
            samples.append(
                {
                    "sample": i + 1,
                    "http_status": status,
                    "response_s": round(answered - pressed, 3),
                    "in_app_s": None if in_app is None else round(in_app, 3),
                    "email_s": None if email is None else round(email, 3),
                    "asked_as": event.asked_as,
                    "backlog_before": backlog_before,
                    "backlog_after": backlog_after,
                    "import_running": importing and import_running(),
                }
            )
            print(json.dumps(samples[-1]), flush=True)
            if event.asked is not None:
                with organization_scope(org):
                    safety_event_acknowledge(actor=event.asked.user, event=event)
            time.sleep(1)
    finally:
        stop.set()
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
        broker.delete("celery", "urgent")
        with organization_scope(org):
            Notification.objects.filter(dedup_key__startswith=PREFIX).delete()
            finished = list(
                ImportJob.objects.filter(pk__in=imports, finished_at__isnull=False).values_list(
                    "status", "created_at", "finished_at"
                )
            )
    return report(args, samples, finished)


def report(args, samples: list[dict], finished_imports: list) -> int:
    load = os.getloadavg()
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%SZ")
    in_app = [s["in_app_s"] for s in samples if s["in_app_s"] is not None]
    email = [s["email_s"] for s in samples if s["email_s"] is not None]
    response = [s["response_s"] for s in samples]
    busy = sum(1 for s in samples if s["backlog_after"] > 0 and s["import_running"])
    durations = [
        (end - start).total_seconds()
        for status, start, end in finished_imports
        if start is not None and end is not None
    ]

    def row(label, values, target):
        if not values:
            return f"| {label} | 0/{len(samples)} | - | - | - | {target} |"
        return (
            f"| {label} | {len(values)}/{len(samples)} | {statistics.median(values):.2f} s |"
            f" {percentile(values, 95):.2f} s | {max(values):.2f} s | {target} |"
        )

    slots = (
        "one worker for both queues (`-Q celery,urgent`, 2 processes)"
        if args.one_slot
        else "default slot `-Q celery` (2 processes), urgent slot `-Q urgent` (1 process)"
    )
    lines = [
        f"# Safety alert under load, figures 7 and 8 ({stamp})",
        "",
        f"`bench/urgent_latency.py --backlog {args.backlog} --services {args.services}"
        f" --samples {args.samples}{' --one-slot' if args.one_slot else ''}`;"
        f" load average at the end {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}"
        f" on {os.cpu_count()} CPUs.",
        "",
        f"Workers: {slots}; gunicorn 2 sync workers; DEBUG off; e-mail by SMTP to a local sink.",
        f"Backlog {args.backlog} in-app reminders due; a {args.services}-service HSDS import"
        f" queued again whenever it finished ({len(finished_imports)} finished,"
        f" {', '.join(f'{d:.0f} s' for d in durations) or 'none'});"
        f" {busy}/{len(samples)} samples with reminders still due and the import running.",
        "",
        '| from the POST of "I need help now" to | samples | median | p95 | max | target |',
        "| --- | --- | --- | --- | --- | --- |",
        row("the page's answer", response, "-"),
        row("in-app delivery (fig. 7)", in_app, "p95 < 5 s"),
        row("the e-mail at the SMTP sink (fig. 8)", email, "-"),
        "",
    ]
    results = ROOT / "bench" / "results"
    base = results / f"{stamp}-urgent-fig7-8{'-one-slot' if args.one_slot else ''}"
    base.with_suffix(".md").write_text("\n".join(lines))
    with base.with_suffix(".csv").open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(samples[0]) if samples else ["sample"])
        writer.writeheader()
        writer.writerows(samples)
    print("\n".join(lines))
    print(f"written: {base}.md, .csv")
    return 0 if len(in_app) == len(email) == len(samples) == args.samples else 1


if __name__ == "__main__":
    sys.exit(main())
