"""Personal calendar feeds. Apps contribute scheduled items through a registry, from
their `extensions.py` (continuum.extensions):

    from continuum.notifications import calendar

    @calendar.register
    def appointments(*, organization, user):
        for appointment in ...:
            yield calendar.CalendarItem(uid=..., start=..., end=..., summary="Appointment")

A provider is called inside the organization's scope and yields the items of `user`.
Summaries and locations go to third-party calendar apps: never put clinical details in
them ("Appointment", not the reason for it). The feed is rendered per RFC 5545."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.conf import settings

from continuum.extensions import Registry


@dataclass(frozen=True)
class CalendarItem:
    uid: str
    start: datetime | date
    end: datetime | date
    summary: str
    location: str = ""
    url: str = ""


Provider = Callable[..., Iterable[CalendarItem]]
PROVIDERS: Registry[Provider] = Registry(
    "calendar", holds="provider(*, organization, user) -> CalendarItems"
)
register = PROVIDERS.register
unregister = PROVIDERS.unregister


def items_for(*, organization, user) -> list[CalendarItem]:
    items: list[CalendarItem] = []
    for provider in PROVIDERS:
        items.extend(provider(organization=organization, user=user))
    return sorted(items, key=lambda i: (_sort_key(i.start), i.uid))


def _sort_key(value: datetime | date) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


# --- RFC 5545 ---------------------------------------------------------------------------


def escape_text(value: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character (3.1)."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = b""
    limit = 75
    for char in line:
        piece = char.encode()
        if len(current) + len(piece) > limit:
            parts.append(current.decode())
            current = b""
            limit = 74  # continuation lines start with one space
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _datetime_value(name: str, value: datetime | date) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"{name} must be timezone-aware.")
        return f"{name}:{value.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    return f"{name};VALUE=DATE:{value:%Y%m%d}"


def render_ics(*, items: Iterable[CalendarItem], name: str, now: datetime) -> str:
    domain = getattr(settings, "CALENDAR_UID_DOMAIN", "continuum")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Continuum//Care calendar//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    stamp = f"{now.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    for item in items:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{escape_text(item.uid if '@' in item.uid else f'{item.uid}@{domain}')}",
            f"DTSTAMP:{stamp}",
            _datetime_value("DTSTART", item.start),
            _datetime_value("DTEND", item.end),
            f"SUMMARY:{escape_text(item.summary)}",
        ]
        if item.location:
            lines.append(f"LOCATION:{escape_text(item.location)}")
        if item.url:
            lines.append(f"URL:{item.url}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
