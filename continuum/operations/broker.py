"""Publishing to the broker without ever holding a request for long.

The database row (an outbox notification, a pending handoff run) is the record of the
work; the broker message only moves it along. So a publish that fails or would wait is
given up at once, logged, and left to the periodic sweep. After a failure the broker is
skipped for a short while, so that one request with several messages, or a burst of
requests during an outage, pays the socket timeout once and not once per message.
"""

from __future__ import annotations

import logging
import threading
import time

logger = logging.getLogger(__name__)

URGENT_QUEUE = "urgent"
# How long publishing is skipped after a failure; the sweeps run every 30 to 60 s.
SKIP_AFTER_FAILURE_SECONDS = 15.0

_lock = threading.Lock()
_skip_until = 0.0


def broker_skipped() -> bool:
    return time.monotonic() < _skip_until


def reset() -> None:
    """Forget an earlier failure (tests; a worker that knows the broker is back)."""
    global _skip_until
    with _lock:
        _skip_until = 0.0


def publish(task, *, kwargs: dict | None = None, queue: str | None = None, why: str) -> bool:
    """Send `task` with `kwargs`; True when the broker took it.

    `why` says what picks the work up if this fails, for the log line.
    """
    global _skip_until
    if broker_skipped():
        logger.warning("broker skipped after a recent failure: %s not sent (%s)", task.name, why)
        return False
    options = {"retry": False}
    if queue:
        options["queue"] = queue
    try:
        task.apply_async(kwargs=kwargs or {}, **options)
    except Exception:
        with _lock:
            _skip_until = time.monotonic() + SKIP_AFTER_FAILURE_SECONDS
        logger.exception("broker unavailable: %s not sent (%s)", task.name, why)
        return False
    return True
