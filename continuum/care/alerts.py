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


def safety_events_provider(membership) -> list[dict]:
    """Safety events waiting for this member's acknowledgement: the top of My work."""
    from django.urls import reverse

    from . import safety
    from .selectors import safety_events_waiting_for

    found = []
    for event in safety_events_waiting_for(membership=membership)[:20]:
        kind = safety.KINDS.get(event.latest_kind)
        found.append(
            {
                "title": f"Same-day call: {event.client.display_name}",
                "detail": (kind.label if kind else event.latest_kind)
                + (f" · {event.count} today" if event.count > 1 else "")
                + " · acknowledge it",
                "url": reverse(
                    "staff:safety_event",
                    kwargs={
                        "org": membership.organization.slug,
                        "safety_event_id": event.public_id,
                    },
                ),
                "level": "danger",
            }
        )
    return found
