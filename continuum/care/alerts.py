"""Alerts shown at the top of "My work". Apps register a provider at start-up:
`provider(membership)` returns a list of dicts with `title`, `detail`, `url` and
`level` ("info", "warning" or "danger")."""

from collections.abc import Callable

_providers: list[Callable] = []


def register(provider: Callable) -> Callable:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def unregister(provider: Callable) -> None:
    if provider in _providers:
        _providers.remove(provider)


def alerts_for(*, membership) -> list[dict]:
    found: list[dict] = []
    for provider in _providers:
        found.extend(provider(membership))
    return found
