"""Dates in messages, written in the recipient's language.

A notification's context is JSON, so services store times as ISO strings; the message
templates format them when they render, inside the recipient's language
(continuum.notifications.services.recipient_language) and the organization's time zone."""

import zoneinfo
from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format

register = template.Library()


def _zone(context):
    organization = context.get("organization")
    try:
        return zoneinfo.ZoneInfo(getattr(organization, "timezone", "") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


@register.simple_tag(takes_context=True)
def message_when(context, value) -> str:
    """`{% message_when when %}`: an ISO date or date-time as the recipient reads dates;
    any other text (messages queued before dates were stored as ISO) unchanged."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value, _zone(context))
        return date_format(value, "DATETIME_FORMAT")
    if isinstance(value, date):
        return date_format(value, "DATE_FORMAT")
    return "" if value is None else str(value)
