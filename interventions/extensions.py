"""Everything the intervention line adds to the spine (continuum.extensions), imported
once from `InterventionsConfig.ready()`: its notification kinds, its timeline entries
(requests, then every recorded step of the intervention, read from the audit trail),
its meetings in the personal calendar feeds (for the interventionist and participants
with a portal login; summaries stay generic), its handoff, its dashboard board and My
work section, its client-record tab, its menu entries and the family's sections of the
portal home (portal_views)."""

from datetime import timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from continuum.audit.selectors import audit_events_for_client
from continuum.care import actions, cohorts, timeline, work
from continuum.care.handoffs import registry as handoff_registry
from continuum.care.models import Phase
from continuum.care.timeline import QuerySetSource, TimelineEntry
from continuum.consent import descriptions
from continuum.notifications import calendar, kinds
from continuum.notifications.calendar import CalendarItem
from continuum.tenancy import areas, navigation, portal
from continuum.tenancy import dashboard as staff_dashboard
from continuum.tenancy.dashboard import DashboardCard
from continuum.tenancy.models import Role
from continuum.tenancy.navigation import NavEntry

from . import dashboard, handoffs, portal_views, selectors
from .models import (
    OUTCOME_DISCLOSURE,
    EducationSession,
    Intervention,
    InterventionRequest,
    outcome_disclosure_description,
)

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
    "intervention.rsvp": "A participant answered for the day",
    "intervention.meeting_answered": "A participant answered a meeting invitation",
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

    rows = InterventionRequest.objects.filter(organization=organization, client=client)
    return QuerySetSource(rows, entry, newest="submitted_at")


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


def _family_meeting(uid: str, start, location: str = "") -> CalendarItem:
    # Feeds leave the site: the summary says what kind of meeting, never whose.
    return CalendarItem(
        uid=uid, start=start, end=start + LENGTH, summary="Family meeting", location=location
    )


def _theirs(user, via: str = "") -> Q:
    """The interventions `user` leads or takes part in (reached through `via`)."""
    return Q(**{f"{via}interventionist__user": user}) | Q(
        **{f"{via}participants__family_member__portal_user": user}
    )


def intervention_items(*, organization, user):
    interventions = Intervention.objects.filter(
        organization=organization, scheduled_at__isnull=False, outcome=""
    )
    for intervention in interventions.filter(_theirs(user)).distinct():
        yield _family_meeting(
            f"intervention-{intervention.public_id}",
            intervention.scheduled_at,
            intervention.location,
        )
    sessions = EducationSession.objects.filter(organization=organization)
    for session in sessions.filter(_theirs(user, via="intervention__")).distinct():
        yield _family_meeting(f"intervention-session-{session.public_id}", session.starts_at)


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
# The family's home: where things stand first, then what to answer, then the rest.
for key, template, context, position in (
    ("interventions_status", "status", portal_views.status_section, 100),
    ("interventions_next", "next_meeting", portal_views.next_meeting_section, 110),
    ("interventions_response_plan", "response_plan", portal_views.response_plan_section, 120),
    ("interventions_letter", "letter", portal_views.letter_section, 200),
    ("interventions_request", "request", portal_views.request_section, 350),
    ("interventions_checkin", "checkin", portal_views.checkin_section, 400),
    ("interventions_resources", "resources", portal_views.resources_section, 450),
):
    portal.register(
        portal.PortalSection(
            key, f"interventions/portal_home/{template}.html", FAMILY, context, position
        )
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
cohorts.register(
    cohorts.CohortLine(
        "interventions", _("Interventions"), figures=selectors.cohort_figures, position=10
    )
)

descriptions.register(OUTCOME_DISCLOSURE, outcome_disclosure_description)
