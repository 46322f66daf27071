"""Everything case management adds to the spine (continuum.extensions), imported once
from `CasemanagementConfig.ready()`: appointments in the shared calendar feeds, its
client-timeline entries, its notification and safety kinds, its handoff, its dashboard
cards and My work section, and its menu entries."""

from functools import partial

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from continuum.audit.mixins import record_reads
from continuum.care import actions, cohorts, measures, safety, timeline, work
from continuum.care.handoffs import registry as handoff_registry
from continuum.care.models import Phase
from continuum.care.timeline import QuerySetSource, TimelineEntry
from continuum.consent import descriptions
from continuum.consent.models import InformationCategory as Category
from continuum.fhir.resources import EXPORT_SECTIONS, RESOURCE_TYPES, ExportSection, ResourceType
from continuum.notifications import calendar, kinds
from continuum.notifications.calendar import CalendarItem
from continuum.people.selectors import client_for_portal_request
from continuum.tenancy import areas, navigation, portal
from continuum.tenancy import dashboard as staff_dashboard
from continuum.tenancy.dashboard import DashboardCard
from continuum.tenancy.models import Membership, Role
from continuum.tenancy.navigation import NavEntry

from . import dashboard, fhir, handoffs, instruments, selectors
from .models import (
    PROVIDER_CONTACT_DISCLOSURE,
    Appointment,
    AppointmentStatus,
    Assessment,
    Contact,
    Gap,
    Goal,
    provider_contact_description,
)

CASE_STAFF = frozenset(
    {Role.CASE_MANAGER, Role.ORG_ADMIN, Role.INTAKE_COORDINATOR, Role.SOBER_COACH}
)
CLIENT = frozenset({Role.CLIENT})


def appointments_calendar(*, organization, user):
    """The client's own appointments, and those a staff member accompanies. Summaries say
    "Appointment" only: calendar apps are outside the record."""
    membership = Membership.objects.filter(
        organization=organization, user=user, is_active=True
    ).first()
    if membership is None:
        return
    since = timezone.now() - timezone.timedelta(days=30)
    own = Appointment.objects.filter(
        organization=organization,
        client__portal_user=user,
        status=AppointmentStatus.SCHEDULED,
        starts_at__gte=since,
    )
    accompanied = Appointment.objects.filter(
        organization=organization,
        accompanied_by=membership,
        status=AppointmentStatus.SCHEDULED,
        starts_at__gte=since,
    )
    for appointment in (own | accompanied).distinct().order_by("starts_at"):
        yield CalendarItem(
            uid=f"cm-appointment-{appointment.public_id}",
            start=appointment.starts_at,
            end=appointment.ends_at,
            summary="Appointment",
        )


def _case_source(client, organization, kind: str, to_entry, queryset, time_field: str):
    """One kind of the client's case-management rows, newest first, each linking to the
    case page: `to_entry(row, entry)` fills in time, title and detail."""
    url = reverse(
        "staff:casemgmt_client", kwargs={"org": organization.slug, "client_id": client.public_id}
    )
    entry = partial(TimelineEntry, kind=kind, url=url)
    return QuerySetSource(queryset, lambda row: to_entry(row, entry), newest=time_field)


def appointments_provider(client, organization):
    def to_entry(a, entry):
        who = a.provider.name if a.provider_id else a.get_visit_type_display()
        when = f"{timezone.localtime(a.starts_at):%-d %b %Y, %H:%M}"
        return entry(
            time=a.created_at,
            title=f"Appointment with {who}",
            detail=f"{when} · {a.get_status_display()}",
        )

    rows = Appointment.objects.filter(organization=organization, client=client)
    return _case_source(
        client, organization, "appointment", to_entry, rows.select_related("provider"), "created_at"
    )


def assessments_provider(client, organization):
    def to_entry(a, entry):
        if a.total is None:
            detail = ", ".join(f"{k} {v}" for k, v in a.subscales.items())
        else:
            detail = f"Score {a.total}" + (f" ({a.band.replace('_', ' ')})" if a.band else "")
        title = instruments.INSTRUMENTS[a.instrument].short_name
        return entry(time=a.completed_at, title=title, detail=detail)

    rows = Assessment.objects.filter(organization=organization, client=client)
    return _case_source(client, organization, "assessment", to_entry, rows, "completed_at")


def contacts_provider(client, organization):
    def to_entry(c, entry):
        title = c.get_kind_display() + (f" · {c.provider.name}" if c.provider_id else "")
        detail = "Disclosure recorded" if c.disclosure_id else ""
        return entry(time=c.occurred_at, title=title, detail=detail)

    rows = Contact.objects.filter(organization=organization, client=client)
    return _case_source(
        client, organization, "contact", to_entry, rows.select_related("provider"), "occurred_at"
    )


def gaps_provider(client, organization):
    def to_entry(g, entry):
        state = f"resolved {timezone.localtime(g.resolved_at):%-d %b}" if g.resolved_at else "open"
        return entry(time=g.detected_at, title=g.get_rule_display(), detail=state)

    rows = Gap.objects.filter(organization=organization, client=client)
    return _case_source(client, organization, "gap", to_entry, rows, "detected_at")


def goals_provider(client, organization):
    def to_entry(g, entry):
        return entry(time=g.created_at, title=f"Goal: {g.title}", detail=g.get_domain_display())

    rows = Goal.objects.filter(organization=organization, plan__client=client)
    return _case_source(client, organization, "goal", to_entry, rows, "created_at")


# --- the client's portal home -----------------------------------------------------------


_portal_client = client_for_portal_request


def questionnaires_section(request):
    """The questionnaires staff asked for, soonest due first, each with its link."""
    client = _portal_client(request)
    if client is None:
        return None
    open_ones = list(selectors.questionnaires_open_for(client=client)[:10])
    if not open_ones:
        return None
    record_reads(request, [(q, client.public_id) for q in open_ones])
    today = timezone.localdate()
    rows = [
        {
            "assignment": q,
            "name": instruments.INSTRUMENTS[q.instrument].short_name,
            "overdue": q.is_overdue(today),
        }
        for q in open_ones
    ]
    return {"questionnaires": rows}


def next_appointment_section(request):
    """The next scheduled appointment, with who is going with the client."""
    client = _portal_client(request)
    if client is None:
        return None
    appointment = (
        selectors.appointments_for(client=client)
        .filter(status=AppointmentStatus.SCHEDULED, ends_at__gte=timezone.now())
        .order_by("starts_at", "id")
        .first()
    )
    if appointment is None:
        return None
    record_reads(request, [(appointment, client.public_id)])
    return {"appointment": appointment}


def medications_section(request):
    """Today's medications and how often they are taken, with the weekly report a tap
    away. The schedule is the prescriber's words: the page does not invent dose times."""
    client = _portal_client(request)
    if client is None:
        return None
    today = timezone.localdate()
    current = [m for m in selectors.medications_for(client=client) if m.is_current(today)]
    if not current:
        return None
    record_reads(request, [(m, client.public_id) for m in current])
    return {"medications": current}


def phq9_points(client, since):
    rows = Assessment.objects.filter(
        organization_id=client.organization_id,
        client=client,
        instrument=instruments.PHQ9,
        completed_at__date__gte=since,
    ).order_by("completed_at", "id")
    return [
        measures.MeasurePoint(timezone.localtime(at).date(), total)
        for at, total in rows.values_list("completed_at", "total")
    ]


# --- registrations ------------------------------------------------------------------------

areas.register("casemanagement.urls")

kinds.register("appointment_reminder", _("Appointment reminders"))
kinds.register("refill_reminder", _("Medication refill reminders"))
kinds.register("assessment_reminder", _("Questionnaire reminders"))
descriptions.register(PROVIDER_CONTACT_DISCLOSURE, provider_contact_description)
safety.register("phq9_item9", "PHQ-9 item 9 above 0", line=Role.CASE_MANAGER)
calendar.register(appointments_calendar)
measures.register(measures.Measure("phq9", "PHQ-9", 0, 27, phq9_points))
timeline.register_all(
    appointments_provider, assessments_provider, contacts_provider, gaps_provider, goals_provider
)
handoff_registry.on_enter(Phase.AFTERCARE, name="casemanagement.open_care_plan")(
    handoffs.open_care_plan
)
navigation.register_all(
    NavEntry("staff", "Case management", "staff:casemgmt_dashboard", CASE_STAFF, 400),
    NavEntry("portal", _("My care plan"), "portal:casemgmt_portal_plan", CLIENT, 400),
    NavEntry("portal", _("Appointments"), "portal:casemgmt_portal_appointments", CLIENT, 410),
    NavEntry("portal", _("Medications"), "portal:casemgmt_portal_medications", CLIENT, 420),
)
RESOURCE_TYPES.register_all(
    ResourceType("CarePlan", fhir.care_plan_list_for, fhir.care_plan_read, "fhir_careplan_id", 30),
    ResourceType(
        "Appointment", fhir.appointment_list_for, fhir.appointment, "fhir_appointment_id", 40
    ),
)
EXPORT_SECTIONS.register_all(
    ExportSection("casemanagement.care_plans", Category.TREATMENT_PLAN, fhir.care_plans_section),
    ExportSection("casemanagement.appointments", Category.APPOINTMENTS, fhir.appointments_section),
    ExportSection("casemanagement.medications", Category.MEDICATIONS, fhir.medications_section),
    ExportSection("casemanagement.assessments", Category.ASSESSMENTS, fhir.assessments_section),
    ExportSection("casemanagement.case_contacts", Category.ATTENDANCE, fhir.case_contacts_section),
)
CASE_MANAGERS = frozenset({Role.CASE_MANAGER})
staff_dashboard.register_all(
    DashboardCard("casemanagement.gaps", CASE_MANAGERS, dashboard.gaps_card, 40),
    DashboardCard("casemanagement.accompany", CASE_MANAGERS, dashboard.accompany_card, 60),
)
work.register(DashboardCard("casemanagement.plans", CASE_MANAGERS, dashboard.plans_work))
actions.CLIENT_TABS.register(
    actions.ClientTab("Case management", "staff:casemgmt_client", CASE_STAFF, 50)
)
portal.PORTAL_HOME.register_all(
    portal.PortalSection(
        "casemanagement.questionnaires",
        "casemanagement/portal_home_questionnaires.html",
        CLIENT,
        questionnaires_section,
        120,
    ),
    portal.PortalSection(
        "casemanagement.medications",
        "casemanagement/portal_home_medications.html",
        CLIENT,
        medications_section,
        150,
    ),
    portal.PortalSection(
        "casemanagement.next_appointment",
        "casemanagement/portal_home_appointment.html",
        CLIENT,
        next_appointment_section,
        200,
    ),
)
cohorts.register(
    cohorts.CohortLine(
        "casemanagement",
        _("Case management"),
        figures=selectors.cohort_figures,
        engaged=selectors.cohort_engaged,
        position=20,
    )
)
