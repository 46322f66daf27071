from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "continuum.notifications"
    label = "notifications"
    verbose_name = "Notifications"
