"""The client's agreement to be contacted for follow-up after discharge."""

from django.db import transaction
from django.utils import timezone

from continuum.audit.services import audit_change
from continuum.care.models import CareEpisode, Phase
from continuum.notifications.services import notification_cancel

from ..models import OPEN_STATUSES, AgreementSource, FollowUp, FollowUpAgreement, FollowUpStatus
from .schedule import STEPS, follow_up_enroll, message_keys


def agreement_for(*, client) -> FollowUpAgreement | None:
    return (
        FollowUpAgreement.objects.filter(organization_id=client.organization_id, client=client)
        .select_related("recorded_by")
        .first()
    )


def has_agreed(*, client) -> bool:
    agreement = agreement_for(client=client)
    return agreement is not None and agreement.agreed


@transaction.atomic
def agreement_record(*, actor, client, agreed: bool, source: str) -> FollowUpAgreement:
    """Record that the client agrees (or no longer agrees) to follow-up contact.

    Agreeing enrolls a client already discharged to aftercare in the schedule (and puts
    back the follow-ups a revocation cancelled that are still ahead). Revoking cancels
    every follow-up not yet answered and every message of theirs still waiting in the
    outbox: nothing more is sent."""
    if source not in AgreementSource.values:
        raise ValueError(f"Unknown agreement source {source!r}.")
    organization = client.organization
    agreement, _created = FollowUpAgreement.objects.select_for_update().update_or_create(
        organization=organization,
        client=client,
        defaults={
            "agreed": bool(agreed),
            "source": source,
            "recorded_by": actor,
            "recorded_at": timezone.now(),
        },
    )
    audit_change(
        actor,
        organization,
        "follow_up_agreement.given" if agreed else "follow_up_agreement.revoked",
        agreement,
        client.public_id,
        detail={"source": source},
    )
    if agreed:
        today = timezone.localdate()
        FollowUp.objects.filter(
            organization=organization,
            client=client,
            status=FollowUpStatus.CANCELLED,
            due_on__gte=today,
            completed_at__isnull=True,
        ).update(status=FollowUpStatus.SCHEDULED)
        episode = (
            CareEpisode.objects.filter(
                organization=organization,
                client=client,
                phase__in=[Phase.AFTERCARE, Phase.ALUMNI],
            )
            .order_by("-id")
            .first()
        )
        if episode is not None:
            follow_up_enroll(episode=episode, discharged_on=_discharged_on(episode))
    else:
        for follow_up in FollowUp.objects.select_for_update().filter(
            organization=organization, client=client, status__in=OPEN_STATUSES
        ):
            follow_up.status = FollowUpStatus.CANCELLED
            follow_up.link_nonce = ""
            follow_up.save(update_fields=["status", "link_nonce"])
            for step in STEPS:
                for key in message_keys(follow_up, step):
                    notification_cancel(organization=organization, dedup_key=key, actor=actor)
    return agreement


def _discharged_on(episode: CareEpisode):
    if episode.discharge_date is not None:
        return episode.discharge_date
    entered = episode.transitions.filter(to_phase=Phase.AFTERCARE).order_by("-at").first()
    return timezone.localdate(entered.at) if entered else timezone.localdate()


def discharged_on(*, episode: CareEpisode):
    """The day the schedule counts from: the discharge date, else the day the episode
    entered aftercare."""
    return _discharged_on(episode)
