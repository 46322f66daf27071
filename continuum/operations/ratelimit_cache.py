"""The cache django-ratelimit counts in: Redis, and the database while Redis is down.

Without it a cache outage made every rate-limited page fail: django-ratelimit treats a
count it cannot read as over the limit, so the public help form (a crisis form) refused
everyone. Here a failed cache call is counted in `operations_ratelimitcounter` instead,
and the cache is not tried again for a short while, so each request pays the short socket
timeout at most once per outage and not on every call.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.utils import timezone

logger = logging.getLogger(__name__)

RETRY_CACHE_AFTER_SECONDS = 10.0
TABLE = "operations_ratelimitcounter"


class FallbackRateLimitCache(RedisCache):
    _lock = threading.Lock()
    _down_until = 0.0

    def _cache_down(self) -> bool:
        return time.monotonic() < type(self)._down_until

    def _mark_down(self, exc: Exception) -> None:
        with self._lock:
            type(self)._down_until = time.monotonic() + RETRY_CACHE_AFTER_SECONDS
        logger.warning("rate limits counted in the database: cache unreachable (%s)", exc)

    def _try(self, name: str, *args, **kwargs):
        """(True, result) from the cache, or (False, None) when it is unreachable."""
        if self._cache_down():
            return False, None
        try:
            return True, getattr(super(), name)(*args, **kwargs)
        except ValueError:
            raise
        except Exception as exc:  # redis-py raises ConnectionError, TimeoutError ...
            self._mark_down(exc)
            return False, None

    def add(self, key, value, timeout=None, version=None):
        ok, result = self._try("add", key, value, timeout, version)
        if ok:
            return result
        return _db_add(self.make_and_validate_key(key, version=version), value, timeout)

    def incr(self, key, delta=1, version=None):
        ok, result = self._try("incr", key, delta, version)
        if ok:
            return result
        count = _db_incr(self.make_and_validate_key(key, version=version), delta)
        if count is None:
            raise ValueError(f"Key {key!r} not found.")
        return count

    def get(self, key, default=None, version=None):
        ok, result = self._try("get", key, default, version)
        if ok:
            return result
        count = _db_get(self.make_and_validate_key(key, version=version))
        return default if count is None else count


def _expiry(timeout) -> timezone.datetime:
    return timezone.now() + timedelta(seconds=timeout or 300)


def _db_add(key: str, value: int, timeout) -> bool:
    with connection.cursor() as cursor:
        # Insert, or take over a window that has expired; a live window is left alone.
        cursor.execute(
            f"INSERT INTO {TABLE} (key, count, expires_at) VALUES (%s, %s, %s)"  # noqa: S608
            " ON CONFLICT (key) DO UPDATE SET count = EXCLUDED.count,"
            f" expires_at = EXCLUDED.expires_at WHERE {TABLE}.expires_at <= now()"
            " RETURNING key",
            [key, int(value), _expiry(timeout)],
        )
        added = cursor.fetchone() is not None
        if added:
            cursor.execute(
                f"DELETE FROM {TABLE} WHERE expires_at < now() - interval '1 hour'"  # noqa: S608
            )
    return added


def _db_incr(key: str, delta: int) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET count = count + %s"  # noqa: S608
            " WHERE key = %s AND expires_at > now() RETURNING count",
            [int(delta), key],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _db_get(key: str) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count FROM {TABLE} WHERE key = %s AND expires_at > now()",  # noqa: S608
            [key],
        )
        row = cursor.fetchone()
    return row[0] if row else None
