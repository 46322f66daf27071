from django.apps import AppConfig


class AlumniConfig(AppConfig):
    name = "alumni"
    verbose_name = "Alumni"

    def ready(self) -> None:
        from . import extensions  # noqa: F401  (everything this line adds to the spine)
