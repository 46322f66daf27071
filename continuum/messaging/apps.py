from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "continuum.messaging"
    label = "messaging"
    verbose_name = "Secure messaging"

    def ready(self) -> None:
        from . import extensions  # noqa: F401  (messaging's registrations)
