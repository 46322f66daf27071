"""Messaging at scale: a staff inbox of 10,000 conversations and a conversation of 1,000
messages, against the hello view of the same server.

    .venv/bin/python bench/messaging.py [--threads 10000] [--messages 1000] [--seconds 15]

Uses its own database (BENCH_DATABASE_URL, default continuum_bench_urgent; created,
migrated and given the demo organization if missing) and Redis db 11 (BENCH_REDIS_URL).
Seeds, with bulk inserts, `--threads` clients on the demo sober coach's care team, each
with a conversation (the coach's seat, the client's seat, one message), and one of them
with `--messages` messages. Starts gunicorn (2 sync workers, DEBUG off, the production
settings apart from TLS) on port 8777 with the benchmark's baseline routes
(bench/settings.py) and drives it with wrk (4 connections, 3 s warm-up): the hello view,
the coach's inbox (first page of 20) and the long conversation (latest page of 25, which
audits the 25 messages shown and marks the thread read on every request). Reports req/s,
the ratio to hello, and the statements each page runs at that size (Django's test client,
in this process). Writes bench/results/<UTC time>-messaging.md. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from urgent_latency import production_env, wait_for_port  # noqa: E402

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/continuum_bench_urgent"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
PREFIX = "bench-messaging"


def ensure_database(env: dict) -> None:
    name = DATABASE_URL.rsplit("/", 1)[1]
    server = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    found = subprocess.run(  # noqa: S603
        ["psql", server, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],  # noqa: S607, S608
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if found:
        return
    subprocess.run(["psql", server, "-c", f'CREATE DATABASE "{name}"'], check=True)  # noqa: S603, S607
    for command in (["migrate", "--noinput", "-v0"], ["demo_setup"]):
        subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )


def seed(*, threads: int, messages: int):
    """The coach's conversations, added once (a re-run keeps what is there)."""
    from django.db import connection
    from django.utils import timezone

    from continuum.messaging.models import Message, Participant, Side, Thread
    from continuum.people.models import CareTeamMember, Client
    from continuum.tenancy.models import Membership, Organization, Role
    from continuum.tenancy.scoping import across_organizations, organization_scope

    with across_organizations("bench: the demo organization"):
        org = Organization.objects.get(slug="demo")
        coach = Membership.objects.select_related("user").get(
            organization=org, user__email="coach@demo.example.com"
        )
        writer = Membership.objects.select_related("user").get(
            organization=org, user__email="client@demo.example.com"
        )
    with organization_scope(org):
        have = Client.objects.filter(last_name__startswith=PREFIX).count()
        now = timezone.now()
        for start in range(have, threads, 2000):
            batch = range(start, min(start + 2000, threads))
            clients = Client.objects.bulk_create(
                [
                    Client(organization=org, first_name="Client", last_name=f"{PREFIX}-{i}")
                    for i in batch
                ]
            )
            CareTeamMember.objects.bulk_create(
                [
                    CareTeamMember(
                        organization=org, client=c, membership=coach, role=Role.SOBER_COACH
                    )
                    for c in clients
                ]
            )
            made = Thread.objects.bulk_create(
                [
                    Thread(
                        organization=org,
                        client=c,
                        created_by=coach.user,
                        created_at=now - timedelta(minutes=i),
                        last_message_at=now - timedelta(minutes=i),
                    )
                    for i, c in zip(batch, clients, strict=True)
                ]
            )
            Participant.objects.bulk_create(
                [
                    Participant(organization=org, thread=t, user=coach.user, side=Side.STAFF)
                    for t in made
                ]
            )
            Message.objects.bulk_create(
                [
                    Message(
                        organization=org,
                        thread=t,
                        author=coach.user,
                        side=Side.STAFF,
                        body="How are you doing this week?",
                        sent_at=t.last_message_at,
                    )
                    for t in made
                ]
            )
        long = Thread.objects.filter(client__last_name=f"{PREFIX}-0").select_related("client").get()
        have = Message.objects.filter(thread=long).count()
        if have < messages:
            Message.objects.bulk_create(
                [
                    Message(
                        organization=org,
                        thread=long,
                        author=writer.user if i % 2 else coach.user,
                        side=Side.COUNTERPART if i % 2 else Side.STAFF,
                        body=f"Message {i} of a long conversation.",
                        sent_at=now - timedelta(seconds=messages - i),
                    )
                    for i in range(have, messages)
                ],
                batch_size=1000,
            )
        total = Participant.objects.filter(user=coach.user).count()
        thread_messages = Message.objects.filter(thread=long).count()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return org, coach, long, total, thread_messages


def wrk(url: str, *, seconds: int, cookie: str) -> float:
    command = ["wrk", "-t1", "-c4", f"-d{seconds}s", "--timeout", "10s", "-H", f"Cookie: {cookie}"]
    subprocess.run([*command[:3], "-d3s", *command[4:], url], capture_output=True, check=True)  # noqa: S603
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    if "Non-2xx" in out:
        raise SystemExit(f"{url}: answers other than 200 under load:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def statements(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url}: {response.status_code}")
    return len(queries)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--port", type=int, default=8777)
    args = parser.parse_args()

    env = {
        **production_env(port=args.port, smtp_port=1025),
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "CACHE_URL": REDIS_URL,
        "EMAIL_URL": "dummymail://",
        "STATIC_ROOT": str(ROOT / ".data" / "bench-messaging-static"),
    }
    os.environ.update(env)
    ensure_database({**os.environ, "DEBUG": "true"})
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.core.management import call_command
    from django.test import Client as TestClient
    from django.urls import reverse

    call_command("collectstatic", "--noinput", "-v0")
    started = time.monotonic()
    org, coach, long, total, thread_messages = seed(threads=args.threads, messages=args.messages)
    print(
        f"seeded: {total} seats, {thread_messages} messages in one ({time.monotonic() - started:.0f} s)"
    )

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(coach.user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = coach.user.get_session_auth_hash()
    session.create()
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    inbox = reverse("staff:messaging_inbox", kwargs={"org": org.slug})
    thread = reverse(
        "staff:messaging_thread", kwargs={"org": org.slug, "thread_id": long.public_id}
    )
    browser = TestClient(SERVER_NAME="127.0.0.1")
    browser.force_login(coach.user)
    counts = {"inbox": statements(browser, inbox), "thread": statements(browser, thread)}

    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "continuum.wsgi:application",  # with bench.settings, from the environment
            "--config",
            "continuum/gunicorn_conf.py",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            "2",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(args.port, 60)
        time.sleep(3)
        rates = {
            "hello": wrk(base + "/bench/hello/", seconds=args.seconds, cookie=cookie),
            "inbox": wrk(base + inbox, seconds=args.seconds, cookie=cookie),
            "thread": wrk(base + thread, seconds=args.seconds, cookie=cookie),
        }
    finally:
        server.terminate()
        server.wait(30)
    load = os.getloadavg()
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%SZ")
    lines = [
        f"# Messaging at scale ({stamp})",
        "",
        f"`bench/messaging.py --threads {args.threads} --messages {args.messages}"
        f" --seconds {args.seconds}`; load average at the end {load[0]:.2f} / {load[1]:.2f} /"
        f" {load[2]:.2f} on {os.cpu_count()} CPUs. gunicorn 2 sync workers, DEBUG off, wrk 4"
        " connections.",
        "",
        f"The coach has {total} conversations; the long one holds {thread_messages} messages.",
        "",
        "| page | req/s | ratio to hello | statements per request |",
        "| --- | --- | --- | --- |",
        f"| hello (baseline) | {rates['hello']:.1f} | 1.00 | - |",
        f"| staff inbox, page 1 of {total} conversations | {rates['inbox']:.1f} |"
        f" {rates['inbox'] / rates['hello']:.2f} | {counts['inbox']} |",
        f"| conversation of {thread_messages} messages, latest page of 25 |"
        f" {rates['thread']:.1f} | {rates['thread'] / rates['hello']:.2f} | {counts['thread']} |",
        "",
    ]
    out = ROOT / "bench" / "results" / f"{stamp}-messaging.md"
    out.write_text("\n".join(lines))
    print("\n".join(lines))
    print(f"written: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
