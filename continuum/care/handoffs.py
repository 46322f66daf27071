"""The handoff registry, and the care spine's own handoffs (registered in
`care/extensions.py`). Every app keeps its handoffs in its own `handoffs.py` and
registers them from its `extensions.py`."""

from datetime import timedelta

from continuum.people.selectors import case_manager_for
from continuum.tenancy.models import Role

from .models import Phase, PhaseTransition, TaskKind
from .registry import Handoff, HandoffRegistry, registry
from .services import task_create

__all__ = ["Handoff", "HandoffRegistry", "registry"]

FIRST_CONTACT_WITHIN = timedelta(hours=72)


def _dedup(name: str, transition: PhaseTransition) -> str:
    return f"handoff:{name}:{transition.public_id}"


def inquiry_triage(*, transition: PhaseTransition) -> None:
    """Intake triages a new inquiry within the organization's response time. An inquiry
    already decided (the handoff ran late) needs no triage."""
    episode = transition.episode
    if episode.phase != Phase.INQUIRY:
        return
    organization = episode.organization
    task_create(
        actor=None,
        organization=organization,
        title=f"Triage new inquiry for {episode.client.display_name}",
        queue_role=Role.INTAKE_COORDINATOR,
        client=episode.client,
        episode=episode,
        due_at=transition.at + timedelta(hours=organization.response_time_hours),
        kind=TaskKind.DEADLINE,
        source="handoff:care.inquiry_triage",
        dedup_key=_dedup("care.inquiry_triage", transition),
    )


def aftercare_first_contact(*, transition: PhaseTransition) -> None:
    """The client's case manager (else intake) reaches the client within 72 hours of
    discharge: the highest-risk days after residential treatment."""
    episode = transition.episode
    case_manager = case_manager_for(client=episode.client)
    task_create(
        actor=None,
        organization=episode.organization,
        title=f"First contact with {episode.client.display_name} within 72 h of discharge",
        assignee=case_manager,
        queue_role="" if case_manager else Role.INTAKE_COORDINATOR,
        client=episode.client,
        episode=episode,
        due_at=episode.discharged_at(recorded_at=transition.at) + FIRST_CONTACT_WITHIN,
        kind=TaskKind.DEADLINE,
        source="handoff:care.aftercare_first_contact",
        dedup_key=_dedup("care.aftercare_first_contact", transition),
    )
