"""What coaching does when a care episode moves along the continuum."""

from continuum.care.models import PhaseTransition

from .models import OPEN_ENGAGEMENT_STATUSES, Engagement
from .selectors import coach_suggestions
from .services import engagement_propose


def propose_engagement(*, transition: PhaseTransition) -> None:
    """Propose a sober-coach engagement for the newly discharged client, with the best
    matching coach who has room. A client already in coaching keeps their engagement."""
    episode = transition.episode
    client = episode.client
    if Engagement.objects.filter(client=client, status__in=OPEN_ENGAGEMENT_STATUSES).exists():
        return
    matches = coach_suggestions(client=client, limit=1)
    engagement_propose(
        actor=None,
        client=client,
        episode=episode,
        coach=matches[0].profile.membership if matches else None,
        starts_on=transition.at.date(),
    )
