from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoachingConfig(AppConfig):
    name = "coaching"
    verbose_name = "Sober coaching"

    def ready(self) -> None:
        from continuum.care import timeline
        from continuum.notifications import calendar, kinds

        from . import calendar as coaching_calendar
        from . import timeline as coaching_timeline

        for provider in coaching_timeline.PROVIDERS:
            timeline.register(provider)
        calendar.register(coaching_calendar.high_risk_days)
        kinds.register("coaching_alert", _("Coaching alerts"))
        kinds.register("coaching_reminder", _("Coaching reminders for high-risk days"))
