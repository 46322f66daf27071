from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "coaching"
    verbose_name = "Sober coaching"

    def ready(self) -> None:
        from . import extensions  # noqa: F401  (everything this line adds to the spine)
