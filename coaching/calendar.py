"""High-risk days on the coach's calendar feed. Summaries leave the site, so they say
"Extra support day", never what or whose."""

from datetime import timedelta

from continuum.notifications.calendar import CalendarItem

from .models import OPEN_ENGAGEMENT_STATUSES, HighRiskEvent


def high_risk_days(*, organization, user):
    events = HighRiskEvent.objects.filter(
        organization=organization,
        engagement__coach__user=user,
        engagement__status__in=OPEN_ENGAGEMENT_STATUSES,
    ).only("public_id", "starts_at")
    for event in events:
        yield CalendarItem(
            uid=f"coaching-event-{event.public_id}",
            start=event.starts_at,
            end=event.starts_at + timedelta(hours=2),
            summary="Extra support day",
        )
