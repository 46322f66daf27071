from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "continuum.operations"
    label = "operations"
    verbose_name = "Operations"

    def ready(self) -> None:
        from . import extensions  # noqa: F401  (menu entry)
