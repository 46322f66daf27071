"""Everything follow-up after discharge adds to the spine (continuum.extensions),
imported once from `OutcomesConfig.ready()`: its URLs, the aftercare handoff, the survey
letter and portal notification, timeline entries, the portal home section, the client
record's button and the settings menu entry."""

from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from continuum.care import actions, measures, timeline
from continuum.care.handoffs import registry as handoff_registry
from continuum.care.models import Phase
from continuum.care.timeline import QuerySetSource, TimelineEntry
from continuum.notifications import kinds
from continuum.people.selectors import client_for_portal_request
from continuum.tenancy import areas, navigation, portal
from continuum.tenancy.models import Role
from continuum.tenancy.navigation import NavEntry

from . import handoffs, letters, selectors
from .models import FollowUp, FollowUpStatus

STAFF = frozenset({Role.CASE_MANAGER, Role.SOBER_COACH, Role.ORG_ADMIN, Role.INTAKE_COORDINATOR})


def follow_ups_provider(client, organization):
    """Answered follow-ups (with the BARC-10 total and how they were answered) and the
    ones that went unanswered."""
    url = reverse(
        "staff:outcomes_client", kwargs={"org": organization.slug, "client_id": client.public_id}
    )

    def to_entry(f):
        if f.status == FollowUpStatus.COMPLETED:
            return TimelineEntry(
                time=f.happened_at,
                kind="follow_up",
                title=f"{f.offset_days}-day follow-up answered",
                detail=f"BARC-10 {f.barc10_total} of 60 · {f.get_method_display()}",
                url=url,
            )
        return TimelineEntry(
            time=f.happened_at,
            kind="follow_up",
            title=f"{f.offset_days}-day follow-up not reached",
            detail="No answer by link or portal; a call is on the care team's tasks",
            url=url,
        )

    rows = FollowUp.objects.filter(
        organization=organization,
        client=client,
        status__in=[FollowUpStatus.COMPLETED, FollowUpStatus.UNREACHED],
    )
    # One time field orders the source: an answer's moment, or the link's close.
    rows = rows.annotate(happened_at=Coalesce("completed_at", "expires_at"))
    return QuerySetSource(rows, to_entry, newest="happened_at")


def barc10_points(client, since):
    return [
        measures.MeasurePoint(timezone.localtime(f.completed_at).date(), f.barc10_total)
        for f in selectors.barc10_series(client=client)
        if timezone.localtime(f.completed_at).date() >= since
    ]


def portal_follow_up_section(request):
    follow_up = selectors.open_follow_up_for(client=client_for_portal_request(request))
    if follow_up is None:
        return None
    return {
        "follow_up": follow_up,
        "expires": timezone.localtime(follow_up.expires_at),
        "organization": request.organization,
    }


# --- registrations ------------------------------------------------------------------------

areas.register("outcomes.urls")
handoff_registry.on_enter(Phase.AFTERCARE, name="outcomes.enroll_follow_up")(
    handoffs.enroll_follow_up
)
kinds.register("follow_up_survey", _("Follow-up questions after treatment"))
kinds.register_letter(letters.LETTER, letters.survey)
timeline.register(follow_ups_provider)
measures.register(measures.Measure("barc10", "BARC-10", 10, 60, barc10_points))
actions.register(actions.ClientAction("Follow-up", "staff:outcomes_client", STAFF))
portal.register(
    portal.PortalSection(
        "outcomes.follow_up",
        "outcomes/portal_home_section.html",
        frozenset({Role.CLIENT}),
        context=portal_follow_up_section,
        position=100,
    )
)
navigation.register_all(
    NavEntry(
        "staff", "Follow-up settings", "staff:outcomes_settings", frozenset({Role.ORG_ADMIN}), 35
    ),
    NavEntry(
        "staff", "What the center learns", "staff:outcomes_cohort", frozenset({Role.ORG_ADMIN}), 36
    ),
    NavEntry(
        "portal",
        _("Follow-up contact"),
        "portal:outcomes_portal_agreement",
        frozenset({Role.CLIENT}),
        900,
    ),
)
