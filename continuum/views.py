import logging
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from kombu import Connection

from continuum.celery import app as celery_app

logger = logging.getLogger(__name__)

# /healthz answers within 2 s whatever the services do: each check gets this long, in
# parallel, and one that has not answered by then counts as down (a frozen server accepts
# the connection and then never replies).
CHECK_SECONDS = 1.5
_checks = ThreadPoolExecutor(max_workers=4, thread_name_prefix="healthz")


def _database_ok() -> bool:
    # A connection of this thread's own, closed at the end: a hung one never becomes the
    # request's connection.
    conn = connections.create_connection("default")
    try:
        with conn.cursor() as cursor:
            # One query string is one transaction: the timeout never outlives it, even on
            # a server connection a pooler hands on to someone else.
            cursor.execute("SET LOCAL statement_timeout = 1000; SELECT 1")
        return True
    except Exception:
        logger.exception("healthz: database unreachable")
        return False
    finally:
        conn.close()


def _broker_ok() -> bool:
    try:
        with Connection(
            celery_app.conf.broker_url,
            connect_timeout=1,
            transport_options={"socket_timeout": 1, "socket_connect_timeout": 1},
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=1)
            # Connecting is not enough: a stopped (SIGSTOP) server still accepts.
            conn.default_channel.client.ping()
        return True
    except Exception:
        logger.exception("healthz: broker unreachable")
        return False


def _run_checks() -> dict[str, bool]:
    futures = {"database": _checks.submit(_database_ok), "broker": _checks.submit(_broker_ok)}
    results = {}
    for name, future in futures.items():
        try:
            results[name] = future.result(timeout=CHECK_SECONDS)
        except FutureTimeout:
            logger.error("healthz: %s did not answer within %s s", name, CHECK_SECONDS)
            results[name] = False
    return results


@never_cache
def healthz(request):
    """Liveness for load balancers: states only, never hostnames or error text."""
    checks = _run_checks()
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable"}
    body.update({name: "ok" if ok else "unavailable" for name, ok in checks.items()})
    return JsonResponse(body, status=200 if healthy else 503)
