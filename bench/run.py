"""Run the whole benchmark against a production-like stack and write the results.

    .venv/bin/python bench/run.py [--scale 0.1] [--listings 100000] [--reseed]

Seeds `continuum_bench` when it is empty (bench/seed.py, bench/seed_directory.py), starts
gunicorn (2 sync workers, DEBUG off, production security settings except TLS) and a
Celery worker pinned to CPU 0, drives HTTP load with wrk pinned to CPU 1, and writes
bench/results/<UTC start to the second>-figures-<figures>.md and .csv (never an earlier
run's) plus bench/results/latest.md. Every figure sits
beside a baseline measured in the same run. Needs PostgreSQL, Redis and wrk. Not part of
the test suite."""

import argparse
import base64
import csv
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
PY = ROOT / ".venv" / "bin" / "python"
PORT = int(os.environ.get("BENCH_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
SERVER_CPUS = os.environ.get("BENCH_SERVER_CPUS", "0")
LOAD_CPUS = os.environ.get("BENCH_LOAD_CPUS", "1")
ORG = "bench-main"

ENV = {
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DATABASE_URL": os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/continuum_bench"
    ),
    "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/1"),
    "CACHE_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/1"),
    "CACHE_KEY_PREFIX": "continuum-bench",
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-" + "k" * 60,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SITE_URL": BASE,
    # Production settings apart from TLS, which a load balancer would terminate.
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "SECURE_HSTS_SECONDS": "0",
    "LOG_LEVEL": "WARNING",
    "EMAIL_URL": "dummymail://",
    # A fixed key for the benchmark's data only (any 32 bytes, url-safe base64).
    "FIELD_ENCRYPTION_KEYS": base64.urlsafe_b64encode(b"continuum-benchmark-only-key-32b").decode(),
}

WRK_SCRIPT = r"""
local counter = 0
local body_template = os.getenv("BENCH_BODY")
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
wrk.method = os.getenv("BENCH_METHOD") or "GET"
for header in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^\n]+") do
  local name, value = string.match(header, "^([^:]+):%s*(.*)$")
  wrk.headers[name] = value
end
request = function()
  if body_template then
    counter = counter + 1
    local body = string.gsub(body_template, "__N__", tostring(counter) .. "-" .. tostring(math.random(1e9)))
    return wrk.format(nil, nil, nil, body)
  end
  return wrk.format()
end
if pause > 0 then
  delay = function() return pause end
end
done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format("BENCH {\"requests\": %d, \"seconds\": %f, \"p50\": %f, \"p95\": %f, \"p99\": %f, \"errors\": %d}\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, errors))
end
"""


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


APP_ROLE = "continuum_app"


def env() -> dict:
    return {**os.environ, **ENV, "PYTHONPATH": str(ROOT)}


def stack_env() -> dict:
    """The server and the worker connect as the application role, so row-level security
    binds every figure as it binds production; seeding and bookkeeping stay on the
    connected (superuser) role."""
    url = urllib.parse.urlsplit(ENV["DATABASE_URL"])
    host = url.hostname + (f":{url.port}" if url.port else "")
    app_url = urllib.parse.urlunsplit((url.scheme, f"{APP_ROLE}@{host}", url.path, "", ""))
    return {**env(), "DATABASE_URL": app_url}


def manage(*args: str) -> None:
    subprocess.run([str(PY), "manage.py", *args], cwd=ROOT, env=env(), check=True)  # noqa: S603


def django_setup() -> None:
    os.environ.update(ENV)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- stack -------------------------------------------------------------------------------


class Stack:
    def __init__(self, logdir: Path):
        self.logdir = logdir
        self.procs: list[subprocess.Popen] = []

    def start(self, name: str, args: list[str]) -> None:
        out = open(self.logdir / f"{name}.log", "w")  # noqa: SIM115 - lives as long as the process
        proc = subprocess.Popen(  # noqa: S603
            ["taskset", "-c", SERVER_CPUS, *args],  # noqa: S607
            cwd=ROOT,
            env=stack_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs.append(proc)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def start_stack(stack: Stack) -> None:
    try:
        urllib.request.urlopen(f"{BASE}/", timeout=2)  # noqa: S310
        busy = True
    except urllib.error.HTTPError:
        busy = True
    except OSError:
        busy = False
    if busy:
        raise SystemExit(f"something already listens on port {PORT}; set BENCH_PORT")
    bin_dir = ROOT / ".venv" / "bin"
    stack.start(
        "gunicorn",
        [
            str(bin_dir / "gunicorn"),
            "continuum.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--access-logfile",
            "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
            "--timeout",
            "60",
        ],
    )
    stack.start(
        "celery",
        [
            str(bin_dir / "celery"),
            "-A",
            "continuum",
            "worker",
            "--concurrency",
            "2",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
    )
    for _ in range(150):
        try:
            urllib.request.urlopen(f"{BASE}/bench/hello/", timeout=2).read()  # noqa: S310
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start; see the log directory")


# --- load ---------------------------------------------------------------------------------


def wrk(
    path: str,
    *,
    seconds: int,
    connections: int = 4,
    headers: dict | None = None,
    method: str = "GET",
    body: str | None = None,
    delay_ms: float = 0,
) -> dict:
    script = Path(tempfile.gettempdir()) / f"continuum-bench-{os.getpid()}.lua"
    script.write_text(WRK_SCRIPT)
    load_env = {
        **os.environ,
        "BENCH_METHOD": method,
        "BENCH_HEADERS": "\n".join(f"{k}: {v}" for k, v in (headers or {}).items()),
        "BENCH_DELAY_MS": str(int(delay_ms)),
    }
    if body is not None:
        load_env["BENCH_BODY"] = body
    out = subprocess.run(  # noqa: S603
        [  # noqa: S607
            "taskset",
            "-c",
            LOAD_CPUS,
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            BASE + path,
        ],
        env=load_env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    script.unlink()
    result = json.loads(re.search(r"^BENCH (.*)$", out, re.M).group(1))
    result["rps"] = result["requests"] / result["seconds"]
    return result


def saturate(path: str, *, warmup: int, seconds: int, **kwargs) -> dict:
    wrk(path, seconds=warmup, **kwargs)
    return wrk(path, seconds=seconds, **kwargs)


def half_load(path: str, saturated: dict, *, seconds: int, **kwargs) -> dict:
    """Paced load at about half of the saturated rate: each of 4 connections waits between
    requests so that 4 / (wait + latency) is half the saturated rate."""
    connections = 4
    target = saturated["rps"] / 2
    wait_ms = max(0.0, connections / target * 1000 - saturated["p50"])
    result = wrk(path, seconds=seconds, connections=connections, delay_ms=wait_ms, **kwargs)
    result["target_rps"] = target
    return result


# --- sessions and fixtures -----------------------------------------------------------------


def session_cookie(user_id: int) -> str:
    """A logged-in session for `user_id`, as the login view would store it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from continuum.accounts.models import User

    user = User.objects.get(pk=user_id)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def fetch(path: str, headers: dict | None = None) -> tuple[int, str, dict]:
    request = urllib.request.Request(BASE + path, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), dict(exc.headers)


def expect_ok(path: str, headers: dict | None = None) -> None:
    status, body, _ = fetch(path, headers)
    if status != 200:
        raise SystemExit(f"GET {path} answered {status}, not 200:\n{body[:2000]}")


def csrf_pair(path: str) -> tuple[str, str]:
    _status, body, headers = fetch(path)
    cookie = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", "")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    return cookie, token


# --- figures ---------------------------------------------------------------------------------


def pages(info: dict, rows: list, *, warmup: int, seconds: int) -> None:
    admin = {"Cookie": session_cookie(info["admin_user_id"])}
    coach = {"Cookie": session_cookie(info["coach_user_id"])}
    client_list = f"/{ORG}/staff/clients/"
    dashboard = f"/{ORG}/staff/coaching/"
    expect_ok(client_list, admin)
    expect_ok(dashboard, coach)
    hello = saturate("/bench/hello/", warmup=warmup, seconds=seconds, headers=admin)
    hello_half = half_load("/bench/hello/", hello, seconds=seconds, headers=admin)
    from coaching.views import CASELOAD_PER_PAGE
    from continuum.care.views import CLIENTS_PER_PAGE

    for name, path, headers in (
        (f"staff client list ({CLIENTS_PER_PAGE} per page of 20,000)", client_list, admin),
        (
            f"coach risk dashboard ({CASELOAD_PER_PAGE} per page of a caseload of "
            f"{info['caseload']} active engagements)",
            dashboard,
            coach,
        ),
    ):
        full = saturate(path, warmup=warmup, seconds=seconds, headers=headers)
        half = half_load(path, full, seconds=seconds, headers=headers)
        rows.append(
            {
                "figure": "1",
                "what": name,
                "value": f"{full['rps']:.1f} req/s; p95 {half['p95']:.1f} ms at "
                f"{half['rps']:.1f} req/s (half load)",
                "baseline": f"hello view: {hello['rps']:.1f} req/s; p95 "
                f"{hello_half['p95']:.1f} ms at half load",
                "ratio": full["rps"] / hello["rps"],
                "target": ">= 0.35 of hello req/s; p95 < 150 ms at half load",
                "met": full["rps"] / hello["rps"] >= 0.35 and half["p95"] < 150,
                "errors": full["errors"] + half["errors"],
            }
        )


def api(info: dict, rows: list, *, warmup: int, seconds: int) -> None:
    headers = {"Authorization": f"Token {info['token']}"}
    api_path = f"/api/v1/{ORG}/clients/"
    plain = f"/bench/{ORG}/clients.json"
    expect_ok(api_path, headers)
    expect_ok(plain, headers)
    base = saturate(plain, warmup=warmup, seconds=seconds, headers=headers)
    full = saturate(api_path, warmup=warmup, seconds=seconds, headers=headers)
    ratio = full["rps"] / base["rps"]
    rows.append(
        {
            "figure": "2",
            "what": "REST API client list (50 rows, token auth, read audit)",
            "value": f"{full['rps']:.1f} req/s; p95 {full['p95']:.1f} ms (saturated)",
            "baseline": f"same queryset as plain JSON: {base['rps']:.1f} req/s; "
            f"p95 {base['p95']:.1f} ms",
            "ratio": ratio,
            "target": ">= 0.6",
            "met": ratio >= 0.6,
            "errors": full["errors"] + base["errors"],
        }
    )


def intake(rows: list, *, warmup: int, seconds: int) -> None:
    cookie, token = csrf_pair(f"/{ORG}/help/")
    headers = {
        "Cookie": f"csrftoken={cookie}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    form = {
        "csrfmiddlewaretoken": token,
        "requester_first_name": "Pat",
        "requester_last_name": "Bench",
        "requester_email": "family__N__@example.org",
        "relationship": "parent",
        "loved_one_first_name": "Chris",
        "loved_one_last_name": "Bench__N__",
        "substances": "alcohol, opioids",
        "urgency": "this_month",
        "consent_to_contact": "on",
        "website": "",
    }
    body = urllib.parse.urlencode(form)
    # One request by hand first, so a form change shows up as an error, not a fast 400.
    probe = urllib.request.Request(  # noqa: S310
        f"{BASE}/{ORG}/help/",
        data=body.replace("__N__", "probe").encode(),
        headers=headers,
        method="POST",
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        status = urllib.request.build_opener(NoRedirect).open(probe, timeout=30).status
    except urllib.error.HTTPError as exc:
        status = exc.code
        if status != 302:
            body_text = exc.read().decode()[:3000]
            raise SystemExit(f"intake POST answered {status}:\n{body_text}") from None
    log(f"intake probe answered {status}")
    base = saturate(
        "/bench/post/", warmup=warmup, seconds=seconds, headers=headers, method="POST", body=body
    )
    full = saturate(
        f"/{ORG}/help/", warmup=warmup, seconds=seconds, headers=headers, method="POST", body=body
    )
    rows.append(
        {
            "figure": "5",
            "what": "public intake form POST (creates request, people, episode, notifications)",
            "value": f"{full['rps']:.1f} POST/s; p95 {full['p95']:.1f} ms",
            "baseline": f"minimal POST view (CSRF, sessions): {base['rps']:.1f} POST/s; "
            f"p95 {base['p95']:.1f} ms",
            "ratio": full["rps"] / base["rps"],
            "target": "(no ratio target)",
            "met": None,
            "errors": full["errors"] + base["errors"],
        }
    )


def directory(rows: list, *, runs: int, database: str | None = None) -> list[str]:
    """Figure 3 on this run's directory, or on a larger one seeded once into another
    database of the same server (`--large-directory-db`), so both sizes share the run."""
    from directory_search import _percentile, measure
    from django.db import connection

    saved = connection.settings_dict["NAME"]
    if database:
        connection.close()
        connection.settings_dict["NAME"] = database
    try:
        result = measure(org_slug="bench-directory", runs=runs, seed_value=7)
    finally:
        if database:
            connection.close()
            connection.settings_dict["NAME"] = saved
    search95 = _percentile(result["searches"], 95)
    pk95 = _percentile(result["lookups"], 95)
    ratio = search95 / pk95
    _directory_p95[result["total"]] = search95
    rows.append(
        {
            "figure": "3",
            "what": f"directory search at {result['total']:,} listings "
            "(ZIP + 25 mi + kind + insurance + language + text; count + 20 rows; "
            f"as {result['role']}, under row-level security)",
            "value": f"p95 {search95:.2f} ms (p50 {statistics.median(result['searches']):.2f})",
            "baseline": f"primary-key lookup: p95 {pk95:.2f} ms",
            "ratio": ratio,
            "target": "<= 5x",
            "met": ratio <= 5,
            "errors": 0,
        }
    )
    if database and len(_directory_p95) == 2:
        (small, small95), (large, large95) = sorted(_directory_p95.items())
        growth = large95 / small95
        rows.append(
            {
                "figure": "3",
                "what": f"growth of the search p95 from {small:,} to {large:,} listings",
                "value": f"{large95:.2f} ms / {small95:.2f} ms",
                "baseline": f"p95 at {small:,} listings",
                "ratio": growth,
                "target": "< 2x",
                "met": growth < 2,
                "errors": 0,
            }
        )
    return [f"{result['total']:,} listings: {line}" for line in result["index_lines"]]


_directory_p95: dict[int, float] = {}


def _wait(predicate, *, timeout: float, interval: float = 0.05) -> float:
    started = time.perf_counter()
    while not predicate():
        if time.perf_counter() - started > timeout:
            raise SystemExit("timed out waiting for the worker")
        time.sleep(interval)
    return time.perf_counter() - started


def _worker_idle(app) -> bool:
    inspect = app.control.inspect(timeout=1.0)
    busy = [inspect.active(), inspect.reserved()]
    return all(replies is not None and not any(replies.values()) for replies in busy)


def outbox(info: dict, rows: list, *, count: int, noops: int) -> None:
    import redis
    from _django import reminder_row
    from django.conf import settings
    from django.db.models import Count
    from django.utils import timezone

    from bench.tasks import COUNTER, noop
    from continuum.celery import app
    from continuum.notifications.models import Delivery, Notification
    from continuum.notifications.tasks import deliver_due_notifications
    from continuum.tenancy.models import Organization
    from continuum.tenancy.scoping import organization_scope

    # An interrupted run leaves drain tasks in the broker: the worker would work them off
    # during this run's baseline and deliver old rows while they are being deleted.
    app.control.purge()
    _wait(lambda: _worker_idle(app), timeout=300, interval=1)
    organization = Organization.objects.get(slug=ORG)
    with organization_scope(organization):
        # Leftovers of an interrupted run would be delivered first and skew the rate.
        old = Notification.objects.filter(dedup_key__startswith="bench-due-")
        Delivery.objects.filter(notification__in=old.values("pk")).delete()
        old.delete()
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.set(COUNTER, 0)
    started = time.perf_counter()
    for _ in range(noops):
        noop.delay()
    _wait(lambda: int(client.get(COUNTER)) >= noops, timeout=600)
    noop_rate = noops / (time.perf_counter() - started)

    run = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    now = timezone.now()
    with organization_scope(organization):
        Notification.objects.bulk_create(
            [
                reminder_row(
                    organization=organization,
                    recipient_id=info["admin_user_id"],
                    subject="Check-in reminder",
                    body="Time for today's check-in.",
                    dedup_key=f"bench-due-{run}-{n}",
                    due_at=now,
                )
                for n in range(count)
            ],
            batch_size=5000,
        )
        due = Notification.objects.filter(dedup_key__startswith=f"bench-due-{run}-")
        # Enough beat-style runs for every row, as if several beats fired during a backlog.
        started = time.perf_counter()
        for _ in range(count // 1000 + 4):
            deliver_due_notifications.delay()

        def drained() -> bool:
            return not due.filter(status__in=["pending", "sending"]).exists()

        try:
            _wait(drained, timeout=max(120, count / 20), interval=0.5)
        except SystemExit:
            log("the outbox did not drain in time; reporting what was delivered")
        elapsed = time.perf_counter() - started
        sent = due.filter(status="sent").count()
        deliveries = Delivery.objects.filter(notification__in=due.values("pk"))
        delivered = deliveries.count()
        duplicates = (
            deliveries.values("notification", "channel")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .count()
        )
    rate = sent / elapsed
    rows.append(
        {
            "figure": "4",
            "what": f"reminder delivery through the outbox ({count:,} due in-app reminders)",
            "value": f"{rate:.1f} delivered/s; {sent:,} sent, {delivered:,} deliveries, "
            f"{duplicates} duplicates, drained in {elapsed:.1f} s",
            "baseline": f"no-op Celery task: {noop_rate:.1f} tasks/s ({noops:,} tasks)",
            "ratio": rate / noop_rate,
            "target": ">= 0.5; zero duplicates",
            "met": rate / noop_rate >= 0.5 and duplicates == 0 and delivered == count,
            "errors": count - sent,
        }
    )


def handoffs(info: dict, rows: list, *, count: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from continuum.accounts.models import User
    from continuum.care.models import CareEpisode, HandoffRun, Task
    from continuum.care.services import episode_transition
    from continuum.tenancy.models import Organization
    from continuum.tenancy.scoping import organization_scope

    organization = Organization.objects.get(slug=ORG)
    actor = User.objects.get(pk=info["admin_user_id"])
    samples = []
    with organization_scope(organization):
        episodes = list(
            CareEpisode.objects.filter(organization=organization, phase="residential")
            .exclude(client__engagements__status__in=["proposed", "active", "paused"])
            .order_by("?")[:count]
        )
        for episode in episodes:
            started = time.perf_counter()
            with transaction.atomic():
                transition = episode_transition(
                    actor=actor,
                    episode=episode,
                    to_phase="aftercare",
                    discharge_type="planned",
                    discharge_date=timezone.localdate(),
                )
            runs = HandoffRun.objects.filter(transition=transition)

            def done(runs=runs, episode=episode) -> bool:
                return (
                    runs.exists()
                    and not runs.filter(status="pending").exists()
                    and Task.objects.filter(episode=episode).exists()
                )

            _wait(done, timeout=120, interval=0.01)
            samples.append((time.perf_counter() - started) * 1000)
            failed = runs.filter(status="failed").count()
            if failed:
                raise SystemExit(f"{failed} handoff runs failed for {transition}")
    from directory_search import _percentile

    p95 = _percentile(samples, 95)
    rows.append(
        {
            "figure": "6",
            "what": f"residential -> aftercare transition until its handoff tasks exist "
            f"({len(samples)} transitions, one at a time)",
            "value": f"p95 {p95:.0f} ms (p50 {statistics.median(samples):.0f} ms)",
            "baseline": "(absolute target)",
            "ratio": None,
            "target": "p95 < 2000 ms",
            "met": p95 < 2000,
            "errors": 0,
        }
    )


def many_organizations(info: dict, rows: list, *, total: int, warmup: int, seconds: int) -> None:
    """The client list (against hello) and the directory search (against a primary-key
    lookup) as the database holds them, then again once it is topped up with small
    organizations to `total` (bench/seed.py `seed_organizations`), in the same run: one
    organization's cost must not grow with the number of others."""
    from directory_search import _percentile, measure
    from seed import seed_organizations

    from continuum.tenancy.models import Organization

    admin = {"Cookie": session_cookie(info["admin_user_id"])}
    client_list = f"/{ORG}/staff/clients/"

    def figures() -> dict:
        from django.db import close_old_connections

        close_old_connections()
        hello = saturate("/bench/hello/", warmup=warmup, seconds=seconds, headers=admin)
        page = saturate(client_list, warmup=warmup, seconds=seconds, headers=admin)
        search = measure(org_slug="bench-directory", runs=200, seed_value=7)
        return {
            "organizations": Organization.objects.count(),
            "hello": hello,
            "page": page,
            "page_ratio": page["rps"] / hello["rps"],
            "search95": _percentile(search["searches"], 95),
            "pk95": _percentile(search["lookups"], 95),
        }

    measured = []
    if Organization.objects.count() < total:
        measured.append(figures())
        seed_organizations(total=total, seed_value=42)
        vacuum_analyze()
    measured.append(figures())
    for found in measured:
        n = found["organizations"]
        rows.append(
            {
                "figure": "9",
                "what": f"staff client list with {n:,} organizations in the database",
                "value": f"{found['page']['rps']:.1f} req/s",
                "baseline": f"hello view: {found['hello']['rps']:.1f} req/s",
                "ratio": found["page_ratio"],
                "target": "(compared below)",
                "met": None,
                "errors": found["page"]["errors"] + found["hello"]["errors"],
            }
        )
        rows.append(
            {
                "figure": "9",
                "what": f"directory search (as figure 3) with {n:,} organizations in the database",
                "value": f"p95 {found['search95']:.2f} ms",
                "baseline": f"primary-key lookup: p95 {found['pk95']:.2f} ms",
                "ratio": found["search95"] / found["pk95"],
                "target": "(compared below)",
                "met": None,
                "errors": 0,
            }
        )
    if len(measured) == 2:
        few, many = measured
        # Cost per request grows as the hello-relative throughput falls.
        page_growth = few["page_ratio"] / many["page_ratio"]
        search_growth = (many["search95"] / many["pk95"]) / (few["search95"] / few["pk95"])
        for what, growth in (
            ("staff client list", page_growth),
            ("directory search p95", search_growth),
        ):
            rows.append(
                {
                    "figure": "9",
                    "what": f"growth of the {what}'s cost from {few['organizations']:,} to "
                    f"{many['organizations']:,} organizations (each against its baseline)",
                    "value": f"{growth:.2f}x",
                    "baseline": f"{few['organizations']:,} organizations, same run",
                    "ratio": growth,
                    "target": "<= 1.15 (no growth beyond the shared machine's noise)",
                    "met": growth <= 1.15,
                    "errors": 0,
                }
            )
    else:
        log(f"the database already held {total:,} organizations: no same-run comparison")


# --- report ---------------------------------------------------------------------------------


def write(rows: list, *, meta: dict, index_lines: list[str]) -> Path:
    out = BENCH / "results"
    out.mkdir(exist_ok=True)
    rows.sort(key=lambda r: r["figure"])  # stable: figure 3's two sizes keep their order
    with open(out / f"{meta['stem']}.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "ratio": "" if row["ratio"] is None else f"{row['ratio']:.3f}"})
    lines = [
        f"# Benchmark run {meta['started']:%Y-%m-%d %H:%M:%S} UTC",
        "",
        f"Scale {meta['scale']} (check-ins, appointments, notifications x scale; 20,000 clients "
        f"and 200 staff in the largest organization always), {meta['listings']:,} directory "
        f"listings, {meta['organizations']:,} organizations in the database at the start. "
        f"{meta['machine']}. Server (gunicorn 2 sync workers, DEBUG off, Celery "
        f"worker concurrency 2, both connected as {APP_ROLE} under row-level security) on CPU "
        f"{SERVER_CPUS}; wrk on CPU {LOAD_CPUS}; PostgreSQL and "
        f"Redis unpinned. {meta['seconds']} s per measurement after a {meta['warmup']} s "
        "warm-up.",
        "",
        "| # | measured | figure | baseline (same run) | ratio | target | met |",
        "|---|---|---|---|---:|---|---|",
    ]
    for row in rows:
        ratio = "" if row["ratio"] is None else f"{row['ratio']:.2f}"
        met = {True: "yes", False: "**no**", None: "-"}[row["met"]]
        lines.append(
            f"| {row['figure']} | {row['what']} | {row['value']} | {row['baseline']} | {ratio} "
            f"| {row['target']} | {met} |"
        )
    if index_lines:
        lines += ["", "Indexes in the directory search plan (`EXPLAIN`):", ""]
        lines += [f"- `{line[:160]}`" for line in index_lines]
    errors = sum(row["errors"] for row in rows)
    lines += ["", f"Failed or non-2xx/3xx responses across all load runs: {errors}.", ""]
    text = "\n".join(lines)
    (out / f"{meta['stem']}.md").write_text(text)
    (out / "latest.md").write_text(text)
    return out / f"{meta['stem']}.md"


def result_stem(started: datetime, only: str) -> str:
    """The run's own file name: its start to the second and its figures, claimed at the
    start (exclusive creation), so two runs never write over each other's results."""
    out = BENCH / "results"
    out.mkdir(exist_ok=True)
    figures = "-".join(sorted(set(only.split(",")) - {""}))
    base = f"{started:%Y-%m-%dT%H%M%SZ}-figures-{figures}"
    for n in range(1000):
        stem = base if n == 0 else f"{base}-{n}"
        try:
            with open(out / f"{stem}.md", "x") as handle:
                handle.write(f"# Benchmark run {started:%Y-%m-%d %H:%M:%S} UTC: running\n")
        except FileExistsError:
            continue
        return stem
    raise SystemExit(f"no free result file name for {base}")


def grant_application_role() -> None:
    """The roles and grants `make run` and the deployment give the application role, on a
    database the benchmark migrated as a superuser."""
    from django.db import connection

    from continuum.tenancy import rls
    from referrals import search_sql

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_schema()")
        owner, schema = cursor.fetchone()
        wanted = [APP_ROLE, "continuum_owner", rls.SEARCH_ROLE]
        cursor.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", [wanted])
        exists = {row[0] for row in cursor.fetchall()}
        statements = rls.create_roles_sql(
            owner_role="continuum_owner", app_role=APP_ROLE, exists=exists
        )
        statements += rls.grant_app_role_sql(APP_ROLE, owner_role=owner)
        for statement in statements:
            cursor.execute(statement)
        search_sql.search_functions_adopt(cursor, schema)


def vacuum_analyze() -> None:
    """A bulk-loaded database has no visibility map until autovacuum reaches it, so every
    index-only scan (the page counts) would read the table too; production is vacuumed."""
    import psycopg2

    url = urllib.parse.urlsplit(ENV["DATABASE_URL"])
    vacuum = psycopg2.connect(
        host=url.hostname, port=url.port or 5432, user=url.username, dbname=url.path.lstrip("/")
    )
    vacuum.autocommit = True
    with vacuum.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    vacuum.close()


def ensure_data(args) -> dict:
    import psycopg2

    url = urllib.parse.urlsplit(ENV["DATABASE_URL"])
    name = url.path.lstrip("/")
    admin = psycopg2.connect(
        host=url.hostname, port=url.port or 5432, user=url.username, dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        if args.reseed:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    manage("migrate", "--noinput", "-v0")
    django_setup()
    from django.db.models import Count

    from continuum.tenancy.models import Membership, Organization, Role
    from referrals.models import Listing

    if not Organization.objects.filter(slug=ORG).exists():
        log(f"seeding at scale {args.scale}")
        from seed import seed

        seed(scale=args.scale, seed_value=42)
    from continuum.tenancy.scoping import across_organizations

    with across_organizations("benchmark fixtures"):
        listings = Listing.objects.filter(organization__slug="bench-directory").count()
    if listings != args.listings:
        log(f"seeding {args.listings:,} directory listings")
        from seed_directory import seed as seed_directory

        seed_directory(count=args.listings, org_slug="bench-directory", seed_value=42)
    vacuum_analyze()
    grant_application_role()
    from continuum.accounts.services import api_token_create

    with across_organizations("benchmark fixtures"):
        members = Membership.objects.filter(organization__slug=ORG)
        admin_member = members.filter(roles__contains=[Role.ORG_ADMIN]).order_by("pk").first()
        coach = (
            members.filter(roles__contains=[Role.SOBER_COACH])
            .annotate(n=Count("coaching_engagements"))
            .order_by("n", "pk")
            .first()
        )
        _, token_key = api_token_create(actor=admin_member.user, second_factor=True)
    return {
        "admin_user_id": admin_member.user_id,
        "coach_user_id": coach.user_id,
        "caseload": coach.n,
        "organizations": Organization.objects.count(),
        "token": token_key,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--reseed", action="store_true", help="drop and re-seed the database")
    parser.add_argument("--seconds", type=int, default=15, help="per measurement")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--reminders", type=int, default=None, help="default 30,000 x scale")
    parser.add_argument("--noops", type=int, default=5000)
    parser.add_argument("--transitions", type=int, default=40)
    parser.add_argument("--only", default="1,2,3,4,5,6", help="figures to run, e.g. 1,3")
    parser.add_argument(
        "--organizations",
        type=int,
        default=0,
        help="figure 9: the client list and the directory search again once the database "
        "holds this many organizations (small ones added; the largest unchanged)",
    )
    parser.add_argument(
        "--large-directory-db",
        default=None,
        help="a database on the same server seeded with a larger directory "
        "(bench/seed_directory.py --count 1000000); figure 3 is measured there too",
    )
    args = parser.parse_args()
    if not shutil.which("wrk") or not shutil.which("taskset"):
        raise SystemExit("needs wrk and taskset (apt-get install wrk util-linux)")
    started = datetime.now(UTC)
    # Stop the stack on SIGTERM too, not only on Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    info = ensure_data(args)
    static_root = Path(tempfile.gettempdir()) / "continuum-bench-static"
    ENV["STATIC_ROOT"] = str(static_root)
    manage("collectstatic", "--noinput", "-v0")
    if args.organizations and "9" not in args.only.split(","):
        args.only += ",9"
    only = set(args.only.split(","))
    logdir = Path(tempfile.mkdtemp(prefix="continuum-bench-"))
    log(f"stack logs in {logdir}")
    stack = Stack(logdir)
    rows: list[dict] = []
    index_lines: list[str] = []
    try:
        start_stack(stack)
        timing = {"warmup": args.warmup, "seconds": args.seconds}
        meta = {
            "started": started,
            "stem": result_stem(started, args.only),
            "scale": args.scale,
            "listings": args.listings,
            "organizations": info["organizations"],
            "machine": f"{os.cpu_count()} CPUs",
            **timing,
        }
        reminders = args.reminders or int(30_000 * args.scale)
        figures = [
            ("1", "staff pages vs hello", lambda: pages(info, rows, **timing)),
            ("2", "API list vs plain JSON", lambda: api(info, rows, **timing)),
            ("3", "directory search vs primary-key lookup", lambda: directory(rows, runs=200)),
            (
                "3",
                "directory search on the larger directory",
                lambda: directory(rows, runs=200, database=args.large_directory_db),
            ),
            ("5", "intake POST vs minimal POST", lambda: intake(rows, **timing)),
            (
                "6",
                "transition to handoff tasks",
                lambda: handoffs(info, rows, count=args.transitions),
            ),
            (
                "9",
                "many organizations",
                lambda: many_organizations(info, rows, total=args.organizations, **timing),
            ),
            (
                "4",
                "outbox vs no-op tasks",
                lambda: outbox(info, rows, count=reminders, noops=args.noops),
            ),
        ]
        for number, name, measure_figure in figures:
            if number not in only:
                continue
            if name.endswith("larger directory") and not args.large_directory_db:
                continue
            if number == "9" and not args.organizations:
                continue
            log(f"figure {number}: {name}")
            from django.db import close_old_connections

            close_old_connections()
            try:
                found = measure_figure()
            except Exception as exc:  # one broken figure must not lose the others
                log(f"figure {number} failed: {type(exc).__name__}: {exc}")
                rows.append(
                    {
                        "figure": number,
                        "what": name,
                        "value": f"not measured: {type(exc).__name__}: {str(exc)[:120]}",
                        "baseline": "",
                        "ratio": None,
                        "target": "",
                        "met": False,
                        "errors": 1,
                    }
                )
            else:
                if number == "3":
                    index_lines += found
            path = write(rows, meta=meta, index_lines=index_lines)
    finally:
        stack.stop()
    print(path.read_text())
    log(f"wrote {path} and its .csv")


if __name__ == "__main__":
    main()
