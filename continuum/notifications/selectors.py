from django.db.models import QuerySet
from django.http import Http404

from .models import CalendarFeed, Notification, NotificationPreference
from .services import hash_token


def notification_inbox_for(*, organization, user, unread_only: bool = False) -> QuerySet:
    """The user's in-app notifications in this organization, newest first."""
    notifications = Notification.objects.filter(
        organization=organization, recipient=user, in_app_delivered_at__isnull=False
    )
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-in_app_delivered_at", "-id")


def notification_get_for(*, organization, user, notification_id) -> Notification:
    """One of the user's own inbox notifications; anyone else's is 'not found'."""
    try:
        return notification_inbox_for(organization=organization, user=user).get(
            public_id=notification_id
        )
    except Notification.DoesNotExist:
        raise Http404("No such notification.") from None


def notification_unread_count(*, organization, user) -> int:
    return notification_inbox_for(organization=organization, user=user, unread_only=True).count()


def preferences_get(*, organization, user) -> NotificationPreference:
    """The user's saved preferences, or unsaved defaults."""
    preference = NotificationPreference.objects.filter(organization=organization, user=user).first()
    return preference or NotificationPreference(organization=organization, user=user)


def calendar_feed_live_for(*, organization, user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(
        organization=organization, user=user, revoked_at__isnull=True
    ).first()


def calendar_feed_by_token(*, organization, token: str) -> CalendarFeed | None:
    """The live feed for this token with its user, or None for unknown and revoked ones."""
    return (
        CalendarFeed.objects.filter(
            organization=organization,
            token_hash=hash_token(token),
            revoked_at__isnull=True,
            user__is_active=True,
        )
        .select_related("user", "membership")
        .first()
    )


def sms_number_for(*, organization, user) -> str:
    """The mobile number the user gave for text messages here, or ""."""
    return (
        NotificationPreference.objects.filter(organization=organization, user=user)
        .values_list("sms_number", flat=True)
        .first()
        or ""
    )
