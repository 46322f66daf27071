"""The supervisor behind `make run`: a crash is restarted, Ctrl-C is a warm shutdown."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import psutil

from continuum.supervisor import Supervisor, read_procfile

ROOT = Path(__file__).resolve().parents[2]


def _wait(predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_the_procfile_names_web_both_worker_slots_and_beat():
    names = [name for name, _ in read_procfile(ROOT / "Procfile")]
    assert names == ["web", "worker", "urgent", "beat"]
    commands = dict(read_procfile(ROOT / "Procfile"))
    assert "-Q urgent" in commands["urgent"]
    assert "-Q celery" in commands["worker"]


def test_a_killed_program_is_restarted_with_back_off_and_the_rest_keep_running(tmp_path, caplog):
    stop = threading.Event()
    sup = Supervisor(
        [("sleeper", "sleep 600"), ("other", "sleep 600")],
        cwd=tmp_path,
        env=dict(os.environ),
        should_stop=stop.is_set,
        backoff=(0.2, 0.5),
        grace_seconds=5,
    )
    caplog.set_level("INFO", logger="devstack")
    runner = threading.Thread(target=sup.run, kwargs={"poll_seconds": 0.05})
    runner.start()
    try:
        sleeper, other = sup.programs
        assert _wait(lambda: sleeper.proc is not None and other.proc is not None)
        first_pid, other_pid = sleeper.proc.pid, other.proc.pid
        os.kill(first_pid, signal.SIGKILL)
        assert _wait(lambda: sleeper.proc.pid != first_pid and sleeper.proc.poll() is None)
        second_pid = sleeper.proc.pid
        os.kill(second_pid, signal.SIGKILL)
        assert _wait(lambda: sleeper.proc.pid != second_pid and sleeper.proc.poll() is None)
        assert other.proc.pid == other_pid and other.proc.poll() is None
    finally:
        stop.set()
        runner.join(timeout=15)
    assert not runner.is_alive()
    messages = [r.getMessage() for r in caplog.records]
    crashes = [m for m in messages if "stopped unexpectedly" in m]
    assert len(crashes) == 2
    assert "killed by SIGKILL" in crashes[0] and "restarting in 0.2 s" in crashes[0]
    # The second crash in a row waits longer.
    assert "restarting in 0.5 s" in crashes[1]
    assert f"sleeper started (pid {sleeper.proc.pid}) (restart 2)" in " ".join(messages)
    assert not psutil.pid_exists(other_pid) or psutil.Process(other_pid).status() == "zombie"


# A stand-in for a Celery worker: a main process with a pool child. On SIGTERM the main
# process finishes its batch (the child's work) before exiting, as Celery's warm shutdown
# does; a SIGINT reaching the child directly would kill it mid-task.
CHILD = "import sys, time; time.sleep(1.5); open(sys.argv[1] + '/child-done', 'w').write('done')"
WORKER = textwrap.dedent(
    f"""
    import os, signal, subprocess, sys, time
    out = sys.argv[1]
    child = subprocess.Popen([sys.executable, "-c", {CHILD!r}, out])
    stopping = []
    signal.signal(signal.SIGTERM, lambda *a: stopping.append(1))
    open(out + "/ready", "w").write(str(child.pid))
    while not stopping:
        time.sleep(0.05)
    rc = child.wait()
    open(out + "/main-done", "w").write(str(rc))
    """
)

RUNNER = textwrap.dedent(
    """
    import logging, signal, sys
    from pathlib import Path
    from continuum.supervisor import Supervisor
    logging.basicConfig(level=logging.INFO)
    got = []
    signal.signal(signal.SIGINT, lambda *a: got.append(1))
    sup = Supervisor(
        [("worker", f"{sys.executable} {sys.argv[1]} {sys.argv[2]}")],
        cwd=Path(sys.argv[2]), env=None, should_stop=lambda: bool(got), grace_seconds=10,
    )
    sys.exit(sup.run())
    """
)


def test_ctrl_c_to_the_terminal_group_lets_the_worker_finish_its_batch(tmp_path):
    worker = tmp_path / "worker.py"
    worker.write_text(WORKER)
    runner = tmp_path / "runner.py"
    runner.write_text(RUNNER)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, str(runner), str(worker), str(tmp_path)],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        assert _wait(lambda: (tmp_path / "ready").exists())
        # What a terminal does on Ctrl-C: SIGINT to the whole foreground process group.
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert (tmp_path / "child-done").read_text() == "done"
    assert (tmp_path / "main-done").read_text() == "0"
