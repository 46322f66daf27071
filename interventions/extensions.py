"""Everything the intervention line adds to the spine (continuum.extensions), imported
once from `InterventionsConfig.ready()`: its notification kinds, its timeline entries
(requests, then every recorded step of the intervention, read from the audit trail),
its meetings in the personal calendar feeds (for the interventionist and participants
with a portal login; summaries stay generic), its handoff, its dashboard board and My work section, and its menu entries."""

from datetime import timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from continuum.audit.selectors import audit_events_for_client
from continuum.care import actions, timeline, work
from continuum.care.handoffs import registry as handoff_registry
from continuum.care.models import Phase
from continuum.care.timeline import QuerySetSource, TimelineEntry
from continuum.notifications import calendar, kinds
from continuum.notifications.calendar import CalendarItem
from continuum.tenancy import areas, navigation
from continuum.tenancy import dashboard as staff_dashboard
from continuum.tenancy.dashboard import DashboardCard
from continuum.tenancy.models import Role
from continuum.tenancy.navigation import NavEntry

from . import dashboard, handoffs
from .models import EducationSession, Intervention, InterventionRequest

INTERVENTION_TEAM = frozenset({Role.ORG_ADMIN, Role.INTAKE_COORDINATOR, Role.INTERVENTIONIST})
FAMILY = frozenset({Role.FAMILY_MEMBER})

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


LENGTH = timedelta(hours=2)


def intervention_items(*, organization, user):
    mine = Q(interventionist__user=user) | Q(participants__family_member__portal_user=user)
    interventions = (
        Intervention.objects.filter(
            organization=organization, scheduled_at__isnull=False, outcome=""
        )
        .filter(mine)
        .distinct()
    )
    for intervention in interventions:
        yield CalendarItem(
            uid=f"intervention-{intervention.public_id}",
            start=intervention.scheduled_at,
            end=intervention.scheduled_at + LENGTH,
            summary="Family meeting",
            location=intervention.location,
        )
    sessions = (
        EducationSession.objects.filter(organization=organization)
        .filter(
            Q(intervention__interventionist__user=user)
            | Q(intervention__participants__family_member__portal_user=user)
        )
        .distinct()
    )
    for session in sessions:
        yield CalendarItem(
            uid=f"intervention-session-{session.public_id}",
            start=session.starts_at,
            end=session.starts_at + LENGTH,
            summary="Family meeting",
        )


# --- registrations ------------------------------------------------------------------------

areas.register("interventions.urls")

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
timeline.register_all(requests_provider, interventions_provider)
calendar.register(intervention_items)
handoff_registry.on_enter(Phase.RESIDENTIAL, name="interventions.admission_handoff")(
    handoffs.admission_handoff
)
navigation.register_all(
    NavEntry("staff", "Interventions", "staff:intervention_requests", INTERVENTION_TEAM, 300),
    NavEntry("portal", _("Our intervention"), "portal:interventions", FAMILY, 300),
)
staff_dashboard.register(
    DashboardCard("interventions.pipeline", INTERVENTION_TEAM, dashboard.pipeline_card, 35)
)
work.register(
    DashboardCard(
        "interventions.assigned", frozenset({Role.INTERVENTIONIST}), dashboard.interventions_work
    )
)
areas.register("interventions.record")
actions.CLIENT_TABS.register(
    actions.ClientTab("Intervention", "staff:intervention_client", INTERVENTION_TEAM, 30)
)
