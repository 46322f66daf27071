from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from django.db.models import QuerySet

from continuum.tenancy.models import Organization

from .models import AuditEvent


@dataclass(frozen=True)
class AuditFilters:
    """The filters an org admin can apply to the trail. Dates are whole UTC days, both
    ends included."""

    actor_id: UUID | None = None
    client_id: UUID | None = None
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def audit_event_list(
    *, organization: Organization, filters: AuditFilters | None = None
) -> QuerySet[AuditEvent]:
    """The organization's trail, newest first, filtered. `action` matches a whole action
    ("consent.revoked") or a prefix ending in a dot ("consent.")."""
    filters = filters or AuditFilters()
    events = AuditEvent.objects.filter(organization=organization).select_related("actor")
    if filters.actor_id:
        events = events.filter(actor__public_id=filters.actor_id)
    if filters.client_id:
        events = events.filter(client_id=filters.client_id)
    if filters.action:
        if filters.action.endswith("."):
            events = events.filter(action__startswith=filters.action)
        else:
            events = events.filter(action=filters.action)
    if filters.date_from:
        events = events.filter(at__gte=_day_start(filters.date_from))
    if filters.date_to:
        events = events.filter(at__lt=_day_start(filters.date_to + timedelta(days=1)))
    return events.order_by("-at", "-id")


def audit_events_for_client(
    *, organization: Organization, client_id, actions
) -> QuerySet[AuditEvent]:
    """The client's events of the given actions, newest first: the steps an app shows on
    the client's timeline from its own audit trail."""
    return (
        AuditEvent.objects.filter(
            organization=organization, client_id=client_id, action__in=list(actions)
        )
        .select_related("actor")
        .order_by("-at", "-id")
    )
