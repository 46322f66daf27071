from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasemanagementConfig(AppConfig):
    name = "casemanagement"
    verbose_name = "Case management"

    def ready(self) -> None:
        from continuum.care import safety, timeline
        from continuum.notifications import calendar, kinds
        from continuum.tenancy.models import Role

        from . import feeds

        kinds.register("appointment_reminder", _("Appointment reminders"))
        kinds.register("refill_reminder", _("Medication refill reminders"))
        kinds.register("assessment_reminder", _("Questionnaire reminders"))
        safety.register("phq9_item9", "PHQ-9 item 9 above 0", line=Role.CASE_MANAGER)
        calendar.register(feeds.appointments_calendar)
        for provider in feeds.TIMELINE_PROVIDERS:
            timeline.register(provider)
