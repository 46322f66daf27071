from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "continuum.tenancy"
    label = "tenancy"
    verbose_name = "Organizations"

    def ready(self) -> None:
        from continuum.notifications import kinds

        from . import letters

        kinds.register_letter(letters.INVITATION, letters.invitation)
