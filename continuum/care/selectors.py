from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    Case,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, NullIf
from django.urls import reverse
from django.utils import timezone

from continuum.compiled import CompiledQuery
from continuum.people.models import Client, client_display_name
from continuum.people.selectors import (
    active_care_team,
    client_list_for,
    client_search,
)
from continuum.tenancy.models import STAFF_ROLES, Membership, Role
from continuum.tenancy.selectors import active_members_with, get_or_404

from . import safety
from .models import (
    PRIORITY_RANK,
    AskedAs,
    CareEpisode,
    HandoffRun,
    HandoffStatus,
    OnCallShift,
    Phase,
    PhaseTransition,
    SafetyEvent,
    SafetyStatus,
    Task,
    TaskStatus,
)


def _latest_episode(field: str) -> Subquery:
    return Subquery(
        CareEpisode.objects.filter(client=OuterRef("pk")).order_by("-opened_at").values(field)[:1]
    )


PHASE_LABELS = dict(Phase.choices)
ROLE_LABELS = dict(Role.choices)
CLIENT_ROW_FIELDS = (
    "public_id",
    "first_name",
    "last_name",
    "preferred_name",
    "preferred_language",
    "current_phase",
    "team",
)


def _current_team(day=None) -> ArraySubquery:
    """Each client's current care team as "role:name" strings, by role: a sub-select of
    the page query, so it runs for the rows of the page only."""
    name = Coalesce(
        NullIf("membership__user__full_name", Value("")),
        "membership__user__email",
        output_field=TextField(),
    )
    return ArraySubquery(
        active_care_team(day=day)
        .filter(client=OuterRef("pk"))
        .order_by("role", "pk")
        .values(entry=Concat("role", Value(":"), name, output_field=TextField()))
    )


def _client_rows(
    *, membership, text="", phase="", care_team_role="", day=None, now=None, count=False
) -> QuerySet[dict]:
    clients = client_search(
        client_list_for(membership=membership, day=day, now=now),
        text=text,
        care_team_role=care_team_role,
        day=day,
    )
    clients = clients.annotate(current_phase=_latest_episode("phase"))
    if phase == "none":
        clients = clients.filter(current_phase__isnull=True)
    elif phase:
        clients = clients.filter(current_phase=phase)
    if count:
        return clients.values("pk")
    return (
        clients.annotate(team=_current_team(day))
        .order_by("last_name", "first_name", "pk")
        .values(*CLIENT_ROW_FIELDS)
    )


def client_directory(
    *, membership: Membership, text: str = "", phase: str = "", care_team_role: str = ""
):
    """The staff client list as plain rows (no model instances: a page shows only these
    fields): visible clients with the phase of their latest episode and their current
    care team, searchable and filterable; slice it (or page it with `Paginator`) to read
    it. `client_directory_page` turns a page of rows into display values.

    Without a name search its two statements (count, page) are compiled once per process
    for each set of roles and filters (`_DIRECTORY`); a name search builds its queryset on
    each call."""
    if text.split():
        return _client_rows(
            membership=membership, text=text, phase=phase, care_team_role=care_team_role
        )
    return ClientDirectory(membership=membership, phase=phase, care_team_role=care_team_role)


def _directory_query(shape, *, organization, membership, user, day, now, phase, role):
    roles, phase_kind, by_role, count = shape
    viewer = Membership(pk=membership, organization_id=organization, user_id=user, roles=roles)
    return _client_rows(
        membership=viewer,
        phase={"": "", "none": "none", "one": phase}[phase_kind],
        care_team_role=role if by_role else "",
        day=day,
        now=now,
        count=count,
    )


_DIRECTORY = CompiledQuery(
    _directory_query,
    organization=(2_000_000_001, 2_000_000_002),
    membership=(2_000_000_003, 2_000_000_004),
    user=(2_000_000_005, 2_000_000_006),
    day=(date(1901, 1, 1), date(1902, 2, 2)),
    now=(datetime(1901, 1, 1, tzinfo=UTC), datetime(1902, 2, 2, tzinfo=UTC)),
    phase=("compiled-phase-1", "compiled-phase-2"),
    role=("compiled-role-1", "compiled-role-2"),
)


class ClientDirectory:
    """`client_directory` without a name search: counted and sliced the way `Paginator`
    counts and slices a queryset, each one compiled statement."""

    def __init__(self, *, membership: Membership, phase: str, care_team_role: str):
        # The visibility rule follows the member's roles: each set of roles, and an
        # inactive member (who sees nothing), has its own statement.
        roles = sorted(membership.roles) if membership.is_active else []
        self.shape = (
            tuple(roles),
            "none" if phase == "none" else ("one" if phase else ""),
            bool(care_team_role),
        )
        self.values = {
            "organization": membership.organization_id,
            "membership": membership.pk,
            "user": membership.user_id,
            "day": timezone.localdate(),
            "now": timezone.now(),
            "phase": phase,
            "role": care_team_role,
        }

    def count(self) -> int:
        return _DIRECTORY.count((*self.shape, True), **self.values)

    def __getitem__(self, index: slice) -> list[dict]:
        return _DIRECTORY.rows(
            (*self.shape, False), offset=index.start or 0, stop=index.stop, **self.values
        )

    def __iter__(self):
        return iter(self[0:None])


def _team_member(entry: str) -> str:
    role, name = entry.split(":", 1)
    return f"{name} ({ROLE_LABELS.get(role, role)})"


def client_directory_page(rows) -> list[dict]:
    """Display values for a page of `client_directory` rows."""
    return [
        {
            "public_id": row["public_id"],
            "name": client_display_name(row["first_name"], row["last_name"], row["preferred_name"]),
            "legal_name": f"{row['first_name']} {row['last_name']}"
            if row["preferred_name"]
            else "",
            "phase": row["current_phase"] or "",
            "phase_label": PHASE_LABELS.get(row["current_phase"], ""),
            "care_team": ", ".join(_team_member(entry) for entry in row["team"]),
            "language": row["preferred_language"],
        }
        for row in rows
    ]


def episode_list_for(*, membership: Membership) -> QuerySet[CareEpisode]:
    return (
        CareEpisode.objects.filter(client__in=client_list_for(membership=membership).values("pk"))
        .select_related("client")
        .order_by("-opened_at", "-id")
    )


def episode_get_for(*, membership: Membership, episode_id) -> CareEpisode:
    return get_or_404(
        episode_list_for(membership=membership).select_related("organization"),
        episode_id,
        what="episode",
    )


def episode_current(*, client: Client) -> CareEpisode | None:
    """The open episode, else the most recent one."""
    return (
        CareEpisode.objects.filter(client=client)
        .annotate(open_first=Case(When(phase=Phase.CLOSED, then=Value(1)), default=Value(0)))
        .order_by("open_first", "-opened_at")
        .first()
    )


def episode_transitions(*, episode: CareEpisode) -> QuerySet[PhaseTransition]:
    return episode.transitions.select_related("actor").order_by("-at", "-id")


def _priority_rank() -> Case:
    return Case(
        *(When(priority=p, then=Value(rank)) for p, rank in PRIORITY_RANK.items()),
        default=Value(len(PRIORITY_RANK)),
        output_field=IntegerField(),
    )


def _my_tasks_filter(membership: Membership) -> Q:
    return Q(assignee=membership) | Q(assignee__isnull=True, queue_role__in=list(membership.roles))


def task_list_for(*, membership: Membership, status: str = TaskStatus.OPEN) -> QuerySet[Task]:
    """My work: tasks assigned to me, and unassigned tasks queued for a role I hold.
    By priority (urgent first), then overdue first, then by due date (undated last)."""
    tasks = Task.objects.filter(organization=membership.organization_id).filter(
        _my_tasks_filter(membership)
    )
    if status:
        tasks = tasks.filter(status=status)
    return (
        tasks.select_related("client", "assignee__user")
        .annotate(
            overdue=Case(
                When(status=TaskStatus.OPEN, due_at__lt=timezone.now(), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            priority_rank=_priority_rank(),
        )
        .order_by("priority_rank", "overdue", "due_at", "created_at", "id")
    )


def task_get_for(*, membership: Membership, task_id) -> Task:
    """A task the member may work on: theirs or their queue's; admins may reach any."""
    tasks = Task.objects.filter(organization=membership.organization_id)
    if not membership.has_role(Role.ORG_ADMIN):
        tasks = tasks.filter(_my_tasks_filter(membership))
    return get_or_404(
        tasks.select_related("client", "assignee__user", "organization"), task_id, what="task"
    )


def handoff_runs_failed(*, organization) -> QuerySet[HandoffRun]:
    return (
        HandoffRun.objects.filter(organization=organization, status=HandoffStatus.FAILED)
        .select_related("transition__episode__client")
        .order_by("-last_attempt_at", "-id")
    )


def handoff_run_get(*, organization, handoff_run_id) -> HandoffRun:
    return get_or_404(
        HandoffRun.objects.filter(organization=organization), handoff_run_id, what="handoff"
    )


# --- safety events ----------------------------------------------------------------------


def on_call_now(*, organization, when: datetime | None = None) -> list[Membership]:
    """Who the rota has on call at `when` (organization's local time), in shift order; the
    fallback when the rota covers nobody then. A shift ending at or before its start runs
    past midnight into the next day."""
    local = timezone.localtime(when or timezone.now(), ZoneInfo(organization.timezone))
    today, now_time = local.weekday(), local.time()
    yesterday = (today - 1) % 7
    shifts = (
        OnCallShift.objects.filter(organization=organization, membership__is_active=True)
        .filter(Q(weekday=today) | Q(weekday=yesterday))
        .select_related("membership__user")
        .order_by("starts_at", "id")
    )
    found: list[Membership] = []
    for shift in shifts:
        overnight = shift.ends_at <= shift.starts_at
        if shift.weekday == today:
            covers = shift.starts_at <= now_time and (overnight or now_time < shift.ends_at)
        else:
            covers = overnight and now_time < shift.ends_at
        if covers and shift.membership not in found:
            found.append(shift.membership)
    if found:
        return found
    fallback = organization.on_call_fallback
    if fallback is not None and fallback.is_active:
        return [fallback]
    return []


def responsible_for(*, client, kind: str, when: datetime | None = None) -> list[tuple]:
    """Who answers for `client` right now, in order, as (membership, asked_as, role):
    the current care team, the event's own line first (case manager, sober coach,
    interventionist), then whoever is on call (or the rota's fallback). The admins,
    asked last and all at once, are not in the list."""
    when = when or timezone.now()
    line = safety.get(kind).line
    roles = [line, *(r for r in safety.CARE_TEAM_ORDER if r != line)]
    team = (
        active_care_team(day=timezone.localdate(when, ZoneInfo(client.organization.timezone)))
        .filter(client=client, role__in=roles, membership__is_active=True)
        .select_related("membership__user")
        .order_by("started_on", "pk")
    )
    by_role = sorted(team, key=lambda link: roles.index(link.role))
    order: list[tuple] = []
    seen: set[int] = set()
    for link in by_role:
        if link.membership_id in seen or not safety.available(link.membership, when):
            continue
        seen.add(link.membership_id)
        order.append((link.membership, AskedAs.CARE_TEAM, link.role))
    organization = client.organization
    rota = on_call_now(organization=organization, when=when)
    on_call_as = AskedAs.ON_CALL
    if rota and rota == [organization.on_call_fallback]:
        on_call_as = AskedAs.FALLBACK
    for membership in rota:
        if membership.pk not in seen:
            seen.add(membership.pk)
            order.append((membership, on_call_as, ""))
    return order


def safety_event_open_today(*, client, when: datetime | None = None) -> SafetyEvent | None:
    """The client's event of today still waiting for acknowledgement, if any."""
    local_day = timezone.localdate(when or timezone.now(), ZoneInfo(client.organization.timezone))
    start = datetime.combine(local_day, time.min, tzinfo=ZoneInfo(client.organization.timezone))
    return (
        SafetyEvent.objects.filter(client=client, status=SafetyStatus.OPEN, raised_at__gte=start)
        .order_by("-raised_at")
        .first()
    )


def safety_event_latest(*, client) -> SafetyEvent | None:
    """The client's latest event, for the page that answers the person who raised it."""
    return (
        SafetyEvent.objects.filter(client=client)
        .select_related("asked__user", "organization")
        .order_by("-raised_at", "-id")
        .first()
    )


def safety_event_get_for(*, membership: Membership, safety_event_id) -> SafetyEvent:
    """An event of a client the member may see (the person asked always may: they hold a
    follow-up grant); 404 for missing and not-visible alike."""
    return get_or_404(
        SafetyEvent.objects.filter(
            organization=membership.organization_id,
            client__in=client_list_for(membership=membership),
        ).select_related("client", "asked__user", "acknowledged_by", "organization"),
        safety_event_id,
        what="safety event",
    )


def safety_events_waiting_for(*, membership: Membership) -> QuerySet[SafetyEvent]:
    """Events waiting for this member's acknowledgement (admins: those at the admin step)."""
    asked = Q(asked=membership)
    if membership.has_role(Role.ORG_ADMIN):
        asked |= Q(asked_as=AskedAs.ADMINS) | Q(asked_as=AskedAs.NOBODY)
    return (
        SafetyEvent.objects.filter(
            organization=membership.organization_id, status=SafetyStatus.OPEN
        )
        .filter(asked)
        .select_related("client")
        .order_by("raised_at", "id")
    )


def safety_alerts_for(*, membership: Membership) -> list[dict]:
    """The alerts at the top of My work: the safety events waiting for this member's
    acknowledgement, as `title`, `detail`, `url` and `level`."""
    found = []
    for event in safety_events_waiting_for(membership=membership)[:20]:
        kind = safety.KINDS.get(event.latest_kind)
        found.append(
            {
                "title": f"Same-day call: {event.client.display_name}",
                "detail": (kind.label if kind else event.latest_kind)
                + (f" · {event.count} today" if event.count > 1 else "")
                + " · acknowledge it",
                "url": reverse(
                    "staff:safety_event",
                    kwargs={
                        "org": membership.organization.slug,
                        "safety_event_id": event.public_id,
                    },
                ),
                "level": "danger",
            }
        )
    return found


def on_call_shifts(*, organization) -> QuerySet[OnCallShift]:
    return OnCallShift.objects.filter(organization=organization).select_related("membership__user")


def on_call_candidates(*, organization) -> QuerySet[Membership]:
    """Active staff who can be put on call."""
    return active_members_with(organization=organization, roles=STAFF_ROLES)
