"""The handoff registry, and the care spine's own handoffs (registered in
`care/extensions.py`). Every app keeps its handoffs in its own `handoffs.py` and
registers them from its `extensions.py`."""

from datetime import timedelta

from continuum.people.selectors import care_team_member_for, case_manager_for
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


RETURN_ASKED_FOR = {
    Role.SOBER_COACH: "a sober coach again",
    Role.CASE_MANAGER: "help with services",
}


def first_contact_title(transition: PhaseTransition) -> str:
    name = transition.episode.client.display_name
    if transition.is_return:
        asked = RETURN_ASKED_FOR.get(transition.return_line, "help from the team")
        return f"Contact {name} within 72 h: back from alumni, asked for {asked}"
    return f"First contact with {name} within 72 h of discharge"


def first_contact_person(transition: PhaseTransition):
    """Who makes the first contact: the client's case manager; a returning alumnus who
    asked for a coach, the sober coach on their team. None: the intake queue."""
    client = transition.episode.client
    if transition.return_line == Role.SOBER_COACH:
        return care_team_member_for(client=client, role=Role.SOBER_COACH)
    return case_manager_for(client=client)


def aftercare_first_contact(*, transition: PhaseTransition) -> None:
    """The client's case manager (else intake) reaches the client within 72 hours of
    discharge: the highest-risk days after residential treatment. An alumnus who asked
    for help again is reached within 72 hours of asking, by the line they asked for."""
    person = first_contact_person(transition)
    handoff_task(
        "care.aftercare_first_contact",
        transition,
        title=first_contact_title(transition),
        assignee=person,
        queue_role="" if person else Role.INTAKE_COORDINATOR,
        due_at=transition.first_contact_due(FIRST_CONTACT_WITHIN),
    )
