"""The handoff registry, and the care spine's own handoffs (registered in
`care/extensions.py`). Every app keeps its handoffs in its own `handoffs.py` and
registers them from its `extensions.py`."""

from datetime import timedelta

from continuum.people.selectors import case_manager_for
from continuum.tenancy.models import Role

from .models import Phase, PhaseTransition, Task, TaskKind
from .registry import Handoff, HandoffRegistry, registry
from .services import task_create

__all__ = ["Handoff", "HandoffRegistry", "handoff_task", "registry"]

FIRST_CONTACT_WITHIN = timedelta(hours=72)


def _dedup(name: str, transition: PhaseTransition) -> str:
    return f"handoff:{name}:{transition.public_id}"


def handoff_task(
    name: str,
    transition: PhaseTransition,
    *,
    title: str,
    due_at,
    assignee=None,
    queue_role: str = "",
    detail: str = "",
) -> Task:
    """The deadline the handoff `name` sets for someone about the transition's client.
    Its source names the handoff, and its de-duplication key the handoff and the
    transition, so a handoff run again (a retry, by hand) finds the task it made."""
    episode = transition.episode
    return task_create(
        actor=None,
        organization=episode.organization,
        title=title,
        detail=detail,
        assignee=assignee,
        queue_role=queue_role,
        client=episode.client,
        episode=episode,
        due_at=due_at,
        kind=TaskKind.DEADLINE,
        source=f"handoff:{name}",
        dedup_key=_dedup(name, transition),
    )


def inquiry_triage(*, transition: PhaseTransition) -> None:
    """Intake triages a new inquiry within the organization's response time. An inquiry
    already decided (the handoff ran late) needs no triage."""
    episode = transition.episode
    if episode.phase != Phase.INQUIRY:
        return
    handoff_task(
        "care.inquiry_triage",
        transition,
        title=f"Triage new inquiry for {episode.client.display_name}",
        queue_role=Role.INTAKE_COORDINATOR,
        due_at=transition.at + timedelta(hours=episode.organization.response_time_hours),
    )


def aftercare_first_contact(*, transition: PhaseTransition) -> None:
    """The client's case manager (else intake) reaches the client within 72 hours of
    discharge: the highest-risk days after residential treatment."""
    episode = transition.episode
    case_manager = case_manager_for(client=episode.client)
    handoff_task(
        "care.aftercare_first_contact",
        transition,
        title=f"First contact with {episode.client.display_name} within 72 h of discharge",
        assignee=case_manager,
        queue_role="" if case_manager else Role.INTAKE_COORDINATOR,
        due_at=episode.discharged_at(recorded_at=transition.at) + FIRST_CONTACT_WITHIN,
    )
