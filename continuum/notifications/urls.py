from django.urls import path

from . import api, views


def _area_patterns() -> list:
    # The same pages serve staff and portal; each area gets its own copies of the routes.
    return [
        path("inbox/", views.inbox, name="notification_inbox"),
        path("inbox/badge/", views.inbox_badge, name="notification_badge"),
        path("inbox/read-all/", views.notification_read_all, name="notification_read_all"),
        path(
            "inbox/<uuid:notification_id>/read/",
            views.notification_read,
            name="notification_read",
        ),
        path("preferences/notifications/", views.preferences, name="notification_preferences"),
        path("calendar-link/", views.calendar_link, name="calendar_link"),
        path("calendar-link/rotate/", views.calendar_link_rotate, name="calendar_link_rotate"),
        path("calendar-link/revoke/", views.calendar_link_revoke, name="calendar_link_revoke"),
    ]


public_urlpatterns = [
    path("calendar/<str:feed_token>.ics", views.calendar_feed_ics, name="calendar_feed_ics"),
]

staff_urlpatterns = _area_patterns()
portal_urlpatterns = _area_patterns()

api_urlpatterns = [
    path("notifications/", api.NotificationListView.as_view(), name="notification_list"),
    path(
        "notifications/read-all/",
        api.NotificationReadAllView.as_view(),
        name="notification_read_all",
    ),
    path(
        "notifications/<uuid:notification_id>/read/",
        api.NotificationReadView.as_view(),
        name="notification_read",
    ),
    path(
        "notification-preferences/",
        api.NotificationPreferenceView.as_view(),
        name="notification_preferences",
    ),
]
