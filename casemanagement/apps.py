from django.apps import AppConfig


class CasemanagementConfig(AppConfig):
    name = "casemanagement"
    verbose_name = "Case management"

    def ready(self) -> None:
        from . import extensions  # noqa: F401  (everything this line adds to the spine)
