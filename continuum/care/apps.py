from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "continuum.care"
    label = "care"
    verbose_name = "Care episodes"

    def ready(self) -> None:
        from . import extensions  # noqa: F401  (the care spine's own registrations)
