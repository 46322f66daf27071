"""What the intervention line does when an episode it planned enters residential:
the program is told who is arriving, and intake forms the aftercare team-to-be."""

from datetime import timedelta

from continuum.care.handoffs import handoff_task
from continuum.care.models import PhaseTransition
from continuum.tenancy.models import Role

from .models import Intervention, Outcome


def admission_handoff(*, transition: PhaseTransition) -> None:
    """After an accepted intervention: hand the client to the residential program and
    start forming the aftercare team (case manager and sober coach) before discharge."""
    episode = transition.episode
    intervention = (
        Intervention.objects.filter(episode=episode, outcome=Outcome.ACCEPTED)
        .select_related("interventionist")
        .first()
    )
    if intervention is None:
        return
    client = episode.client
    program = intervention.program_name or "the residential program"
    contact = (
        f" Admission contact: {intervention.admission_contact}."
        if intervention.admission_contact
        else ""
    )
    handoff_task(
        "interventions.admission_handoff",
        transition,
        title=f"Hand {client.display_name} over to {program}",
        detail="Send the intake summary and the family contacts to the program." + contact,
        assignee=intervention.interventionist,
        due_at=transition.at + timedelta(hours=24),
    )
    handoff_task(
        "interventions.aftercare_team",
        transition,
        title=f"Form the aftercare team for {client.display_name}",
        detail="Choose a case manager and a sober coach before discharge.",
        queue_role=Role.INTAKE_COORDINATOR,
        due_at=transition.at + timedelta(days=7),
    )
