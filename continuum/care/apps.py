from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CareConfig(AppConfig):
    name = "continuum.care"
    label = "care"
    verbose_name = "Care episodes"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from continuum.notifications import kinds

        from . import alerts, safety, timeline
        from .timeline import safety_timeline_provider

        # Every installed app's handoffs.py declares its handoffs into the registry.
        autodiscover_modules("handoffs")
        timeline.register_builtin_providers()
        # Safety messages go on every channel the person can receive whatever their
        # preferences (care.services.safety_events._tell); the kind is listed so they know it exists.
        kinds.register(
            safety.NOTIFICATION_KIND,
            _("Safety events: a client needs a same-day call"),
            outbound_line=_("A client on your caseload needs a same-day call."),
        )
        timeline.register(safety_timeline_provider)
        alerts.register(alerts.safety_events_provider)
