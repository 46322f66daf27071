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
from django.http import Http404
from django.utils import timezone

from continuum.people.models import Client, client_display_name
from continuum.people.selectors import (
    active_care_team,
    client_list_for,
    client_search,
)
from continuum.tenancy.models import Membership, Role

from .models import CareEpisode, HandoffRun, HandoffStatus, Phase, PhaseTransition, Task, TaskStatus


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


def _current_team() -> ArraySubquery:
    """Each client's current care team as "role:name" strings, by role: a sub-select of
    the page query, so it runs for the rows of the page only."""
    name = Coalesce(
        NullIf("membership__user__full_name", Value("")),
        "membership__user__email",
        output_field=TextField(),
    )
    return ArraySubquery(
        active_care_team()
        .filter(client=OuterRef("pk"))
        .order_by("role", "pk")
        .values(entry=Concat("role", Value(":"), name, output_field=TextField()))
    )


def client_directory(
    *, membership: Membership, text: str = "", phase: str = "", care_team_role: str = ""
) -> QuerySet[dict]:
    """The staff client list as plain rows (no model instances: a page shows only these
    fields): visible clients with the phase of their latest episode and their current
    care team, searchable and filterable. `client_directory_page` turns a page of rows
    into display values."""
    clients = client_search(
        client_list_for(membership=membership), text=text, care_team_role=care_team_role
    )
    clients = clients.annotate(current_phase=_latest_episode("phase"))
    if phase == "none":
        clients = clients.filter(current_phase__isnull=True)
    elif phase:
        clients = clients.filter(current_phase=phase)
    return (
        clients.annotate(team=_current_team())
        .order_by("last_name", "first_name", "pk")
        .values(*CLIENT_ROW_FIELDS)
    )


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
    try:
        return (
            episode_list_for(membership=membership)
            .select_related("organization")
            .get(public_id=episode_id)
        )
    except (CareEpisode.DoesNotExist, ValueError):
        raise Http404("No such episode.") from None


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


def _my_tasks_filter(membership: Membership) -> Q:
    return Q(assignee=membership) | Q(assignee__isnull=True, queue_role__in=list(membership.roles))


def task_list_for(*, membership: Membership, status: str = TaskStatus.OPEN) -> QuerySet[Task]:
    """My work: tasks assigned to me, and unassigned tasks queued for a role I hold.
    Overdue first, then by due date (undated last), then by priority."""
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
            priority_rank=Case(
                When(priority="high", then=Value(0)),
                When(priority="low", then=Value(2)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .order_by("overdue", "due_at", "priority_rank", "created_at", "id")
    )


def task_get_for(*, membership: Membership, task_id) -> Task:
    """A task the member may work on: theirs or their queue's; admins may reach any."""
    tasks = Task.objects.filter(organization=membership.organization_id)
    if not membership.has_role(Role.ORG_ADMIN):
        tasks = tasks.filter(_my_tasks_filter(membership))
    try:
        return tasks.select_related("client", "assignee__user", "organization").get(
            public_id=task_id
        )
    except (Task.DoesNotExist, ValueError):
        raise Http404("No such task.") from None


def handoff_runs_failed(*, organization) -> QuerySet[HandoffRun]:
    return (
        HandoffRun.objects.filter(organization=organization, status=HandoffStatus.FAILED)
        .select_related("transition__episode__client")
        .order_by("-last_attempt_at", "-id")
    )


def handoff_run_get(*, organization, handoff_run_id) -> HandoffRun:
    try:
        return HandoffRun.objects.filter(organization=organization).get(public_id=handoff_run_id)
    except (HandoffRun.DoesNotExist, ValueError):
        raise Http404("No such handoff.") from None
