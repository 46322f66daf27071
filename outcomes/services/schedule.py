"""The follow-up schedule: enrollment at discharge, and the daily scan that sends each
follow-up when due, reminds, closes the link and hands the unreached to their coach or
case manager."""

import secrets
from datetime import date, datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from continuum.audit.services import SYSTEM_ACTOR, audit_change
from continuum.care.models import CareEpisode, TaskKind
from continuum.care.services import task_create
from continuum.notifications.services import letter_send, notification_schedule
from continuum.tenancy.models import Membership, Role

from ..models import FollowUp, FollowUpStatus
from ._shared import reacher_for
from .schedule_settings import outcomes_settings_for

LETTER = "follow_up_survey"
# The first message, then one step per reminder.
STEPS = ("sent", "reminder1", "reminder2", "reminder3")
REACH_WITHIN = timedelta(days=3)


def message_keys(follow_up: FollowUp, step: str) -> tuple[str, str]:
    """The outbox de-duplication keys of one step: the e-mail letter and the portal
    notification."""
    return (
        f"outcomes:{follow_up.public_id}:{step}:email",
        f"outcomes:{follow_up.public_id}:{step}:portal",
    )


@transaction.atomic
def follow_up_enroll(*, episode: CareEpisode, discharged_on: date) -> list[FollowUp]:
    """The client's follow-ups, one per day of the organization's schedule after
    discharge. Idempotent: an offset already scheduled for the episode is kept. A
    follow-up whose link would already have closed (enrolled late) is not created."""
    organization = episode.organization
    config = outcomes_settings_for(organization=organization)
    today = timezone.localdate()
    created = []
    for offset in config.offsets_days:
        due_on = discharged_on + timedelta(days=offset)
        if due_on + timedelta(days=config.expire_after_days) < today:
            continue
        follow_up, made = FollowUp.objects.get_or_create(
            organization=organization,
            episode=episode,
            offset_days=offset,
            defaults={"client": episode.client, "due_on": due_on},
        )
        if made:
            created.append(follow_up)
    if created:
        audit_change(
            SYSTEM_ACTOR,
            organization,
            "follow_up.scheduled",
            episode,
            episode.client.public_id,
            detail={"offsets_days": [f.offset_days for f in created]},
        )
    return created


def _portal_member(client) -> bool:
    return (
        client.portal_user_id is not None
        and Membership.objects.filter(
            organization=client.organization, user_id=client.portal_user_id, is_active=True
        ).exists()
    )


def _message(follow_up: FollowUp, step: str) -> int:
    """Put one step's messages in the outbox: the e-mail with the signed link, and the
    portal notification when the client has a portal account. Returns how many."""
    client = follow_up.client
    organization = follow_up.organization
    email_key, portal_key = message_keys(follow_up, step)
    count = 0
    if client.email:
        letter_send(
            organization=organization,
            to_address=client.email,
            kind=LETTER,
            context={"follow_up_id": follow_up.pk, "nonce": follow_up.link_nonce, "step": step},
            dedup_key=email_key,
        )
        count += 1
    if _portal_member(client):
        notification_schedule(
            organization=organization,
            recipient=client.portal_user,
            template=LETTER,
            context={
                "url": reverse(
                    "portal:outcomes_portal_answer",
                    kwargs={"org": organization.slug, "follow_up_id": str(follow_up.public_id)},
                )
            },
            dedup_key=portal_key,
        )
        count += 1
    return count


def _unreached(follow_up: FollowUp, *, now: datetime, why: str) -> None:
    follow_up.status = FollowUpStatus.UNREACHED
    follow_up.link_nonce = ""
    follow_up.save(update_fields=["status", "link_nonce"])
    client = follow_up.client
    reacher = reacher_for(client=client)
    task_create(
        actor=None,
        organization=follow_up.organization,
        title=f"Reach {client.display_name} by phone for the {follow_up.offset_days}-day follow-up",
        detail=why + " Record the answers on the client's follow-up page, marked as by phone.",
        assignee=reacher,
        queue_role="" if reacher else Role.INTAKE_COORDINATOR,
        client=client,
        episode=follow_up.episode,
        due_at=now + REACH_WITHIN,
        kind=TaskKind.FOLLOW_UP,
        source="outcomes.unreached",
        dedup_key=f"outcomes-unreached:{follow_up.public_id}",
    )
    audit_change(
        SYSTEM_ACTOR, follow_up.organization, "follow_up.unreached", follow_up, client.public_id
    )


def _send(follow_up: FollowUp, *, now: datetime, expire_after_days: int) -> str:
    follow_up.link_nonce = secrets.token_urlsafe(16)
    follow_up.sent_at = now
    follow_up.expires_at = now + timedelta(days=expire_after_days)
    follow_up.status = FollowUpStatus.SENT
    follow_up.save(update_fields=["link_nonce", "sent_at", "expires_at", "status"])
    if _message(follow_up, "sent") == 0:
        _unreached(
            follow_up,
            now=now,
            why="The client has no e-mail address and no portal account, so the survey "
            "could not be sent.",
        )
        return "unreached"
    audit_change(
        SYSTEM_ACTOR,
        follow_up.organization,
        "follow_up.sent",
        follow_up,
        follow_up.client.public_id,
    )
    return "sent"


@transaction.atomic
def follow_ups_scan(*, organization, now: datetime | None = None) -> dict:
    """Send the follow-ups that are due, remind those not answered yet, and hand those
    whose link closed unanswered to the client's coach or case manager. Idempotent: each
    step is recorded on the follow-up and keyed in the outbox."""
    from .agreements import has_agreed

    now = now or timezone.now()
    today = timezone.localdate(now)
    config = outcomes_settings_for(organization=organization)
    counts = {"sent": 0, "reminded": 0, "unreached": 0, "cancelled": 0}
    locked = FollowUp.objects.select_for_update(skip_locked=True, of=("self",)).select_related(
        "client", "organization"
    )
    for follow_up in locked.filter(
        organization=organization, status=FollowUpStatus.SCHEDULED, due_on__lte=today
    ):
        if not has_agreed(client=follow_up.client):
            follow_up.status = FollowUpStatus.CANCELLED
            follow_up.save(update_fields=["status"])
            counts["cancelled"] += 1
            continue
        counts[_send(follow_up, now=now, expire_after_days=config.expire_after_days)] += 1
    for follow_up in locked.filter(organization=organization, status=FollowUpStatus.SENT):
        if now >= follow_up.expires_at:
            _unreached(
                follow_up,
                now=now,
                why=f"The survey link sent on {timezone.localtime(follow_up.sent_at):%b %-d} "
                "closed without an answer.",
            )
            counts["unreached"] += 1
            continue
        due_steps = [
            d for d in config.reminder_days if now >= follow_up.sent_at + timedelta(days=d)
        ]
        if len(due_steps) > follow_up.reminders_sent:
            # A scan missed for days sends one reminder, not every one it missed.
            follow_up.reminders_sent = len(due_steps)
            follow_up.save(update_fields=["reminders_sent"])
            _message(follow_up, STEPS[min(follow_up.reminders_sent, len(STEPS) - 1)])
            counts["reminded"] += 1
    return counts
