from django.apps import AppConfig


class InterventionsConfig(AppConfig):
    name = "interventions"
    verbose_name = "Interventions"

    def ready(self) -> None:
        from continuum.care import timeline
        from continuum.notifications import calendar, kinds

        from . import calendars, timelines

        for name, label in (
            ("interventions_request_received", "Confirmation of your request for help"),
            ("interventions_request_update", "News about your request for help"),
            ("interventions_request_urgent", "Urgent intervention requests"),
            ("interventions_request_overdue", "Intervention requests waiting too long"),
            ("interventions_portal_invite", "Invitations to an intervention team"),
            ("interventions_reminder", "Intervention meeting reminders"),
            ("interventions_letter_submitted", "Letters submitted for review"),
            ("interventions_letter_reviewed", "Reviews of your letter"),
            ("interventions_response_plan", "Your family's response plan"),
            ("interventions_follow_up", "Family follow-up check-ins"),
        ):
            kinds.register(name, label)
        timeline.register(timelines.requests_provider)
        timeline.register(timelines.interventions_provider)
        calendar.register(calendars.intervention_items)
