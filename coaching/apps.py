from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoachingConfig(AppConfig):
    name = "coaching"
    verbose_name = "Sober coaching"

    def ready(self) -> None:
        from continuum.care import safety, timeline
        from continuum.notifications import calendar, kinds
        from continuum.tenancy.models import Role

        from . import calendar as coaching_calendar
        from . import services
        from . import timeline as coaching_timeline

        for provider in coaching_timeline.PROVIDERS:
            timeline.register(provider)
        calendar.register(coaching_calendar.high_risk_days)
        kinds.register("coaching_alert", _("Coaching alerts"))
        kinds.register("coaching_reminder", _("Coaching reminders for high-risk days"))
        for name, label in (
            ("help_now", "Asked for help now"),
            ("reported_use", "Reported use"),
            ("craving", "Craving at or above the plan's threshold"),
            ("missed_checkins", "Missed check-ins (marked urgent)"),
            ("high_risk_day", "A high-risk day within 24 hours"),
        ):
            safety.register(name, label, line=Role.SOBER_COACH)
        safety.register_availability(services.coach_available)
