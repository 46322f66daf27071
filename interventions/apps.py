from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterventionsConfig(AppConfig):
    name = "interventions"
    verbose_name = "Interventions"

    def ready(self) -> None:
        from continuum.care import timeline
        from continuum.notifications import calendar, kinds

        from . import calendars, timelines

        for name, label in (
            ("interventions_request_received", _("Confirmation of your request for help")),
            ("interventions_request_update", _("News about your request for help")),
            ("interventions_request_urgent", _("Urgent intervention requests")),
            ("interventions_request_overdue", _("Intervention requests waiting too long")),
            ("interventions_portal_invite", _("Invitations to an intervention team")),
            ("interventions_reminder", _("Intervention meeting reminders")),
            ("interventions_letter_submitted", _("Letters submitted for review")),
            ("interventions_letter_reviewed", _("Reviews of your letter")),
            ("interventions_response_plan", _("Your family's response plan")),
            ("interventions_follow_up", _("Family follow-up check-ins")),
        ):
            kinds.register(name, label, crisis_line=name == "interventions_request_received")
        timeline.register(timelines.requests_provider)
        timeline.register(timelines.interventions_provider)
        calendar.register(calendars.intervention_items)
