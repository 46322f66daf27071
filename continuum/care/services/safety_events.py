"""Safety events: raised, told to whoever is responsible right now, escalated until acknowledged."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from continuum.audit.services import SYSTEM_ACTOR, audit_change
from continuum.notifications.services import notification_schedule
from continuum.people.models import Client
from continuum.people.services import follow_up_access_grant
from continuum.tenancy.models import Membership, Organization, Role
from continuum.tenancy.selectors import active_admins
from continuum.tenancy.timezones import local_now

from .. import safety
from ..models import (
    AskedAs,
    SafetyEvent,
    SafetyStatus,
    SafetyStep,
    Task,
    TaskKind,
    TaskStatus,
)
from ..selectors import on_call_now, responsible_for, safety_event_open_today
from .work import task_create, task_reassign, task_set_status


def _safety_task_detail(event: SafetyEvent) -> str:
    kind = safety.KINDS.get(event.latest_kind)
    label = kind.label if kind else event.latest_kind
    at = local_now(event.organization, event.latest_at)
    if event.count == 1:
        return f"1 safety event today: {label} at {at:%H:%M}."
    return f"{event.count} safety events today; the latest: {label} at {at:%H:%M}."


def _safety_task(*, event: SafetyEvent, assignee: Membership | None) -> Task:
    """The client's one safety task of the day: created by the first event, updated by
    every one after it, handed to whoever is asked now."""
    client = event.client
    organization = event.organization
    day = local_now(organization, event.raised_at).date()
    end_of_day = datetime.combine(day, time(23, 59), tzinfo=ZoneInfo(organization.timezone))
    queue_role = "" if assignee is not None else Role.ORG_ADMIN
    detail = _safety_task_detail(event)
    task = task_create(
        actor=None,
        organization=organization,
        title=f"Same-day safety call with {client.display_name}",
        assignee=assignee,
        queue_role=queue_role,
        client=client,
        due_at=end_of_day,
        kind=TaskKind.SAFETY,
        source="care.safety",
        detail=detail,
        dedup_key=f"safety:{client.public_id}:{day.isoformat()}",
    )
    if task.status != TaskStatus.OPEN:
        task_set_status(actor=None, task=task, status=TaskStatus.OPEN)
    return task_reassign(
        actor=None, task=task, assignee=assignee, queue_role=queue_role, detail=detail
    )


def _ack_url(event: SafetyEvent) -> str:
    return reverse(
        "staff:safety_event",
        kwargs={"org": event.organization.slug, "safety_event_id": event.public_id},
    )


def _tell(event: SafetyEvent, membership: Membership, *, escalated: bool) -> None:
    """In-app, e-mail and (with a mobile number) text, each its own outbox row so each
    channel's delivery is on record; urgent, so they leave at once. The words carry no
    clinical detail: who it is from, and to sign in."""
    from continuum.notifications.models import Channel
    from continuum.notifications.selectors import sms_number_for

    channels = [Channel.IN_APP, Channel.EMAIL]
    if sms_number_for(organization=event.organization, user=membership.user):
        channels.append(Channel.SMS)
    for channel in channels:
        notification_schedule(
            organization=event.organization,
            recipient=membership.user,
            template=safety.NOTIFICATION_KIND,
            context={"url": _ack_url(event), "escalated": escalated},
            channel=channel,
            urgent=True,
            dedup_key=f"safety:{event.public_id}:{event.step}:{membership.pk}:{channel}",
        )


def _ask(event: SafetyEvent, *, now: datetime, action: str) -> None:
    """Ask the step's person (or, at the last step, every admin): tell them, let them open
    the client, put the day's task in their hands, and note it on the timeline and in
    the audit trail."""
    organization = event.organization
    if event.step < len(event.order):
        membership_id, asked_as, role = event.order[event.step]
        asked = [Membership.objects.select_related("user").get(pk=membership_id)]
        event.asked, event.asked_as, event.asked_role = asked[0], asked_as, role
        event.escalate_at = now + timedelta(minutes=organization.safety_escalation_minutes)
    else:
        asked = list(active_admins(organization=organization).select_related("user"))
        event.asked, event.asked_role = None, ""
        event.asked_as = AskedAs.ADMINS if asked else AskedAs.NOBODY
        event.escalate_at = None  # nobody after the admins
    event.asked_at = now
    event.task = _safety_task(event=event, assignee=event.asked)
    event.save()
    for membership in asked:
        _tell(event, membership, escalated=action == SafetyStep.Action.ESCALATED)
        if event.asked_as != AskedAs.ADMINS:
            follow_up_access_grant(
                membership=membership,
                client=event.client,
                reason="Asked by Continuum to follow up on a safety event.",
                hours=safety.FOLLOW_UP_ACCESS_HOURS,
            )
    SafetyStep.objects.create(
        organization=organization,
        event=event,
        action=action,
        asked_as=event.asked_as,
        membership=event.asked,
        kind=event.latest_kind,
        at=now,
    )
    audit_change(
        SYSTEM_ACTOR,
        organization,
        f"safety_event.{action}",
        event,
        event.client.public_id,
        detail={
            "kind": event.latest_kind,
            "step": event.step,
            "asked_as": event.asked_as,
            "asked": [str(m.public_id) for m in asked],
        },
    )


@transaction.atomic
def safety_event_raise(
    *, actor, client: Client, kind: str, door: str, now: datetime | None = None
) -> SafetyEvent:
    """A safety event for `client`: decide who is responsible right now, tell them at
    once, and start the escalation clock. A repeat the same day, while nobody has
    acknowledged the first, is added to it (and to the day's task) instead."""
    safety.get(kind)  # refuses an unregistered kind
    if door not in safety.Door.ALL:
        raise ValueError(f"Unknown door {door!r}; one of {', '.join(safety.Door.ALL)}.")
    now = now or timezone.now()
    # One client's events run one after the other: two at once must not open two chains.
    client = (
        Client.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=client.pk)
    )
    organization = client.organization
    existing = safety_event_open_today(client=client, when=now)
    if existing is not None:
        existing = SafetyEvent.objects.select_related("asked__user", "organization").get(
            pk=existing.pk
        )
        existing.client = client
        existing.count += 1
        existing.latest_kind = kind
        existing.latest_at = now
        existing.save(update_fields=["count", "latest_kind", "latest_at"])
        existing.task = _safety_task(event=existing, assignee=existing.asked)
        SafetyStep.objects.create(
            organization=organization,
            event=existing,
            action=SafetyStep.Action.REPEATED,
            kind=kind,
            at=now,
        )
        audit_change(
            actor,
            organization,
            "safety_event.repeated",
            existing,
            client.public_id,
            detail={"kind": kind, "door": door, "count": existing.count},
        )
        return existing
    order = [
        [membership.pk, asked_as, role]
        for membership, asked_as, role in responsible_for(client=client, kind=kind, when=now)
    ]
    event = SafetyEvent(
        organization=organization,
        client=client,
        kind=kind,
        door=door,
        raised_at=now,
        latest_kind=kind,
        latest_at=now,
        order=order,
        step=0,
    )
    _ask(event, now=now, action=SafetyStep.Action.ASKED)
    audit_change(
        actor,
        organization,
        "safety_event.raised",
        event,
        client.public_id,
        detail={"kind": kind, "door": door, "order": len(order)},
    )
    return event


def safety_event_escalate(*, event: SafetyEvent, now: datetime) -> SafetyEvent:
    """Nobody acknowledged in time: ask the next person in the order, whoever is still
    active, and after the last of them every admin. Inside the caller's transaction and
    row lock."""
    step = event.step + 1
    team = sum(1 for entry in event.order if entry[1] == AskedAs.CARE_TEAM)
    if step >= team:
        # Past the care team: the rota changes by the hour, so ask whoever is on call
        # now (and was not asked already), not who was on call when the event came in.
        asked = {entry[0] for entry in event.order[:step]}
        rota = on_call_now(organization=event.organization, when=now)
        as_ = AskedAs.ON_CALL
        if rota and rota == [event.organization.on_call_fallback]:
            as_ = AskedAs.FALLBACK
        event.order = event.order[:step] + [
            [membership.pk, as_, ""] for membership in rota if membership.pk not in asked
        ]
    while step < len(event.order):
        if Membership.objects.filter(pk=event.order[step][0], is_active=True).exists():
            break
        step += 1
    event.step = step
    _ask(event, now=now, action=SafetyStep.Action.ESCALATED)
    return event


def safety_escalations_run(*, organization: Organization, now: datetime | None = None) -> int:
    """Escalate every event of the organization whose window ran out. Rows another worker
    is escalating are skipped, and a row's `escalate_at` moves on in the same
    transaction, so two workers, or a run repeated, never escalate one step twice."""
    now = now or timezone.now()
    escalated = 0
    with transaction.atomic():
        due = (
            SafetyEvent.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(
                organization=organization,
                status=SafetyStatus.OPEN,
                escalate_at__isnull=False,
                escalate_at__lte=now,
            )
            .select_related("client", "organization", "asked__user")
            .order_by("escalate_at", "id")
        )
        for event in due:
            safety_event_escalate(event=event, now=now)
            escalated += 1
    return escalated


@transaction.atomic
def safety_event_acknowledge(*, actor, event: SafetyEvent) -> SafetyEvent:
    """Someone has it in hand: the escalation stops. The task stays open until the call
    is made and marked done."""
    event = (
        SafetyEvent.objects.select_for_update(of=("self",))
        .select_related("client", "organization", "acknowledged_by")
        .get(pk=event.pk)
    )
    if event.status == SafetyStatus.ACKNOWLEDGED:
        who = event.acknowledged_by.get_full_name() or event.acknowledged_by.email
        at = local_now(event.organization, event.acknowledged_at)
        raise ValidationError(
            f"{who} already acknowledged this at {at:%H:%M}; the task is in My work."
        )
    now = timezone.now()
    event.status = SafetyStatus.ACKNOWLEDGED
    event.acknowledged_at = now
    event.acknowledged_by = actor
    event.escalate_at = None
    event.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "escalate_at"])
    membership = Membership.objects.filter(
        organization=event.organization, user=actor, is_active=True
    ).first()
    SafetyStep.objects.create(
        organization=event.organization,
        event=event,
        action=SafetyStep.Action.ACKNOWLEDGED,
        membership=membership,
        at=now,
    )
    audit_change(
        actor,
        event.organization,
        "safety_event.acknowledged",
        event,
        event.client.public_id,
        detail={"step": event.step},
    )
    return event


@transaction.atomic
def safety_events_acknowledge_for(*, actor, client: Client) -> int:
    """A line's own acknowledgement (a coach acknowledging the alert) stops the client's
    open events too."""
    count = 0
    for event in SafetyEvent.objects.filter(client=client, status=SafetyStatus.OPEN):
        safety_event_acknowledge(actor=actor, event=event)
        count += 1
    return count
