"""Exact query-count assertions that show the SQL when they fail."""

from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext


@contextmanager
def assert_queries(expected: int, *, label: str = ""):
    with CaptureQueriesContext(connection) as ctx:
        yield ctx
    executed = len(ctx.captured_queries)
    if executed != expected:
        listing = "\n".join(f"{i}. {q['sql']}" for i, q in enumerate(ctx.captured_queries, 1))
        raise AssertionError(
            f"{label or 'block'} ran {executed} queries, expected {expected}:\n{listing}"
        )
