"""Route tables: one line a URL.

Every area's URLs are flat `path()` patterns (the tenant middleware and the isolation
matrix read them one by one), and most share an address with their neighbours: an
entity's page and the actions on it. `routes()` writes them as a table, a row per URL,
under the entity's address."""

from django.urls import path


def routes(*rows, prefix: str = "") -> list:
    """A pattern per row, `(route, view, name)` or `(route, view, name, extra_kwargs)`,
    each route under `prefix`."""
    return [
        path(prefix + route, view, extra[0] if extra else None, name=name)
        for route, view, name, *extra in rows
    ]
