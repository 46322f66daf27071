from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasemanagementConfig(AppConfig):
    name = "casemanagement"
    verbose_name = "Case management"

    def ready(self) -> None:
        from continuum.care import timeline
        from continuum.notifications import calendar, kinds

        from . import feeds

        kinds.register("appointment_reminder", _("Appointment reminders"))
        kinds.register("refill_reminder", _("Medication refill reminders"))
        kinds.register("assessment_reminder", _("Questionnaire reminders"))
        kinds.register("safety_alert", _("Urgent safety alerts"))
        calendar.register(feeds.appointments_calendar)
        for provider in feeds.TIMELINE_PROVIDERS:
            timeline.register(provider)
