"""The intervention steps on the client's timeline: requests, then every recorded
step of the intervention (read from the audit trail of the intervention)."""

from django.urls import reverse

from continuum.audit.selectors import audit_events_for_client
from continuum.care.timeline import QuerySetSource, TimelineEntry

from .models import InterventionRequest

STEP_TITLES = {
    "intervention.created": "Intervention planning began",
    "intervention.intake_updated": "Family intake recorded",
    "intervention.plan_updated": "Intervention plan updated",
    "intervention.treatment_updated": "Treatment arrangements updated",
    "intervention.transport_updated": "Transport arrangements updated",
    "intervention.agenda_set": "Agenda for the day set",
    "intervention.participant_added": "Participant added",
    "intervention.participant_invited": "Participant invited to the family portal",
    "intervention.session_scheduled": "Family meeting scheduled",
    "intervention.attendance_recorded": "Meeting attendance recorded",
    "intervention.outcome_accepted": "Intervention held: accepted treatment",
    "intervention.outcome_declined": "Intervention held: declined",
    "intervention.outcome_postponed": "Intervention postponed",
    "intervention.planning_resumed": "Returned to planning",
    "intervention.response_plan_saved": "Family response plan saved",
    "intervention.wellbeing_recorded": "Family wellbeing check-in",
    "intervention_request.contacted": "First contact with the family",
    "intervention_request.accepted": "Request accepted",
    "intervention_request.referred": "Request referred elsewhere",
    "intervention_request.closed": "Request closed",
    "intervention_request.merged": "Family sent the request again",
}


def requests_provider(client, organization):
    def entry(request):
        detail = (
            "Urgent: danger signs reported" if request.is_urgent else request.get_urgency_display()
        )
        url = reverse(
            "staff:intervention_request_detail",
            kwargs={"org": organization.slug, "request_id": request.public_id},
        )
        return TimelineEntry(
            time=request.submitted_at,
            kind="intervention",
            title="Family asked for an intervention",
            detail=detail,
            url=url,
        )

    queryset = InterventionRequest.objects.filter(
        organization=organization, client=client
    ).order_by("-submitted_at", "-pk")
    return QuerySetSource(queryset, entry)


def interventions_provider(client, organization):
    def entry(event):
        who = event.actor.get_full_name() if event.actor_id else "Family"
        return TimelineEntry(
            time=event.at,
            kind="intervention",
            title=STEP_TITLES.get(event.action, event.action),
            detail=who,
        )

    queryset = audit_events_for_client(
        organization=organization, client_id=client.public_id, actions=STEP_TITLES
    )
    return QuerySetSource(queryset, entry)
