from continuum.routing import routes

from . import api, views


def _area_patterns() -> list:
    # The same pages serve staff and portal; each area gets its own copies of the routes.
    return routes(
        ("inbox/", views.inbox, "notification_inbox"),
        ("inbox/badge/", views.inbox_badge, "notification_badge"),
        ("inbox/read-all/", views.notification_read_all, "notification_read_all"),
        ("inbox/<uuid:notification_id>/read/", views.notification_read, "notification_read"),
        ("preferences/notifications/", views.preferences, "notification_preferences"),
        ("calendar-link/", views.calendar_link, "calendar_link"),
        ("calendar-link/rotate/", views.calendar_link_rotate, "calendar_link_rotate"),
        ("calendar-link/revoke/", views.calendar_link_revoke, "calendar_link_revoke"),
    )


public_urlpatterns = routes(
    ("calendar/<str:feed_token>.ics", views.calendar_feed_ics, "calendar_feed_ics"),
)

staff_urlpatterns = _area_patterns()
portal_urlpatterns = _area_patterns()

api_urlpatterns = routes(
    ("", api.NotificationListView.as_view(), "notification_list"),
    ("read-all/", api.NotificationReadAllView.as_view(), "notification_read_all"),
    ("<uuid:notification_id>/read/", api.NotificationReadView.as_view(), "notification_read"),
    prefix="notifications/",
) + routes(
    (
        "notification-preferences/",
        api.NotificationPreferenceView.as_view(),
        "notification_preferences",
    ),
)
