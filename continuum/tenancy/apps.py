from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "continuum.tenancy"
    label = "tenancy"
    verbose_name = "Organizations"

    def ready(self) -> None:
        from . import extensions  # noqa: F401  (menu entries)
