from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "continuum.consent"
    label = "consent"
    verbose_name = "Consent (42 CFR Part 2)"

    def ready(self) -> None:
        from . import extensions  # noqa: F401  (menu entries)
