"""Querysets built and compiled once per process, then run with each request's values.

Building a filtered, annotated queryset and compiling it to SQL costs a list page more
Python time than PostgreSQL takes to run it. A `CompiledQuery` builds its queryset once
per shape (the parts of the query that change its SQL: which visibility rule, which
filters), with stand-in values that no real value takes, and remembers where each stand-in
landed among the statement's parameters; later calls put their own values there.

Only values that reach the statement unchanged may be stand-ins (ids, dates, moments,
strings compared as they are); a value the ORM rewrites (`icontains` wraps it in `%`)
is not found among the parameters and the compilation is refused: such a shape stays
with the ORM."""

import threading
from collections.abc import Callable

from django.db import connection
from django.db.models import QuerySet
from django_scopes import get_scope, scope


class CompiledQuery:
    """`build(shape, **values)` returns the queryset; each keyword of `stand_ins` names a
    value and gives two stand-ins for it, of its type, that no real value takes. One of
    them is `organization`, the id of the organization the statement reads."""

    def __init__(self, build: Callable[..., QuerySet], **stand_ins: tuple):
        self.build = build
        self.stand_ins = stand_ins
        self._compiled: dict = {}
        self._lock = threading.Lock()

    def statement(self, shape: tuple, **values) -> tuple[str, list]:
        """The SQL of `build(shape, **values)` and its parameters for `values`."""
        compiled = self._compiled.get(shape)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(shape) or self._compile(shape)
                self._compiled[shape] = compiled
        sql, params = compiled
        return sql, [values[p.name] if isinstance(p, _Slot) else p for p in params]

    def _compile(self, shape: tuple) -> tuple[str, list]:
        """Compiled twice, with either stand-in of each value: a parameter that differs
        between the two must be a stand-in found where it was put, or the ORM rewrote a
        value on the way and the shape cannot be compiled once."""
        first = {name: pair[0] for name, pair in self.stand_ins.items()}
        second = {name: pair[1] for name, pair in self.stand_ins.items()}
        # The scoped managers add the scope's organization to every table they read: built
        # in the stand-in's scope, it becomes a parameter like the others.
        with scope(organization=first["organization"]):
            sql, params = self.build(shape, **first).query.sql_with_params()
        with scope(organization=second["organization"]):
            sql_again, params_again = self.build(shape, **second).query.sql_with_params()
        if sql != sql_again or len(params) != len(params_again):
            raise ValueError(f"shape {shape!r} compiles to different SQL for other values")
        slots = []
        for param, param_again in zip(params, params_again, strict=True):
            name = _stand_in_name(param, first)
            if name is not None and _same(param_again, second[name]):
                slots.append(_Slot(name))
            elif _same(param, param_again):
                slots.append(param)
            else:
                raise ValueError(f"shape {shape!r}: a value reaches the SQL rewritten")
        return sql, slots

    def rows(self, shape: tuple, *, offset: int = 0, stop: int | None = None, **values):
        """The statement's rows as dicts, from `offset` up to `stop` (a slice's bounds)."""
        _require_scope(values["organization"])
        sql, params = self.statement(shape, **values)
        sql = f"{sql} LIMIT {'ALL' if stop is None else int(stop) - int(offset)}"
        sql = f"{sql} OFFSET {int(offset)}"
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            names = [column.name for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def count(self, shape: tuple, **values) -> int:
        _require_scope(values["organization"])
        sql, params = self.statement(shape, **values)
        with connection.cursor() as cursor:
            # `sql` is the ORM's compiled statement, its values all parameters.
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS counted", params)  # noqa: S608
            return cursor.fetchone()[0]


def _same(a, b) -> bool:
    return type(a) is type(b) and a == b


def _stand_in_name(param, stand_ins: dict) -> str | None:
    return next((name for name, value in stand_ins.items() if _same(param, value)), None)


class _Slot:
    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name


def _require_scope(organization) -> None:
    """The scoped managers refuse a tenant query outside an organization scope and read
    only the organization in scope; a compiled statement skips the manager, so it refuses
    the same way itself, and refuses an organization other than the one in scope."""
    from django_scopes.exceptions import ScopeError

    current = get_scope()
    if not current.get("_enabled", True):
        return
    in_scope = current.get("organization")
    in_scope = getattr(in_scope, "pk", in_scope)
    if in_scope is None or int(in_scope) != int(organization):
        raise ScopeError("A compiled tenant query runs in its own organization's scope only.")
