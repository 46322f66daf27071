from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CareConfig(AppConfig):
    name = "continuum.care"
    label = "care"
    verbose_name = "Care episodes"

    def ready(self) -> None:
        from . import timeline

        # Every installed app's handoffs.py declares its handoffs into the registry.
        autodiscover_modules("handoffs")
        timeline.register_builtin_providers()
