"""Everything the alumni line adds to the spine (continuum.extensions), imported once from
`AlumniConfig.ready()`: its URLs, the alumni home's sections, the safety kinds its
check-in and "struggling now" raise, its messages, the client record's tab and timeline
entries, and the staff menu's events."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from continuum.care import actions, safety, timeline
from continuum.care.timeline import QuerySetSource, TimelineEntry
from continuum.notifications import kinds
from continuum.tenancy import areas, navigation, portal
from continuum.tenancy.models import Role
from continuum.tenancy.navigation import NavEntry

from . import selectors, services, views
from .models import HelpRequest, MonthlyCheckIn

CLIENT = frozenset({Role.CLIENT})
RECORD_STAFF = frozenset(views.RECORD_ROLES)
EVENT_STAFF = frozenset(views.EVENT_ROLES)


# --- the alumni home ----------------------------------------------------------------------


def sobriety_section(request):
    client = selectors.portal_alumnus(request)
    if client is None:
        return None
    return {
        "organization": request.organization,
        **views.sobriety_context(selectors.portal_profile(request)),
    }


def events_section(request):
    client = selectors.portal_alumnus(request)
    if client is None:
        return None
    return {
        "organization": request.organization,
        "events": list(selectors.events_upcoming_for_client(client=client)[:3]),
    }


def checkin_section(request):
    client = selectors.portal_alumnus(request)
    if client is None:
        return None
    profile = selectors.portal_profile(request)
    if profile is None or not profile.monthly_checkin:
        return None
    if selectors.checkin_this_month(client=client) is not None:
        return None
    return {"organization": request.organization}


def help_section(request):
    if selectors.portal_alumnus(request) is None:
        return None
    return {"organization": request.organization}


# --- the client record ----------------------------------------------------------------------


def checkins_provider(client, organization):
    url = reverse(
        "staff:alumni_client", kwargs={"org": organization.slug, "client_id": client.public_id}
    )

    def to_entry(c):
        sober = "still sober" if c.still_sober else "reported use"
        detail = f"Doing {c.doing} of 5 · {sober}" + (" · not safe" if c.unsafe else "")
        return TimelineEntry(
            time=c.created_at,
            kind="alumni_checkin",
            title="Monthly alumni check-in",
            detail=detail,
            url=url,
        )

    return QuerySetSource(
        MonthlyCheckIn.objects.filter(organization=organization, client=client),
        to_entry,
        newest="created_at",
    )


def help_provider(client, organization):
    url = reverse(
        "staff:alumni_client", kwargs={"org": organization.slug, "client_id": client.public_id}
    )

    def to_entry(h):
        return TimelineEntry(
            time=h.created_at,
            kind="alumni_help",
            title="Alumnus asked for help again",
            detail=str(h.get_choice_display()),
            url=url,
        )

    return QuerySetSource(
        HelpRequest.objects.filter(organization=organization, client=client),
        to_entry,
        newest="created_at",
    )


# --- registrations ------------------------------------------------------------------------

areas.register("alumni.urls")
safety.register(services.KIND_HELP_NOW, "Alumnus asked for help now", line=Role.SOBER_COACH)
safety.register(
    services.KIND_REPORTED_USE,
    "Alumnus reported use in the monthly check-in",
    line=Role.SOBER_COACH,
)
kinds.register(services.MILESTONE_KIND, _("Sobriety anniversaries"))
kinds.register(services.EVENT_REMINDER_KIND, _("Alumni event reminders"))
kinds.register(services.CHECKIN_KIND, _("Monthly alumni check-in"))
timeline.register(checkins_provider)
timeline.register(help_provider)
actions.CLIENT_TABS.register(actions.ClientTab("Alumni", "staff:alumni_client", RECORD_STAFF, 85))
portal.PORTAL_HOME.register_all(
    portal.PortalSection(
        "alumni.sobriety", "alumni/home_sobriety.html", CLIENT, sobriety_section, 50
    ),
    portal.PortalSection(
        "alumni.checkin", "alumni/home_checkin.html", CLIENT, checkin_section, 110
    ),
    portal.PortalSection("alumni.events", "alumni/home_events.html", CLIENT, events_section, 250),
    portal.PortalSection("alumni.help", "alumni/home_help.html", CLIENT, help_section, 850),
)
navigation.register_all(
    NavEntry("staff", "Alumni events", "staff:alumni_events", EVENT_STAFF, 260),
)
