"""Reads of case-management records, always through the caller's client visibility
(people.selectors.client_list_for): missing and not-visible are the same 404."""

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Max, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from continuum.care.cohorts import Figure
from continuum.care.models import CareEpisode, Phase
from continuum.people.models import Client
from continuum.people.selectors import client_list_for
from continuum.tenancy.models import Membership, Role
from continuum.tenancy.selectors import get_or_404
from continuum.tenancy.timezones import org_zone

from . import instruments, measures
from .models import (
    FOLLOW_UP_VISIT_TYPES,
    MENTAL_HEALTH_KINDS,
    OPEN_STEP_STATUSES,
    Appointment,
    AppointmentStatus,
    Assessment,
    CarePlan,
    Contact,
    Gap,
    GapRule,
    Goal,
    GoalStatus,
    GoalStep,
    Medication,
    MedicationFill,
    PlanStatus,
    ProgressNote,
    Provider,
    QuestionnaireAssignment,
)

MISSED_RESCHEDULE_DAYS = 3
CONTACT_GAP_DAYS = 14
REASSESS_AFTER_DAYS = 30


def _visible(membership: Membership):
    return client_list_for(membership=membership).values("pk")


def case_manager_pick(*, organization) -> Membership | None:
    """The active case manager with the fewest active care plans."""
    return (
        Membership.objects.filter(
            organization=organization, is_active=True, roles__contains=[Role.CASE_MANAGER]
        )
        .annotate(caseload=Count("care_plans", filter=Q(care_plans__status=PlanStatus.ACTIVE)))
        .order_by("caseload", "created_at", "pk")
        .first()
    )


# --- care plans -------------------------------------------------------------------------


def plan_active_for(*, client: Client) -> CarePlan | None:
    """The active plan with goals, steps and recent notes, in four queries."""
    return (
        CarePlan.objects.filter(client=client, status=PlanStatus.ACTIVE)
        .select_related("case_manager__user")
        .prefetch_related(
            Prefetch(
                "goals",
                queryset=Goal.objects.order_by("domain", "created_at", "id").prefetch_related(
                    Prefetch("steps", queryset=GoalStep.objects.select_related("provider")),
                    Prefetch("notes", queryset=ProgressNote.objects.select_related("author")),
                ),
            )
        )
        .first()
    )


def plan_list_for(*, membership: Membership) -> QuerySet[CarePlan]:
    return (
        CarePlan.objects.filter(client__in=_visible(membership))
        .select_related("client", "case_manager__user")
        .order_by("-opened_at", "-id")
    )


def goal_get_for(*, membership: Membership, goal_id) -> Goal:
    goals = Goal.objects.filter(plan__client__in=_visible(membership)).select_related(
        "plan__client__organization"
    )
    return get_or_404(goals, goal_id, what="goal")


def step_get_for(*, membership: Membership, step_id) -> GoalStep:
    steps = GoalStep.objects.filter(goal__plan__client__in=_visible(membership)).select_related(
        "goal__plan__client__organization"
    )
    return get_or_404(steps, step_id, what="step")


# --- providers, contacts ----------------------------------------------------------------


def providers_for(*, client: Client) -> QuerySet[Provider]:
    return Provider.objects.filter(client=client).order_by("-is_active", "kind", "name", "id")


def provider_list_for(*, membership: Membership) -> QuerySet[Provider]:
    return Provider.objects.filter(client__in=_visible(membership)).select_related("client")


def contacts_for(*, client: Client) -> QuerySet[Contact]:
    return (
        Contact.objects.filter(client=client)
        .select_related("provider", "author", "disclosure")
        .order_by("-occurred_at", "-id")
    )


# --- appointments -----------------------------------------------------------------------


def appointments_for(*, client: Client) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(client=client)
        .select_related("provider", "accompanied_by__user")
        .order_by("-starts_at", "-id")
    )


def appointment_list_for(*, membership: Membership) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(client__in=_visible(membership))
        .select_related("client", "provider", "accompanied_by__user")
        .order_by("starts_at", "id")
    )


def appointment_get_for(*, membership: Membership, appointment_id) -> Appointment:
    appointments = appointment_list_for(membership=membership).select_related(
        "client__organization", "client__portal_user"
    )
    return get_or_404(appointments, appointment_id, what="appointment")


# --- medications ------------------------------------------------------------------------


def medications_for(*, client: Client) -> QuerySet[Medication]:
    return Medication.objects.filter(client=client).select_related("prescriber")


def medication_list_for(*, membership: Membership) -> QuerySet[Medication]:
    return Medication.objects.filter(client__in=_visible(membership)).select_related(
        "client", "prescriber"
    )


def medication_get_for(*, membership: Membership, medication_id) -> Medication:
    medications = medication_list_for(membership=membership).select_related(
        "client__organization", "client__portal_user"
    )
    return get_or_404(medications, medication_id, what="medication")


# --- assessments ------------------------------------------------------------------------


def assessments_for(*, client: Client) -> QuerySet[Assessment]:
    return Assessment.objects.filter(client=client).order_by("-completed_at", "-id")


def assessment_list_for(*, membership: Membership) -> QuerySet[Assessment]:
    return Assessment.objects.filter(client__in=_visible(membership)).select_related("client")


def assessment_get_for(*, membership: Membership, assessment_id) -> Assessment:
    assessments = assessment_list_for(membership=membership).select_related(
        "client__organization", "entered_by"
    )
    return get_or_404(assessments, assessment_id, what="assessment")


@dataclass(frozen=True)
class TrendPoint:
    when: object  # the assessment's completed_at
    value: int
    item9: bool = False  # PHQ-9 item 9 answered above 0
    sex: str = ""  # AUDIT-C: the sex the screen was scored for


@dataclass
class Trend:
    instrument: instruments.Instrument
    points: list[TrendPoint]  # oldest first
    series: str = "total"


def assessment_trends(*, assessments: list[Assessment]) -> list[Trend]:
    """One trend per instrument (per BAM subscale) from an already-loaded list (no
    queries)."""
    by_code: dict[str, list[Assessment]] = {}
    for assessment in sorted(assessments, key=lambda a: a.completed_at):
        by_code.setdefault(assessment.instrument, []).append(assessment)
    trends = []
    for code, items in by_code.items():
        instrument = instruments.INSTRUMENTS[code]
        if code == instruments.BAM:
            for name in instruments.BAM_SUBSCALES:
                points = [TrendPoint(a.completed_at, a.subscales.get(name, 0)) for a in items]
                trends.append(Trend(instrument, points, series=name))
        else:
            points = [
                TrendPoint(
                    a.completed_at,
                    a.total or 0,
                    item9="item9_positive" in (a.flags or []),
                    sex=a.sex,
                )
                for a in items
            ]
            trends.append(Trend(instrument, points))
    return trends


def worsening(previous: Assessment | None, latest: Assessment) -> bool:
    """Worse than the previous one of the same instrument: a higher total, or for the
    BAM more use, more risk or less protection."""
    if previous is None:
        return False
    if latest.instrument == instruments.BAM:
        before, now = previous.subscales, latest.subscales
        return (
            now.get("use", 0) > before.get("use", 0)
            or now.get("risk", 0) > before.get("risk", 0)
            or now.get("protective", 0) < before.get("protective", 0)
        )
    return (latest.total or 0) > (previous.total or 0)


def reassessments_due(*, organization, today: date):
    """(client, instrument, due date) for clients with a portal login whose latest
    answer to an instrument is at least REASSESS_AFTER_DAYS old, while in an active plan."""
    latest = (
        Assessment.objects.filter(
            organization=organization,
            client__care_plans__status=PlanStatus.ACTIVE,
            client__portal_user__isnull=False,
        )
        .values("client", "instrument")
        .annotate(last=Max("completed_at"))
    )
    tz = ZoneInfo(organization.timezone)
    due = []
    for row in latest:
        due_on = timezone.localdate(row["last"], tz) + timedelta(days=REASSESS_AFTER_DAYS)
        if due_on <= today:
            due.append((row["client"], row["instrument"], due_on))
    clients = Client.objects.select_related("portal_user").in_bulk([c for c, _, _ in due])
    return [(clients[c], code, d) for c, code, d in due if c in clients]


# --- gaps -------------------------------------------------------------------------------


def gap_list_for(*, membership: Membership, open_only: bool = True) -> QuerySet[Gap]:
    gaps = Gap.objects.filter(client__in=_visible(membership))
    if open_only:
        gaps = gaps.filter(resolved_at__isnull=True)
    return gaps.select_related("client", "owner__user").order_by("detected_at", "id")


def gaps_for(*, client: Client) -> QuerySet[Gap]:
    return Gap.objects.filter(client=client, resolved_at__isnull=True).select_related("owner__user")


@dataclass(frozen=True)
class Finding:
    rule: str
    subject_key: str
    client: Client
    plan: CarePlan | None
    detail: str


def _local_date(value, tz) -> date:
    return timezone.localtime(value, tz).date()


def follow_up_met(*, discharge: date, visits: list[date], days: int) -> bool:
    """HEDIS FUI-style: a qualifying visit after the discharge day, up to and including
    day `days`. The discharge day itself does not count (the same rule as the report's,
    measures.window)."""
    found = measures.window(
        after=discharge,
        visits=[measures.Visit(day, "") for day in visits],
        days=days,
        today=discharge + timedelta(days=days),
    )
    return found.state == measures.MET


def detect_gaps(
    *, organization, today: date, client: Client | None = None
) -> dict[tuple[str, str], Finding]:
    """Every gap in care open today, keyed by (rule, subject); with `client`, only that
    client's. A fixed number of queries, whatever the number of clients."""
    tz = ZoneInfo(organization.timezone)
    found: dict[tuple[str, str], Finding] = {}
    # The same queries narrowed to one client (a staff re-check, a write that may close
    # a gap), so the one-client answer is exactly the organization-wide one's share.
    only = {"client": client} if client is not None else {}

    def add(rule, subject, client, plan, detail):
        found[(rule, subject)] = Finding(rule, subject, client, plan, detail)

    def add_about(rule, kind: str, record, detail):
        """A gap about one of a client's records (an episode, an appointment)."""
        subject = f"{kind}:{record.public_id}"
        add(rule, subject, record.client, plans.get(record.client_id), detail)

    plans = {
        p.client_id: p
        for p in CarePlan.objects.filter(
            organization=organization, status=PlanStatus.ACTIVE, **only
        ).select_related("client", "case_manager__user")
    }

    # Follow-up within 7 and within 30 days of residential discharge.
    episodes = list(
        CareEpisode.objects.filter(
            organization=organization, phase=Phase.AFTERCARE, discharge_date__isnull=False, **only
        ).select_related("client")
    )
    client_ids = [e.client_id for e in episodes]
    visits: dict[int, list[date]] = {}
    for appointment in Appointment.objects.filter(
        organization=organization,
        client__in=client_ids,
        status=AppointmentStatus.ATTENDED,
        visit_type__in=list(FOLLOW_UP_VISIT_TYPES),
    ).only("client_id", "starts_at"):
        visits.setdefault(appointment.client_id, []).append(_local_date(appointment.starts_at, tz))
    for fill in MedicationFill.objects.filter(
        organization=organization, medication__client__in=client_ids, medication__is_moud=True
    ).select_related("medication"):
        visits.setdefault(fill.medication.client_id, []).append(fill.filled_on)
    for episode in episodes:
        dates = visits.get(episode.client_id, [])
        for days, rule in ((7, GapRule.FOLLOW_UP_7), (30, GapRule.FOLLOW_UP_30)):
            window_closed = today > episode.discharge_date + timedelta(days=days)
            if window_closed and not follow_up_met(
                discharge=episode.discharge_date, visits=dates, days=days
            ):
                detail = (
                    f"Discharged {episode.discharge_date:%b %-d, %Y}; no follow-up visit "
                    f"within {days} days."
                )
                add_about(rule, "episode", episode, detail)

    # Missed appointments not rescheduled within N days.
    missed = list(
        Appointment.objects.filter(
            organization=organization,
            status=AppointmentStatus.MISSED,
            rescheduled_to__isnull=True,
            **only,
        ).select_related("client")
    )
    later: dict[int, list[Appointment]] = {}
    if missed:
        for appointment in Appointment.objects.filter(
            organization=organization,
            client__in={m.client_id for m in missed},
            status__in=[AppointmentStatus.SCHEDULED, AppointmentStatus.ATTENDED],
        ).only("client_id", "provider_id", "starts_at"):
            later.setdefault(appointment.client_id, []).append(appointment)
    for appointment in missed:
        if _local_date(appointment.starts_at, tz) + timedelta(days=MISSED_RESCHEDULE_DAYS) >= today:
            continue
        replaced = any(
            other.provider_id == appointment.provider_id and other.starts_at > appointment.starts_at
            for other in later.get(appointment.client_id, [])
        )
        if not replaced:
            detail = (
                f"Missed on {_local_date(appointment.starts_at, tz):%b %-d}; not rescheduled "
                f"within {MISSED_RESCHEDULE_DAYS} days."
            )
            add_about(GapRule.MISSED_NOT_RESCHEDULED, "appointment", appointment, detail)

    # Clients in an active plan.
    with_mh_provider = set(
        Provider.objects.filter(
            organization=organization,
            client__in=list(plans),
            is_active=True,
            kind__in=list(MENTAL_HEALTH_KINDS),
        ).values_list("client_id", flat=True)
    )
    last_contacts = dict(
        Contact.objects.filter(
            organization=organization, client__in=list(plans), provider__isnull=True
        )
        .values("client")
        .annotate(last=Max("occurred_at"))
        .values_list("client", "last")
    )
    for client_id, plan in plans.items():
        client = plan.client
        if client.co_occurring_conditions and client_id not in with_mh_provider:
            add(
                GapRule.NO_MENTAL_HEALTH_PROVIDER,
                f"client:{client.public_id}",
                client,
                plan,
                "Co-occurring mental-health condition recorded; no mental-health provider.",
            )
        if plan.next_review_on < today:
            add(
                GapRule.PLAN_REVIEW_OVERDUE,
                f"plan:{plan.public_id}:{plan.next_review_on.isoformat()}",
                client,
                plan,
                f"Review was due {plan.next_review_on:%b %-d, %Y}.",
            )
        last = last_contacts.get(client_id) or plan.opened_at
        if _local_date(last, tz) + timedelta(days=CONTACT_GAP_DAYS) < today:
            add(
                GapRule.NO_CONTACT,
                f"client:{client.public_id}",
                client,
                plan,
                f"No contact with the client since {_local_date(last, tz):%b %-d, %Y}.",
            )

    for step in GoalStep.objects.filter(
        organization=organization,
        status__in=list(OPEN_STEP_STATUSES),
        due_on__lt=today,
        goal__status=GoalStatus.ACTIVE,
        goal__plan__status=PlanStatus.ACTIVE,
        **({"goal__plan__client": client} if client is not None else {}),
    ).select_related("goal__plan__client"):
        plan = step.goal.plan
        add(
            GapRule.STEP_OVERDUE,
            f"step:{step.public_id}",
            plan.client,
            plan,
            f"“{step.description}” was due {step.due_on:%b %-d, %Y}.",
        )

    for medication in (
        Medication.objects.filter(organization=organization, refill_due_on__lt=today, **only)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .select_related("client")
    ):
        add(
            GapRule.REFILL_OVERDUE,
            f"medication:{medication.public_id}:{medication.refill_due_on.isoformat()}",
            medication.client,
            plans.get(medication.client_id),
            f"{medication.name} refill was due {medication.refill_due_on:%b %-d, %Y}.",
        )
    return found


# --- follow-up report -------------------------------------------------------------------

REPORT_MONTHS = 12


@dataclass
class FollowUpRow:
    episode: CareEpisode
    follow_up_7: measures.Window
    follow_up_30: measures.Window
    initiation: measures.Window
    engagement: measures.Engagement
    continuity: measures.Continuity | None  # only for clients on an OUD medication


@dataclass
class FollowUpReport:
    since: date
    today: date
    rows: list[FollowUpRow]
    months: list[measures.MonthRate]


def _visit_label(appointment: Appointment) -> str:
    return appointment.get_visit_type_display()


def _visits_and_supplies(*, organization_id, client_ids, tz) -> tuple[dict, dict]:
    """The qualifying follow-up visits of the clients (attended appointments of a
    follow-up visit type, and every medication dispensed), and their OUD medication
    supplies by medication: three queries, whatever the number of clients."""
    visits: dict[int, list[measures.Visit]] = {}
    for appointment in Appointment.objects.filter(
        organization=organization_id,
        client__in=client_ids,
        status=AppointmentStatus.ATTENDED,
        visit_type__in=list(FOLLOW_UP_VISIT_TYPES),
    ).only("client_id", "starts_at", "visit_type"):
        visits.setdefault(appointment.client_id, []).append(
            measures.Visit(_local_date(appointment.starts_at, tz), _visit_label(appointment))
        )
    supplies: dict[int, dict[str, list]] = {}
    for medication in Medication.objects.filter(
        organization=organization_id, client__in=client_ids, is_moud=True
    ).prefetch_related("fills"):
        oud = measures.oud_medication(medication.name)
        if oud:
            supplies.setdefault(medication.client_id, {}).setdefault(oud, [])
        for fill in medication.fills.all():
            visits.setdefault(medication.client_id, []).append(
                measures.Visit(fill.filled_on, f"Medication dispensed: {medication.name}")
            )
            if oud:
                ends = fill.next_refill_due_on or fill.filled_on + timedelta(days=1)
                supplies[medication.client_id][oud].append((fill.filled_on, ends))
    return visits, supplies


def followup_report(
    *, membership: Membership, organization, today: date, months: int = REPORT_MONTHS
) -> FollowUpReport:
    """Every discharge from residential or withdrawal management since the first of the
    month `months - 1` months back, of the clients the member may see (an admin: all;
    staff: their care-team clients), with its follow-up measures and the monthly rates.
    Four queries, whatever the number of discharges."""
    first_month = date(today.year, today.month, 1)
    for _month in range(months - 1):
        first_month = (first_month - timedelta(days=1)).replace(day=1)
    episodes = list(
        CareEpisode.objects.filter(
            organization=membership.organization_id,
            client__in=_visible(membership),
            discharge_date__gte=first_month,
        )
        .select_related("client")
        .order_by("-discharge_date", "-id")
    )
    visits, supplies = _visits_and_supplies(
        organization_id=membership.organization_id,
        client_ids={e.client_id for e in episodes},
        tz=org_zone(organization),
    )
    rows, by_month = [], {}
    for episode in episodes:
        seen = visits.get(episode.client_id, [])
        discharge = episode.discharge_date
        initiation = measures.window(
            after=discharge, visits=seen, days=measures.INITIATION_DAYS, today=today
        )
        row = FollowUpRow(
            episode=episode,
            follow_up_7=measures.window(after=discharge, visits=seen, days=7, today=today),
            follow_up_30=measures.window(after=discharge, visits=seen, days=30, today=today),
            initiation=initiation,
            engagement=measures.engagement(initiation=initiation, visits=seen, today=today),
            continuity=_continuity(supplies.get(episode.client_id), today),
        )
        rows.append(row)
        month = by_month.setdefault(
            discharge.replace(day=1), measures.MonthRate(discharge.replace(day=1))
        )
        month.discharges += 1
        month.add("follow_up_7", row.follow_up_7.state)
        month.add("follow_up_30", row.follow_up_30.state)
        month.add("initiation", row.initiation.state)
        month.add("engagement", row.engagement.state)
        if row.continuity is not None and row.continuity.state != measures.NOT_STARTED:
            month.add("continuity", row.continuity.state)
    return FollowUpReport(
        since=first_month,
        today=today,
        rows=rows,
        months=sorted(by_month.values(), key=lambda m: m.month, reverse=True),
    )


# --- a discharge cohort's figures (continuum.care.cohorts) -------------------------------


def cohort_figures(*, episodes, today: date) -> list[Figure]:
    """The cohort's follow-up within 7 and 30 days of discharge and its continuity of
    OUD medication, each counted over the discharges whose window has closed (an open
    window is neither met nor missed yet). Four queries, whatever the cohort's size."""
    rows = list(episodes.filter(discharge_date__isnull=False).select_related("organization"))
    if not rows:
        return []
    visits, supplies = _visits_and_supplies(
        organization_id=rows[0].organization_id,
        client_ids={e.client_id for e in rows},
        tz=org_zone(rows[0].organization),
    )
    counts = {key: [0, 0] for key in ("follow_up_7", "follow_up_30", "continuity")}

    def count(key: str, state: str) -> None:
        if state in (measures.MET, measures.MISSED):
            counts[key][1] += 1
            counts[key][0] += state == measures.MET

    for episode in rows:
        seen = visits.get(episode.client_id, [])
        for days in measures.FOLLOW_UP_DAYS:
            window = measures.window(
                after=episode.discharge_date, visits=seen, days=days, today=today
            )
            count(f"follow_up_{days}", window.state)
        continuity = _continuity(supplies.get(episode.client_id), today)
        if continuity is not None:
            count("continuity", continuity.state)
    labels = {
        "follow_up_7": (
            _("Follow-up visit within 7 days of discharge"),
            _("of discharges whose 7 days have passed"),
        ),
        "follow_up_30": (
            _("Follow-up visit within 30 days of discharge"),
            _("of discharges whose 30 days have passed"),
        ),
        "continuity": (
            _("Continuity of OUD medication for 180 days"),
            _("of clients who started an OUD medication, once decided"),
        ),
    }
    return [
        Figure(key, str(labels[key][0]), denominator=n, numerator=met, note=str(labels[key][1]))
        for key, (met, n) in counts.items()
    ]


def cohort_engaged(*, episodes):
    """The episodes with a care plan: case management took part."""
    return episodes.filter(
        pk__in=CarePlan.objects.filter(episode__isnull=False).values("episode_id")
    )


def _continuity(by_medication: dict | None, today: date) -> measures.Continuity | None:
    """One treatment across the OUD medications a client has had: switching from one to
    another is not a gap."""
    if by_medication is None:
        return None
    names = sorted(by_medication)
    supplies = [s for name in names for s in by_medication[name]]
    return measures.continuity(medication=" / ".join(names), supplies=supplies, today=today)


# --- dashboard --------------------------------------------------------------------------


def caseload_for(*, membership: Membership) -> QuerySet[CarePlan]:
    """The case manager's active plans with the count of open gaps."""
    return (
        CarePlan.objects.filter(
            organization=membership.organization_id,
            status=PlanStatus.ACTIVE,
            case_manager=membership,
        )
        .select_related("client")
        .annotate(
            open_gaps=Count("client__cm_gaps", filter=Q(client__cm_gaps__resolved_at__isnull=True))
        )
        .order_by("client__last_name", "client__first_name", "id")
    )


def appointments_to_accompany(*, membership: Membership, now, days: int = 14):
    return (
        Appointment.objects.filter(
            organization=membership.organization_id,
            accompanied_by=membership,
            status=AppointmentStatus.SCHEDULED,
            starts_at__gte=now,
            starts_at__lt=now + timedelta(days=days),
        )
        .select_related("client", "provider")
        .order_by("starts_at", "id")
    )


def plans_due_for_review(*, membership: Membership, today: date, days: int = 7):
    return (
        CarePlan.objects.filter(
            organization=membership.organization_id,
            case_manager=membership,
            status=PlanStatus.ACTIVE,
            next_review_on__lte=today + timedelta(days=days),
        )
        .select_related("client")
        .order_by("next_review_on", "id")
    )


def worsening_assessments(*, membership: Membership, since, limit: int = 20) -> list:
    """Recent assessments of the caseload that are worse than the one before."""
    recent = list(
        Assessment.objects.filter(
            organization=membership.organization_id,
            client__care_plans__case_manager=membership,
            client__care_plans__status=PlanStatus.ACTIVE,
        )
        .select_related("client")
        .order_by("client_id", "instrument", "completed_at", "id")
    )
    result = []
    previous: dict[tuple[int, str], Assessment] = {}
    for assessment in recent:
        key = (assessment.client_id, assessment.instrument)
        if assessment.completed_at >= since and worsening(previous.get(key), assessment):
            result.append(assessment)
        previous[key] = assessment
    result.sort(key=lambda a: a.completed_at, reverse=True)
    return result[:limit]


# --- questionnaires assigned to a client --------------------------------------------------


def questionnaires_for(*, client: Client) -> QuerySet[QuestionnaireAssignment]:
    """Every questionnaire asked of the client: the open ones first, soonest due, then
    the answered ones, latest first, each with its scored assessment."""
    return (
        QuestionnaireAssignment.objects.filter(client=client)
        .select_related("assessment", "assigned_by__user")
        .order_by(F("answered_at").desc(nulls_first=True), "due_on", "id")
    )


def questionnaires_open_for(*, client: Client) -> QuerySet[QuestionnaireAssignment]:
    return QuestionnaireAssignment.objects.filter(client=client, answered_at__isnull=True).order_by(
        "due_on", "id"
    )


def questionnaire_get_for_client(*, client: Client, assignment_id) -> QuestionnaireAssignment:
    """One of the client's own questionnaires (the portal's): anyone else's is a 404."""
    rows = QuestionnaireAssignment.objects.filter(client=client).select_related(
        "assessment", "client__organization"
    )
    return get_or_404(rows, assignment_id, what="questionnaire")
