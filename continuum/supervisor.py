"""The process supervisor behind `make run`: keeps web, workers and beat up.

honcho (what `make run` used before) stops every process as soon as one exits, and runs
them all in the terminal's process group, so Ctrl-C reached Celery's pool children before
the worker's warm shutdown and tasks died mid-flight. supervisord would restart, but it
gives up after a fixed number of quick failures, wants a configuration file and a daemon,
and would be a second process tree to stop. What is needed is small, so it lives here:

- each program runs in a session of its own: a Ctrl-C at the terminal reaches only
  devstack, which then asks each program to stop (SIGTERM, Celery's warm shutdown) and
  lets it stop its own children;
- a program that exits while the stack is not stopping is logged and started again, after
  1, 2, 4 ... up to 30 s; the delay starts over once it has run for a minute;
- a program is never left without a parent: it gets SIGTERM if devstack dies.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

log = logging.getLogger("devstack")

BACKOFF_SECONDS = (1, 2, 4, 8, 16, 30)
# A program that ran at least this long before it died is restarted at once.
STABLE_SECONDS = 60
PR_SET_PDEATHSIG = 1


def read_procfile(path: Path) -> list[tuple[str, str]]:
    """`name: command` lines, in order; blank lines and comments skipped."""
    entries = []
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, command = line.partition(":")
        if not sep or not name.strip() or not command.strip():
            raise ValueError(f"{path}: expected 'name: command', got {raw!r}")
        entries.append((name.strip(), command.strip()))
    return entries


def _own_session_and_parent_death() -> None:
    """Runs in the child between fork and exec."""
    os.setsid()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def describe_exit(rc: int) -> str:
    if rc < 0:
        return f"killed by {signal.Signals(-rc).name}"
    return f"exit code {rc}"


@dataclass
class Program:
    name: str
    command: str
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    restarts: int = 0
    failures_in_a_row: int = 0
    restart_at: float | None = None
    reader: threading.Thread | None = field(default=None, repr=False)


class Supervisor:
    def __init__(
        self,
        programs: Iterable[tuple[str, str]],
        *,
        cwd: Path,
        env: dict[str, str],
        should_stop: Callable[[], bool],
        grace_seconds: float = 30,
        backoff: tuple[float, ...] = BACKOFF_SECONDS,
        stable_seconds: float = STABLE_SECONDS,
        out=None,
    ) -> None:
        self.programs = [Program(name, command) for name, command in programs]
        self.cwd = cwd
        self.env = env
        self.should_stop = should_stop
        self.grace_seconds = grace_seconds
        self.backoff = backoff
        self.stable_seconds = stable_seconds
        self.out = out or sys.stdout
        self.width = max((len(p.name) for p in self.programs), default=6)
        self._write_lock = threading.Lock()

    def run(self, *, poll_seconds: float = 0.2) -> int:
        for program in self.programs:
            self._start(program)
        try:
            while not self.should_stop():
                now = time.monotonic()
                for program in self.programs:
                    self._tend(program, now)
                time.sleep(poll_seconds)
        finally:
            self.stop()
        return 0

    def _tend(self, program: Program, now: float) -> None:
        if program.restart_at is not None:
            if now >= program.restart_at:
                program.restart_at = None
                program.restarts += 1
                self._start(program)
            return
        assert program.proc is not None
        rc = program.proc.poll()
        if rc is None:
            return
        # A worker killed outright leaves its pool children behind, holding their tasks.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(program.proc.pid, signal.SIGKILL)
        self._join_reader(program)
        ran = now - program.started_at
        if ran >= self.stable_seconds:
            program.failures_in_a_row = 0
        delay = self.backoff[min(program.failures_in_a_row, len(self.backoff) - 1)]
        program.failures_in_a_row += 1
        log.warning(
            "%s (pid %s) stopped unexpectedly (%s) after %.0f s; restarting in %s s",
            program.name,
            program.proc.pid,
            describe_exit(rc),
            ran,
            delay,
        )
        program.restart_at = now + delay

    def _start(self, program: Program) -> None:
        argv = ["/bin/sh", "-c", f"exec {program.command}"]
        program.proc = subprocess.Popen(  # noqa: S603
            argv,
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            preexec_fn=_own_session_and_parent_death,
        )
        program.started_at = time.monotonic()
        program.reader = threading.Thread(
            target=self._relay, args=(program.name, program.proc), daemon=True
        )
        program.reader.start()
        again = f" (restart {program.restarts})" if program.restarts else ""
        log.info(
            "%s started (pid %s)%s: %s", program.name, program.proc.pid, again, program.command
        )

    def _relay(self, name: str, proc: subprocess.Popen) -> None:
        assert proc.stdout is not None
        prefix = f"{name:<{self.width}} | "
        for raw in iter(proc.stdout.readline, b""):
            line = raw.decode(errors="replace").rstrip("\n")
            with self._write_lock:
                print(f"{datetime.now():%H:%M:%S} {prefix}{line}", file=self.out, flush=True)
        proc.stdout.close()

    @staticmethod
    def _join_reader(program: Program) -> None:
        if program.reader is not None:
            program.reader.join(timeout=2)
            program.reader = None

    def stop(self) -> None:
        """SIGTERM to every program (Celery: warm shutdown), SIGKILL after the grace time.

        The signal goes to the program alone, not its process group: a Celery worker must
        stop its pool children itself, after they have finished or returned their tasks.
        """
        running = [p for p in self.programs if p.proc is not None and p.proc.poll() is None]
        for program in running:
            log.info("stopping %s (pid %s)", program.name, program.proc.pid)
            with contextlib.suppress(ProcessLookupError):
                program.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.grace_seconds
        for program in running:
            try:
                program.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning(
                    "%s did not stop within %s s; killing it", program.name, self.grace_seconds
                )
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(program.proc.pid, signal.SIGKILL)
                program.proc.wait()
            log.info("%s stopped (%s)", program.name, describe_exit(program.proc.returncode))
        for program in self.programs:
            # Whatever a program left behind in its session does not outlive the stack.
            if program.proc is not None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(program.proc.pid, signal.SIGKILL)
            self._join_reader(program)
            program.restart_at = None
