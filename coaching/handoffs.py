"""What coaching does when a care episode moves along the continuum."""

from continuum.care.models import PhaseTransition
from continuum.tenancy.models import Role

from .models import OPEN_ENGAGEMENT_STATUSES, Engagement
from .selectors import coach_suggestions
from .services import engagement_propose


def propose_engagement(*, transition: PhaseTransition) -> None:
    """Propose a sober-coach engagement for the newly discharged client, with the best
    matching coach who has room. A client already in coaching keeps their engagement; an
    alumnus who came back for case management only is not offered a coach."""
    if not transition.wants_line(Role.SOBER_COACH):
        # A returning alumnus asked for case management, not a coach.
        return
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
