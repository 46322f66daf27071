"""What follow-up does when an episode enters aftercare."""

from datetime import timedelta

from django.db import transaction

from continuum.care.handoffs import handoff_task
from continuum.care.models import PhaseTransition
from continuum.tenancy.models import Role

from ._shared import reacher_for
from .agreements import discharged_on, has_agreed
from .schedule import follow_up_enroll

HANDOFF = "outcomes.enroll_follow_up"
ASK_WITHIN = timedelta(days=7)


@transaction.atomic
def follow_up_discharge(*, transition: PhaseTransition) -> str:
    """Enroll the client in the follow-up schedule when they have agreed to follow-up
    contact; otherwise give their case manager (else coach, else intake) the task of
    asking them. Returns "enrolled" or "asked"."""
    episode = transition.episode
    client = episode.client
    if has_agreed(client=client):
        follow_up_enroll(episode=episode, discharged_on=discharged_on(episode=episode))
        return "enrolled"
    reacher = reacher_for(client=client)
    handoff_task(
        HANDOFF,
        transition,
        title=f"Ask {client.display_name} whether they agree to follow-up contact",
        detail=(
            "No agreement to follow-up contact is on record, so no follow-up survey will be "
            "sent. Ask the client and record the answer on their follow-up page."
        ),
        assignee=reacher,
        queue_role="" if reacher else Role.INTAKE_COORDINATOR,
        due_at=transition.at + ASK_WITHIN,
    )
    return "asked"
