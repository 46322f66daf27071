"""Everything sober coaching adds to the spine (continuum.extensions), imported once
from `CoachingConfig.ready()`: its timeline entries (contacts, check-ins that stand out
— reported use or craving at the threshold — and alerts; one query per slice each), the
high-risk days on the coach's calendar feed (summaries leave the site, so they say
"Extra support day", never what or whose), its notification and safety kinds, when a
coach cannot answer, its handoff, its dashboard cards and My work section, and its menu entries."""

from datetime import timedelta

from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from continuum.care import actions, cohorts, measures, safety, timeline, work
from continuum.care.handoffs import registry as handoff_registry
from continuum.care.models import Phase
from continuum.care.timeline import QuerySetSource, TimelineEntry
from continuum.consent.models import InformationCategory as Category
from continuum.fhir.resources import EXPORT_SECTIONS, ExportSection
from continuum.notifications import calendar, kinds
from continuum.notifications.calendar import CalendarItem
from continuum.tenancy import areas, navigation, portal
from continuum.tenancy import dashboard as staff_dashboard
from continuum.tenancy.dashboard import DashboardCard
from continuum.tenancy.models import Role
from continuum.tenancy.navigation import NavEntry

from . import dashboard, fhir, handoffs, selectors, services
from .models import OPEN_ENGAGEMENT_STATUSES, Alert, CheckIn, Contact, HighRiskEvent

COACHING_STAFF = frozenset({Role.SOBER_COACH, Role.CASE_MANAGER, Role.ORG_ADMIN})


def _url(organization, engagement) -> str:
    return reverse(
        "staff:coaching_engagement",
        kwargs={"org": organization.slug, "engagement_id": engagement.public_id},
    )


def _engagement_source(client, organization, model, kind, fields, *, newest, where=None):
    """The client's `model` rows across their engagements, newest first, each linking to
    its engagement: `fields(row)` gives the entry's time, title and detail."""
    rows = model.objects.filter(where or Q(), organization=organization, engagement__client=client)

    def entry(row):
        return TimelineEntry(kind=kind, url=_url(organization, row.engagement), **fields(row))

    return QuerySetSource(rows.select_related("engagement"), entry, newest=newest)


def contacts_provider(client, organization):
    def fields(contact):
        detail = f"{contact.duration_minutes} min"
        if contact.accompaniment:
            detail += f" · {contact.get_accompaniment_display()}"
        detail += f" · risk: {contact.get_risk_observed_display().lower()}"
        title = f"Coach contact: {contact.get_kind_display()}"
        return {"time": contact.started_at, "title": title, "detail": detail}

    return _engagement_source(
        client, organization, Contact, "coaching_contact", fields, newest="started_at"
    )


def checkin_outliers_provider(client, organization):
    def fields(checkin):
        parts = []
        if not checkin.sober:
            parts.append("reported use")
        if checkin.craving >= checkin.engagement.craving_threshold:
            parts.append(f"craving {checkin.craving}/10")
        return {"time": checkin.created_at, "title": "Check-in: " + ", ".join(parts)}

    stands_out = Q(sober=False) | Q(craving__gte=F("engagement__craving_threshold"))
    return _engagement_source(
        client,
        organization,
        CheckIn,
        "coaching_checkin",
        fields,
        newest="created_at",
        where=stands_out,
    )


def alerts_provider(client, organization):
    def fields(alert):
        detail = alert.get_status_display()
        if alert.escalated_at:
            detail += " · escalated"
        title = f"Coaching alert: {alert.get_cause_display()}"
        return {"time": alert.raised_at, "title": title, "detail": detail}

    return _engagement_source(
        client, organization, Alert, "coaching_alert", fields, newest="raised_at"
    )


PROVIDERS = (contacts_provider, checkin_outliers_provider, alerts_provider)


def high_risk_days(*, organization, user):
    events = HighRiskEvent.objects.filter(
        organization=organization,
        engagement__coach__user=user,
        engagement__status__in=OPEN_ENGAGEMENT_STATUSES,
    ).only("public_id", "starts_at")
    for event in events:
        yield CalendarItem(
            uid=f"coaching-event-{event.public_id}",
            start=event.starts_at,
            end=event.starts_at + timedelta(hours=2),
            summary="Extra support day",
        )


# --- the client's portal home -----------------------------------------------------------


def _portal_engagement(request):
    """The client's open engagement, looked up once for all of coaching's sections."""
    if not hasattr(request, "_coaching_engagement"):
        request._coaching_engagement = selectors.engagement_for_portal(
            membership=request.membership
        )
    return request._coaching_engagement


def checkin_section(request):
    """Today's check-in, done or to do, while the engagement is active."""
    engagement = _portal_engagement(request)
    if engagement is None or engagement.status != "active":
        return None
    today = services.local_now(request.organization).date()
    done = CheckIn.objects.filter(engagement=engagement, day=today).exists()
    return {"checked_in": done}


def help_section(request):
    """Who to call: the coach's number when there is one, always the crisis lines (the
    help-now button itself is on every client page)."""
    engagement = _portal_engagement(request)
    coach, phone = None, ""
    if engagement is not None and engagement.coach_id is not None:
        coach = engagement.coach.user
        profile = engagement.coach.coach_profiles.first()
        phone = profile.phone if profile else ""
    return {"coach": coach, "coach_phone": phone, "engagement": engagement}


# --- registrations ------------------------------------------------------------------------

areas.register("coaching.urls")


def craving_points(client, since):
    rows = CheckIn.objects.filter(
        organization_id=client.organization_id,
        engagement__client=client,
        day__gte=since,
    ).order_by("day", "id")
    return [
        measures.MeasurePoint(day, craving) for day, craving in rows.values_list("day", "craving")
    ]


timeline.register_all(contacts_provider, checkin_outliers_provider, alerts_provider)
measures.register(measures.Measure("craving", "Craving (check-ins)", 0, 10, craving_points))
calendar.register(high_risk_days)
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
handoff_registry.on_enter(Phase.AFTERCARE, name="coaching.propose_engagement")(
    handoffs.propose_engagement
)
navigation.register_all(
    NavEntry("staff", "Coaching", "staff:coaching_dashboard", COACHING_STAFF, 200),
    NavEntry("portal", _("My recovery"), "portal:coaching_home", frozenset({Role.CLIENT}), 200),
)
EXPORT_SECTIONS.register(
    ExportSection("coaching.contacts", Category.ATTENDANCE, fhir.coach_contacts_section)
)
staff_dashboard.register_all(
    DashboardCard("coaching.alerts", COACHING_STAFF, dashboard.alerts_card, 10),
    DashboardCard("coaching.caseload", frozenset({Role.SOBER_COACH}), dashboard.caseload_card, 50),
)
work.register(
    DashboardCard("coaching.engagements", frozenset({Role.SOBER_COACH}), dashboard.engagements_work)
)
actions.CLIENT_TABS.register(
    actions.ClientTab("Coaching", "staff:coaching_client", COACHING_STAFF, 40)
)
PORTAL_CLIENT = frozenset({Role.CLIENT})
portal.PORTAL_HOME.register_all(
    portal.PortalSection(
        "coaching.checkin", "coaching/portal_home_checkin.html", PORTAL_CLIENT, checkin_section, 100
    ),
    portal.PortalSection(
        "coaching.help", "coaching/portal_home_help.html", PORTAL_CLIENT, help_section, 900
    ),
)
cohorts.register(
    cohorts.CohortLine(
        "coaching", _("Sober coaching"), engaged=selectors.cohort_engaged, position=30
    )
)
