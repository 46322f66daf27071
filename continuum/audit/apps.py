from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "continuum.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from . import extensions, receivers  # noqa: F401
