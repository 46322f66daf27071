"""Reads of coaching records, always through the caller's visibility: coaches see their
own engagements, staff on the client's care team see the client's, org admins see all,
a client sees their own. Missing and not visible are the same 404."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection
from django.db.models import (
    Count,
    Q,
    QuerySet,
    Sum,
)
from django.utils import timezone

from continuum.people.models import Client
from continuum.people.selectors import client_visibility
from continuum.tenancy.models import Membership, Role
from continuum.tenancy.selectors import active_members_with, get_or_404

from .models import (
    OPEN_ENGAGEMENT_STATUSES,
    Alert,
    AlertStatus,
    CheckIn,
    CoachProfile,
    Contact,
    ContactKind,
    Engagement,
    EngagementStatus,
    FollowThrough,
    HighRiskEvent,
    MeetingAttendance,
    RelapsePreventionPlan,
)
from .services import local_now

STAFF_ROLES = (Role.SOBER_COACH, Role.CASE_MANAGER, Role.ORG_ADMIN)


def engagement_visibility(*, membership: Membership) -> Q:
    if membership is None or not membership.is_active:
        return Q(pk__in=[])
    if membership.has_role(Role.ORG_ADMIN):
        return Q(organization=membership.organization_id)
    visible = Q(coach=membership)
    visible |= Q(
        client__in=Client.objects.filter(organization=membership.organization_id).filter(
            client_visibility(membership=membership)
        )
    )
    return visible


def engagement_list_for(*, membership: Membership) -> QuerySet[Engagement]:
    return (
        Engagement.objects.filter(organization=membership.organization_id)
        .filter(engagement_visibility(membership=membership))
        .select_related("client", "coach__user")
    )


def engagement_get_for(*, membership: Membership, engagement_id) -> Engagement:
    return get_or_404(
        engagement_list_for(membership=membership).select_related("organization"),
        engagement_id,
        what="engagement",
    )


def engagement_for_portal(*, membership: Membership) -> Engagement | None:
    """The signed-in client's current engagement (active, else paused or proposed)."""
    if membership is None or not membership.has_role(Role.CLIENT):
        return None
    return (
        Engagement.objects.filter(
            organization=membership.organization_id,
            client__portal_user=membership.user_id,
            status__in=OPEN_ENGAGEMENT_STATUSES,
        )
        .select_related("client", "coach__user", "organization")
        .first()
    )


def alert_get_for(*, membership: Membership, alert_id) -> Alert:
    return get_or_404(
        Alert.objects.filter(organization=membership.organization_id)
        .filter(
            engagement__in=Engagement.objects.filter(engagement_visibility(membership=membership))
        )
        .select_related("engagement__client", "engagement__organization", "organization"),
        alert_id,
        what="alert",
    )


def alert_list_for(*, membership: Membership, outstanding_only: bool = True) -> QuerySet[Alert]:
    alerts = (
        Alert.objects.filter(organization=membership.organization_id)
        .filter(
            engagement__in=Engagement.objects.filter(engagement_visibility(membership=membership))
        )
        .select_related("engagement__client", "acknowledged_by")
    )
    if outstanding_only:
        alerts = alerts.filter(status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED])
    return alerts


def plan_for(*, engagement: Engagement) -> RelapsePreventionPlan | None:
    return RelapsePreventionPlan.objects.filter(engagement=engagement).first()


def contacts_for(*, engagement: Engagement) -> QuerySet[Contact]:
    return Contact.objects.filter(engagement=engagement).select_related("logged_by")


def checkins_for(*, engagement: Engagement, days: int = 30, today: date | None = None):
    today = today or local_now(engagement.organization).date()
    return CheckIn.objects.filter(engagement=engagement, day__gt=today - timedelta(days=days))


# --- streaks, trend and reports -----------------------------------------------------------


@dataclass(frozen=True)
class SoberRun:
    """The sober check-ins since the latest reported use. A day without a check-in is
    neither counted as sober nor taken as use: it is counted apart, so the portal says
    so instead of restarting the count at zero."""

    days: int
    missed: int


def sober_run(days_sober: dict[date, bool], today: date) -> SoberRun:
    """Sober check-in days, newest first, back to the latest reported use (or the first
    check-in), and the days between them that have no check-in."""
    run = sorted((d for d in days_sober if d <= today), reverse=True)
    counted = []
    for day in run:
        if days_sober[day] is not True:
            break
        counted.append(day)
    if not counted:
        return SoberRun(days=0, missed=0)
    span = (counted[0] - counted[-1]).days + 1
    return SoberRun(days=len(counted), missed=span - len(counted))


def sober_streak(days_sober: dict[date, bool], today: date) -> int:
    return sober_run(days_sober, today).days


def sober_history(*, engagement: Engagement, today: date) -> dict[date, bool]:
    """Every check-in's day and answer up to today, for the sober count: a run is not cut
    off at the chart's 30 days. One query of two columns."""
    return dict(
        CheckIn.objects.filter(engagement=engagement, day__lte=today).values_list("day", "sober")
    )


def checkin_streak(days: set[date], today: date) -> int:
    day = today if today in days else today - timedelta(days=1)
    streak = 0
    while day in days:
        streak += 1
        day -= timedelta(days=1)
    return streak


@dataclass
class TrendChart:
    """Craving over the last days as SVG coordinates; drawn by a template."""

    width: int
    height: int
    points: str
    dots: list[dict]
    days: int

    @property
    def has_data(self) -> bool:
        return bool(self.dots)


def craving_trend(checkins, *, today: date, days: int = 30) -> TrendChart:
    width, height, pad = 600, 160, 20
    step = (width - 2 * pad) / max(days - 1, 1)
    dots = []
    for checkin in sorted(checkins, key=lambda c: c.day):
        index = (checkin.day - (today - timedelta(days=days - 1))).days
        if not 0 <= index < days:
            continue
        x = round(pad + index * step, 1)
        y = round(height - pad - checkin.craving * (height - 2 * pad) / 10, 1)
        dots.append(
            {"x": x, "y": y, "craving": checkin.craving, "day": checkin.day, "sober": checkin.sober}
        )
    points = " ".join(f"{d['x']},{d['y']}" for d in dots)
    return TrendChart(width=width, height=height, points=points, dots=dots, days=days)


@dataclass
class EngagementReport:
    contact_minutes_by_kind: list[tuple[str, float]]
    checkin_adherence: int | None  # percent of days since start with a check-in (last 30)
    sober_streak: int
    meetings: int
    verified_meetings: int
    alerts_raised: int
    median_ack_minutes: int | None
    follow_through: int | None  # percent of assessed contacts where the plan was followed


def engagement_report(*, engagement: Engagement, today: date | None = None) -> EngagementReport:
    today = today or local_now(engagement.organization).date()
    by_kind = dict(
        Contact.objects.filter(engagement=engagement)
        .values_list("kind")
        .annotate(minutes=Sum("duration_minutes"))
        .values_list("kind", "minutes")
    )
    hours = [
        (ContactKind(kind).label, round(minutes / 60, 1))
        for kind, minutes in sorted(by_kind.items())
    ]
    checkins = sober_history(engagement=engagement, today=today)
    first = engagement.starts_on
    if engagement.activated_at:
        first = max(first, local_now(engagement.organization, engagement.activated_at).date())
    window_start = max(first, today - timedelta(days=29))
    window_days = (today - window_start).days + 1
    in_window = sum(1 for d in checkins if d >= window_start)
    adherence = round(100 * in_window / window_days) if window_days > 0 else None
    meetings = MeetingAttendance.objects.filter(engagement=engagement).aggregate(
        total=Count("id"), verified=Count("id", filter=Q(verified_by__isnull=False))
    )
    meetings_total = (
        meetings["total"]
        + CheckIn.objects.filter(engagement=engagement, meeting_attended=True).count()
    )
    acks = sorted(
        (a.acknowledged_at - a.raised_at).total_seconds() / 60
        for a in Alert.objects.filter(engagement=engagement, acknowledged_at__isnull=False).only(
            "raised_at", "acknowledged_at"
        )
    )
    alerts_raised = Alert.objects.filter(engagement=engagement).count()
    follow = (
        Contact.objects.filter(engagement=engagement)
        .exclude(plan_follow_through=FollowThrough.NOT_ASSESSED)
        .aggregate(
            assessed=Count("id"), yes=Count("id", filter=Q(plan_follow_through=FollowThrough.YES))
        )
    )
    return EngagementReport(
        contact_minutes_by_kind=hours,
        checkin_adherence=adherence,
        sober_streak=sober_streak(checkins, today),
        meetings=meetings_total,
        verified_meetings=meetings["verified"],
        alerts_raised=alerts_raised,
        median_ack_minutes=round(acks[len(acks) // 2]) if acks else None,
        follow_through=round(100 * follow["yes"] / follow["assessed"])
        if follow["assessed"]
        else None,
    )


# --- the coach's dashboard --------------------------------------------------------------


# The caseload ranking as one statement: each engagement's alerts, last contact and two
# weeks of check-ins are aggregated once (LATERAL), the risk is computed from them and the
# page is ordered and cut in SQL. Written out because the ORM spends longer compiling the
# equivalent annotations on every request than PostgreSQL spends running them.
_CASELOAD_SQL = """
SELECT e.public_id, e.status, c.public_id AS client_public_id, c.first_name AS client_first_name,
    c.last_name AS client_last_name, c.preferred_name AS client_preferred_name,
    -- Display values, formatted here rather than once per cell by the template.
    r.risk::text AS risk, a.open_alerts::text AS open_alerts,
    s.days_since_contact::text AS days_since_contact, w.adherence::text AS adherence,
    round(w.craving_recent, 1)::text AS craving_recent,
    round(w.craving_before, 1)::text AS craving_before,
    -- The parts of the risk, so the page can say where a score comes from.
    r.alert_points, r.silence_points, r.adherence_points, r.craving_rise_points,
    r.threshold_points, s.days_silent
FROM coaching_engagement e
JOIN people_client c ON c.id = e.client_id
CROSS JOIN LATERAL (
    SELECT count(*) AS open_alerts FROM coaching_alert
    WHERE organization_id = e.organization_id AND engagement_id = e.id
        AND status IN ('open', 'acknowledged')
) a
CROSS JOIN LATERAL (
    SELECT max(started_at) AS last_contact_at FROM coaching_contact
    WHERE organization_id = e.organization_id AND engagement_id = e.id
) k
CROSS JOIN LATERAL (
    -- Whole days, rounded down as timedelta.days counts them.
    SELECT floor(extract(epoch FROM %(now)s - k.last_contact_at) / 86400)::int
            AS days_since_contact,
        floor(extract(epoch FROM %(now)s - coalesce(k.last_contact_at, e.activated_at))
            / 86400)::int AS days_silent
) s
CROSS JOIN LATERAL (
    SELECT round(100.0 * least(count(*) FILTER (WHERE day > %(week_ago)s), 7) / 7)::int
            AS adherence,
        avg(craving) FILTER (WHERE day > %(week_ago)s) AS craving_recent,
        avg(craving) FILTER (WHERE day <= %(week_ago)s) AS craving_before
    FROM coaching_checkin
    WHERE organization_id = e.organization_id AND engagement_id = e.id
        AND day > %(fortnight_ago)s
) w
CROSS JOIN LATERAL (
    SELECT 30 * a.open_alerts AS alert_points,
        coalesce(least(s.days_silent, 14) * 3, 0) AS silence_points,
        round((100 - w.adherence) / 5.0)::int AS adherence_points,
        coalesce(greatest(round((w.craving_recent - w.craving_before) * 5)::int, 0), 0)
            AS craving_rise_points,
        CASE WHEN w.craving_recent >= e.craving_threshold THEN 10 ELSE 0 END
            AS threshold_points
) p
CROSS JOIN LATERAL (
    SELECT p.*, p.alert_points + p.silence_points + p.adherence_points
        + p.craving_rise_points + p.threshold_points AS risk
) r
WHERE e.organization_id = %(organization)s AND e.coach_id = %(coach)s
    AND e.status IN %(statuses)s
ORDER BY r.risk DESC, c.last_name, e.id
LIMIT %(limit)s OFFSET %(offset)s
"""


class Caseload:
    """A coach's caseload ranked by risk, sliced and counted the way `Paginator` slices
    and counts a queryset: each slice is one statement for that page only."""

    STATUSES = (EngagementStatus.ACTIVE, EngagementStatus.PAUSED)

    def __init__(self, *, membership: Membership, organization, now):
        today = local_now(organization, now).date()
        self.membership = membership
        self.params = {
            "now": now,
            "week_ago": today - timedelta(days=7),
            "fortnight_ago": today - timedelta(days=14),
            "organization": membership.organization_id,
            "coach": membership.pk,
            "statuses": tuple(str(status) for status in self.STATUSES),
        }

    def count(self) -> int:
        return Engagement.objects.filter(
            organization=self.membership.organization_id,
            coach=self.membership,
            status__in=self.STATUSES,
        ).count()

    def __getitem__(self, index: slice) -> list[dict]:
        start, stop = index.start or 0, index.stop
        params = {**self.params, "offset": start, "limit": None if stop is None else stop - start}
        with connection.cursor() as cursor:
            cursor.execute(_CASELOAD_SQL, params)
            names = [column.name for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


RISK_SCALE = (
    "Risk adds 30 for each open alert, 3 for each day without contact (up to 14 days), "
    "1 for every 5 points of check-ins missed this week, 5 for each point cravings rose "
    "over last week, and 10 when cravings reach the plan's threshold. "
    "60 or more is high, 30 to 59 raised, under 30 steady."
)


def risk_band(risk: int) -> tuple[str, str]:
    """The words and the severity of a caseload risk score (RISK_SCALE)."""
    if risk >= 60:
        return "high", "urgent"
    if risk >= 30:
        return "raised", "high"
    return "steady", "ok"


def risk_parts(row: dict) -> list[str]:
    """Where a caseload row's risk comes from, biggest part first; parts worth 0 left out."""
    alerts = int(row["open_alerts"])
    parts = [
        (row["alert_points"], f"{alerts} open alert{'s' if alerts != 1 else ''}"),
        (row["silence_points"], f"{min(row['days_silent'] or 0, 14)} days without contact"),
        (row["adherence_points"], f"check-ins {row['adherence']}% this week"),
        (row["craving_rise_points"], "cravings rising"),
        (row["threshold_points"], "cravings at the threshold"),
    ]
    return [f"{label} ({points})" for points, label in sorted(parts, key=lambda p: -p[0]) if points]


def coach_caseload(*, membership: Membership, organization=None, now=None) -> Caseload:
    """The coach's active and paused engagements as rows with their risk indicators,
    highest risk first; slice it (or page it with `Paginator`) to read it.

    Risk: 30 per open alert; 3 per day without contact since the last contact (or the
    start), up to 14 days; 1 per 5 points of check-in adherence missed over the last 7
    days; 5 per point this week's average craving rose over the week before; 10 when this
    week's average craving reaches the engagement's threshold."""
    return Caseload(
        membership=membership,
        organization=organization or membership.organization,
        now=now or timezone.now(),
    )


def coach_schedule(*, membership: Membership, now=None, days: int = 14) -> QuerySet[HighRiskEvent]:
    now = now or timezone.now()
    return (
        HighRiskEvent.objects.filter(
            organization=membership.organization_id,
            engagement__coach=membership,
            engagement__status__in=OPEN_ENGAGEMENT_STATUSES,
            starts_at__gte=now - timedelta(hours=12),
            starts_at__lte=now + timedelta(days=days),
        )
        .select_related("engagement__client")
        # What the dashboard shows: compiling every column of three tables on each view
        # cost more than running the query.
        .only("public_id", "starts_at", "title", "extra_contacts", *_DASHBOARD_CLIENT)
        .order_by("starts_at")
    )


def coach_open_alerts(*, membership: Membership) -> QuerySet[Alert]:
    return (
        Alert.objects.filter(
            organization=membership.organization_id,
            status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED],
        )
        .filter(Q(engagement__coach=membership) | Q(escalated_to=membership))
        .select_related("engagement__client")
        .only("public_id", "cause", "status", "raised_at", "escalated_at", *_DASHBOARD_CLIENT)
        .order_by("status", "-raised_at")
    )


# The engagement and client fields the dashboard shows beside an alert or a hard day.
_DASHBOARD_CLIENT = (
    "engagement__public_id",
    "engagement__client__first_name",
    "engagement__client__last_name",
    "engagement__client__preferred_name",
    "engagement__client__public_id",
)


# --- coach matching ---------------------------------------------------------------------


def coach_profiles(*, organization) -> QuerySet[CoachProfile]:
    return (
        CoachProfile.objects.filter(organization=organization, membership__is_active=True)
        .select_related("membership__user")
        .prefetch_related("certifications")
        .annotate(
            active_engagements=Count(
                "membership__coaching_engagements",
                filter=Q(
                    membership__coaching_engagements__status__in=[
                        EngagementStatus.ACTIVE,
                        EngagementStatus.PAUSED,
                    ]
                ),
            )
        )
        .order_by("membership__user__full_name")
    )


@dataclass
class CoachMatch:
    profile: CoachProfile
    score: int
    reasons: list[str]


def coach_suggestions(
    *, client: Client, wanted_specialties: list[str] | tuple = (), limit: int = 5
) -> list[CoachMatch]:
    """Coaches with room, ranked by shared language, wanted specialties, and the
    client's substances and conditions matching a specialty."""
    hints = {s.lower() for s in [*client.primary_substances, *client.co_occurring_conditions]}
    implied = set(wanted_specialties)
    if hints & {"alcohol"}:
        implied.add("alcohol")
    if hints & {"opioids", "heroin", "fentanyl", "oxycodone"}:
        implied.add("opioids")
    if client.co_occurring_conditions:
        implied.add("co_occurring")
    language = (client.preferred_language or "en").lower()
    matches = []
    for profile in coach_profiles(organization=client.organization_id).filter(
        accepting_clients=True
    ):
        room = profile.capacity - profile.active_engagements
        if room <= 0:
            continue
        score, reasons = 0, []
        if language in profile.languages:
            score += 40
            reasons.append(f"Speaks {language}")
        shared = implied & set(profile.specialties)
        if shared:
            score += 20 * len(shared)
            reasons.append("Specialties: " + ", ".join(sorted(shared)))
        if profile.lived_experience:
            score += 5
            reasons.append("Lived experience")
        score += min(room, 5)
        reasons.append(f"{room} open place{'s' if room != 1 else ''}")
        matches.append(CoachMatch(profile=profile, score=score, reasons=reasons))
    matches.sort(key=lambda m: (-m.score, m.profile.membership.user.full_name))
    return matches[:limit]


def coach_memberships(*, organization) -> QuerySet[Membership]:
    return active_members_with(organization=organization, roles=[Role.SOBER_COACH])


def cohort_engaged(*, episodes):
    """The episodes a coach worked on: an engagement that started (active, paused or
    completed), or one ended early after at least one contact (a proposal the client
    turned down is not engagement)."""
    started = Engagement.objects.filter(episode__isnull=False).filter(
        Q(status__in=[EngagementStatus.ACTIVE, EngagementStatus.PAUSED, EngagementStatus.COMPLETED])
        | Q(status=EngagementStatus.ENDED_EARLY, contacts__isnull=False)
    )
    return episodes.filter(pk__in=started.values("episode_id"))
