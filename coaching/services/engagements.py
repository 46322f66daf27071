"""Engagements: proposed, changed, and moved through their statuses."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from continuum.audit.services import SYSTEM_ACTOR, audit_change, client_id_of
from continuum.care.models import CareEpisode
from continuum.people.models import Client
from continuum.people.selectors import active_care_team
from continuum.people.services import care_team_add
from continuum.tenancy.models import Membership, Role

from ..models import (
    OPEN_ENGAGEMENT_STATUSES,
    Alert,
    AlertStatus,
    Engagement,
    EngagementStatus,
)
from ._shared import _audit, _full_clean, _require_open
from .alerts import _alert_clear

# What engagement_propose and engagement_update write; the form and the API show the same.
ENGAGEMENT_SETTINGS = (
    "intensity",
    "starts_on",
    "planned_end_on",
    "goals",
    "includes_monitoring",
    "checkin_due_time",
    "missed_checkin_days",
    "missed_checkin_urgent",
    "craving_threshold",
    "no_contact_days",
    "acknowledge_within_minutes",
)


def _validate_coach(coach: Membership | None, organization_id: int) -> None:
    if coach is None:
        return
    if (
        coach.organization_id != organization_id
        or not coach.is_active
        or not coach.has_role(Role.SOBER_COACH)
    ):
        raise ValidationError({"coach": "Choose an active sober coach of this organization."})


@transaction.atomic
def engagement_propose(
    *,
    actor,
    client: Client,
    coach: Membership | None = None,
    episode: CareEpisode | None = None,
    **values,
) -> Engagement:
    """Propose coaching for a client. A client has at most one open engagement."""
    unknown = set(values) - set(ENGAGEMENT_SETTINGS)
    if unknown:
        raise TypeError(f"Unknown engagement settings: {', '.join(sorted(unknown))}")
    _validate_coach(coach, client.organization_id)
    if Engagement.objects.filter(client=client, status__in=OPEN_ENGAGEMENT_STATUSES).exists():
        raise ValidationError(
            {"client": f"{client.display_name} already has an open coaching engagement."}
        )
    engagement = Engagement(
        organization_id=client.organization_id,
        client=client,
        coach=coach,
        episode=episode,
        **values,
    )
    _full_clean(engagement)
    if engagement.planned_end_on and engagement.planned_end_on < engagement.starts_on:
        raise ValidationError({"planned_end_on": "The planned end is before the start."})
    try:
        with transaction.atomic():
            engagement.save()
    except IntegrityError:
        raise ValidationError(
            {"client": f"{client.display_name} already has an open coaching engagement."}
        ) from None
    audit_change(
        actor or SYSTEM_ACTOR,
        client.organization,
        "engagement.proposed",
        engagement,
        client.public_id,
        detail={"coach": str(coach.public_id) if coach else None},
    )
    return engagement


@transaction.atomic
def engagement_update(
    *, actor, engagement: Engagement, coach: Membership | None = None, **values
) -> Engagement:
    unknown = set(values) - set(ENGAGEMENT_SETTINGS)
    if unknown:
        raise TypeError(f"Unknown engagement settings: {', '.join(sorted(unknown))}")
    _require_open(engagement)
    _validate_coach(coach, engagement.organization_id)
    if coach is None and engagement.status != EngagementStatus.PROPOSED:
        raise ValidationError({"coach": "An active engagement needs a coach."})
    changed = [f for f, v in values.items() if getattr(engagement, f) != v]
    for field, value in values.items():
        setattr(engagement, field, value)
    if engagement.coach_id != (coach.pk if coach else None):
        engagement.coach = coach
        changed.append("coach")
    _full_clean(engagement)
    if engagement.planned_end_on and engagement.planned_end_on < engagement.starts_on:
        raise ValidationError({"planned_end_on": "The planned end is before the start."})
    engagement.save()
    if coach is not None and engagement.status == EngagementStatus.ACTIVE:
        _coach_on_care_team(actor=actor, engagement=engagement)
    audit_change(
        actor,
        engagement.organization,
        "engagement.updated",
        engagement,
        client_id_of(engagement),
        detail={"fields": sorted(changed)},
    )
    return engagement


def _coach_on_care_team(*, actor, engagement: Engagement) -> None:
    """The coach joins the client's care team, which is what lets them see the client."""
    already = (
        active_care_team()
        .filter(client=engagement.client, membership=engagement.coach, role=Role.SOBER_COACH)
        .exists()
    )
    if not already:
        care_team_add(
            actor=actor,
            client=engagement.client,
            membership=engagement.coach,
            role=Role.SOBER_COACH,
        )


@transaction.atomic
def engagement_set_status(
    *, actor, engagement: Engagement, status: str, reason: str = ""
) -> Engagement:
    engagement = Engagement.objects.select_for_update(of=("self",)).get(pk=engagement.pk)
    if status not in engagement.allowed_next_statuses:
        raise ValidationError(
            {
                "status": f"A {engagement.get_status_display().lower()} engagement cannot "
                f"become {EngagementStatus(status).label.lower() if status in EngagementStatus.values else status}."
            }
        )
    reason = reason.strip()
    if status == EngagementStatus.ENDED_EARLY and not reason:
        raise ValidationError({"reason": "Say why the engagement is ending early."})
    if status == EngagementStatus.ACTIVE and engagement.coach_id is None:
        raise ValidationError({"status": "Assign a coach before starting the engagement."})
    before = engagement.status
    now = timezone.now()
    engagement.status = status
    fields = ["status"]
    if status == EngagementStatus.ACTIVE and engagement.activated_at is None:
        engagement.activated_at = now
        fields.append("activated_at")
    if status in (EngagementStatus.COMPLETED, EngagementStatus.ENDED_EARLY):
        engagement.ended_at = now
        engagement.end_reason = reason
        fields += ["ended_at", "end_reason"]
    engagement.save(update_fields=fields)
    if status == EngagementStatus.ACTIVE:
        _coach_on_care_team(actor=actor, engagement=engagement)
    if status != EngagementStatus.ACTIVE:
        # Paused or ended work raises no alerts; outstanding ones no longer apply.
        for alert in Alert.objects.filter(
            engagement=engagement, status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED]
        ):
            _alert_clear(alert, reason=f"Engagement {EngagementStatus(status).label.lower()}")
    _audit(
        actor,
        engagement,
        "engagement.status_changed",
        engagement,
        detail={"from": before, "to": status},
    )
    return engagement
