"""Entering aftercare, the case manager is asked to offer the client a portal login:
the client decides, and only then does staff send the invitation from the record."""

from datetime import timedelta

from django.db import transaction

from continuum.care.models import Task, TaskKind

from ..models import CarePlan
from ._shared import _task_for, plan_owner

PORTAL_OFFER_WITHIN = timedelta(days=7)


@transaction.atomic
def portal_offer_task_ensure(*, transition) -> Task | None:
    """One "offer the portal" task per discharge into aftercare, for the client's case
    manager (or their queue), unless the client can already sign in."""
    episode = transition.episode
    client = episode.client
    if client.portal_user_id is not None:
        return None
    plan = CarePlan.objects.filter(client=client, episode=episode).first()
    where = (
        f"the e-mail on record ({client.email})" if client.email else "an e-mail address they give"
    )
    return _task_for(
        client=client,
        owner=plan_owner(client=client, plan=plan),
        title=f"Offer {client.display_name} the client portal",
        detail=(
            f"Ask {client.display_name} whether they want a portal login for check-ins, "
            "questionnaires, appointments and messages. If they agree, use “Invite to the "
            f"portal” on their record: they sign in with a code sent to {where}."
        ),
        episode=episode,
        due_at=episode.discharged_at(recorded_at=transition.at) + PORTAL_OFFER_WITHIN,
        kind=TaskKind.FOLLOW_UP,
        source="handoff:casemanagement.portal_offer",
        dedup_key=f"handoff:casemanagement.portal_offer:{transition.public_id}",
    )
