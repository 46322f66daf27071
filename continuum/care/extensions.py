"""What the care spine adds through the extension contract (continuum.extensions),
imported once from `CareConfig.ready()`: its own handoffs, timeline providers, the
safety-event notification kind, its dashboard cards, the record's overview and timeline tabs and its menu entries."""

from django.utils.translation import gettext_lazy as _

from continuum.notifications import kinds
from continuum.tenancy import dashboard as staff_dashboard
from continuum.tenancy import navigation
from continuum.tenancy.dashboard import DashboardCard
from continuum.tenancy.models import STAFF_ROLES, Role
from continuum.tenancy.navigation import NavEntry

from . import actions, dashboard, handoffs, safety, timeline
from .models import Phase

handoffs.registry.on_enter(Phase.INQUIRY, name="care.inquiry_triage")(handoffs.inquiry_triage)
handoffs.registry.on_enter(Phase.AFTERCARE, name="care.aftercare_first_contact")(
    handoffs.aftercare_first_contact
)
timeline.register_all(
    timeline.transitions_provider, timeline.tasks_provider, timeline.safety_timeline_provider
)
# Safety messages go on every channel the person can receive whatever their preferences
# (care.services.safety_events._tell); the kind is listed so they know it exists.
kinds.register(
    safety.NOTIFICATION_KIND,
    _("Safety events: a client needs a same-day call"),
    outbound_line=_("A client on your caseload needs a same-day call."),
)
navigation.register_all(
    NavEntry("staff", "Clients", "staff:client_list", STAFF_ROLES, 50),
    NavEntry("staff", "My work", "staff:my_work", STAFF_ROLES, 60),
    NavEntry("staff", "Failed handoffs", "staff:handoff_failures", frozenset({Role.ORG_ADMIN}), 70),
    NavEntry("portal", _("My care"), "portal:my_care", frozenset({Role.CLIENT}), 40),
)
staff_dashboard.register_all(
    DashboardCard("care.safety", STAFF_ROLES, dashboard.safety_card, 0),
    DashboardCard("care.today", STAFF_ROLES, dashboard.today_card, 20),
    DashboardCard("care.overdue", STAFF_ROLES, dashboard.overdue_card, 30),
)
actions.CLIENT_TABS.register_all(
    actions.ClientTab("Overview", "staff:client_detail", STAFF_ROLES, 10),
    actions.ClientTab("Timeline", "staff:client_timeline", STAFF_ROLES, 20),
)
