"""The outbox's API, what other apps call: put notifications in the outbox
(`notification_schedule`), cancel them, mark them read, and change preferences and
calendar feeds. Each is one transaction with its audit record.

Delivery is the engine's (`continuum.notifications.engine`: claim, batch, render,
channels); its entry points are re-exported here for the callers that drain the outbox."""

import hashlib
import json
import logging
import re
import secrets
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone, translation

from continuum.audit.services import audit_change
from continuum.tenancy.models import Membership, Organization
from continuum.tenancy.scoping import organization_scope

from . import calendar, kinds
from .engine.batch import (
    notification_deliver,
    notification_deliver_batch,
    notification_deliver_due,
    notification_deliver_now,
)
from .engine.channels import preference_for
from .engine.claim import notification_claim_due, worker_name
from .engine.render import recipient_language, render_outbound, template_paths
from .models import CalendarFeed, Channel, Notification, NotificationPreference, Status

logger = logging.getLogger(__name__)

SMS_NUMBER = re.compile(r"^\+?[0-9][0-9 ()\-]{6,18}$")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def quiet_hours_end(*, when: datetime, start: time | None, end: time | None, tz: ZoneInfo):
    """The end of the quiet hours `when` falls into, or None if it falls outside them."""
    if start is None or end is None or start == end:
        return None
    local = when.astimezone(tz)
    moment = local.time()
    if start < end:
        inside = start <= moment < end
        end_date = local.date()
    else:  # the quiet hours span midnight
        inside = moment >= start or moment < end
        end_date = local.date() if moment < end else local.date() + timedelta(days=1)
    if not inside:
        return None
    return datetime.combine(end_date, end, tzinfo=tz)


def channels_for(*, preference: NotificationPreference | None, kind: str) -> list[str]:
    if preference is not None and kind in preference.channels_by_kind:
        return list(preference.channels_by_kind[kind])
    return list(kinds.default_channels_for(kind))


@transaction.atomic
def notification_schedule(
    *,
    organization: Organization,
    recipient,
    template: str,
    context: dict,
    due_at: datetime | None = None,
    channel: str | None = None,
    dedup_key: str,
    urgent: bool = False,
    actor=None,
) -> Notification:
    """Put a notification in the outbox. Calling it again with the same `dedup_key`
    returns the notification already scheduled and changes nothing."""
    existing = Notification.objects.filter(organization=organization, dedup_key=dedup_key).first()
    if existing is not None:
        return existing
    errors = _key_and_context_errors(dedup_key=dedup_key, context=context)
    if channel is not None and channel not in Channel.values:
        errors["channel"] = f"Unknown channel {channel!r}."
    try:
        get_template(template_paths(template)["subject"])
    except TemplateDoesNotExist:
        errors["template"] = f"No message templates for {template!r}."
    if not Membership.objects.filter(
        organization=organization, user=recipient, is_active=True
    ).exists():
        errors["recipient"] = "The recipient is not an active member of this organization."
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    due_at = due_at or now
    preference = preference_for(organization=organization, user=recipient)
    channels = [channel] if channel else channels_for(preference=preference, kind=template)
    available_at = due_at
    if not urgent and preference is not None:
        deferred = quiet_hours_end(
            when=due_at,
            start=preference.quiet_hours_start,
            end=preference.quiet_hours_end,
            tz=ZoneInfo(organization.timezone),
        )
        available_at = deferred or due_at
    status = Status.PENDING if channels else Status.CANCELLED
    notification, created = _outbox_put(
        actor=actor,
        audit_detail={"template": template, "channels": channels, "urgent": urgent},
        organization=organization,
        dedup_key=dedup_key,
        recipient=recipient,
        template=template,
        context=context,
        channels=channels,
        urgent=urgent,
        due_at=due_at,
        available_at=available_at,
        status=status,
        last_error="" if channels else "The recipient turned off this kind of message.",
    )
    if not created:
        return notification
    if urgent and status == Status.PENDING and due_at <= now:
        # Urgent means one thing: ignores quiet hours and goes out at once, on its own
        # queue, rather than at the next beat. The row stays the source of truth: if the
        # message is lost, the beat delivers it as any other.
        transaction.on_commit(lambda: notification_enqueue_urgent(notification))
    return notification


def _key_and_context_errors(*, dedup_key: str, context: dict) -> dict[str, str]:
    errors = {}
    if not dedup_key or len(dedup_key) > 200:
        errors["dedup_key"] = "A de-duplication key of at most 200 characters is required."
    try:
        json.dumps(context)
    except (TypeError, ValueError):
        errors["context"] = "The context must be plain JSON (ids and words, not objects)."
    return errors


def _outbox_put(
    *, actor, audit_detail: dict, organization: Organization, dedup_key: str, **fields
) -> tuple:
    """(row, created): the outbox row for `dedup_key`, written and audited now unless it
    exists."""
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                organization=organization, dedup_key=dedup_key, **fields
            )
    except IntegrityError:
        # Scheduled concurrently by someone else: theirs stands.
        return Notification.objects.get(organization=organization, dedup_key=dedup_key), False
    audit_change(actor, organization, "notification.scheduled", notification, detail=audit_detail)
    return notification, True


@transaction.atomic
def letter_send(
    *,
    organization: Organization,
    to_address: str,
    kind: str,
    context: dict,
    dedup_key: str,
    actor=None,
) -> Notification:
    """Put a letter (`kinds.register_letter`) to an address outside the organization's
    members in the outbox, and deliver it once the transaction commits.

    Called again with the same `dedup_key` (a task delivered twice), it returns the letter
    already in the outbox and sends nothing. If the first delivery fails, the outbox's
    beat retries it like any other row."""
    existing = Notification.objects.filter(organization=organization, dedup_key=dedup_key).first()
    if existing is not None:
        return existing
    errors = _key_and_context_errors(dedup_key=dedup_key, context=context)
    if kind not in kinds.LETTERS:
        errors["kind"] = f"No letter kind {kind!r} is registered."
    if not to_address:
        errors["to_address"] = "A letter needs an address."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    notification, created = _outbox_put(
        actor=actor,
        audit_detail={"template": kind, "channels": [Channel.EMAIL], "letter": True},
        organization=organization,
        dedup_key=dedup_key,
        to_address=to_address,
        template=kind,
        context=context,
        channels=[Channel.EMAIL],
        due_at=now,
        available_at=now,
    )
    if not created:
        return notification
    transaction.on_commit(lambda: _deliver_after_commit(notification))
    return notification


def _deliver_after_commit(notification: Notification) -> None:
    # Delivered here rather than at the next beat, as a person waiting for the e-mail
    # expects; a failure leaves the row due for the beat, so nothing is lost.
    try:
        with organization_scope(notification.organization):
            notification_deliver_now(notification_id=notification.pk, worker=worker_name())
    except Exception:
        logger.exception("outbox: letter %s left for the beat", notification.pk)


def notification_enqueue_urgent(notification: Notification) -> None:
    from continuum.operations.broker import URGENT_QUEUE, publish

    from .tasks import deliver_urgent_notification

    # Never holds the request: a broker that is down or frozen leaves the row to the
    # urgent queue's own sweep (notifications.deliver_urgent_due, every 30 s).
    publish(
        deliver_urgent_notification,
        kwargs={
            "organization_id": notification.organization_id,
            "notification_id": notification.pk,
        },
        queue=URGENT_QUEUE,
        why=f"urgent notification {notification.pk} stays due; the urgent sweep sends it",
    )


@transaction.atomic
def notification_cancel(*, organization: Organization, dedup_key: str, actor=None) -> bool:
    """Cancel a notification that has not gone out yet. True if one was cancelled."""
    notification = (
        Notification.objects.select_for_update()
        .filter(organization=organization, dedup_key=dedup_key, status=Status.PENDING)
        .first()
    )
    if notification is None:
        return False
    notification.status = Status.CANCELLED
    notification.save(update_fields=["status"])
    audit_change(actor, organization, "notification.cancelled", notification)
    return True


@transaction.atomic
def notification_mark_read(*, actor, notification: Notification) -> Notification:
    if notification.recipient_id != actor.pk:
        raise ValidationError("Only the recipient can mark a notification as read.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        audit_change(actor, notification.organization, "notification.read", notification)
    return notification


@transaction.atomic
def notification_mark_all_read(*, actor, organization: Organization) -> int:
    count = Notification.objects.filter(
        organization=organization,
        recipient=actor,
        in_app_delivered_at__isnull=False,
        read_at__isnull=True,
    ).update(read_at=timezone.now())
    if count:
        audit_change(actor, organization, "notification.all_read", None, detail={"count": count})
    return count


@transaction.atomic
def preferences_update(
    *,
    actor,
    organization: Organization,
    channels_by_kind: dict[str, list[str]],
    quiet_hours_start: time | None,
    quiet_hours_end: time | None,
    sms_number: str = "",
) -> NotificationPreference:
    """Replace the actor's notification preferences in this organization. Applies to
    notifications scheduled from now on."""
    errors: dict[str, str] = {}
    cleaned: dict[str, list[str]] = {}
    for kind, channels in (channels_by_kind or {}).items():
        if kind not in kinds.KINDS:
            errors["channels_by_kind"] = f"Unknown notification kind {kind!r}."
            continue
        unknown = set(channels) - set(Channel.values)
        if unknown:
            errors[f"kind_{kind}"] = f"Unknown channel: {', '.join(sorted(unknown))}."
            continue
        cleaned[kind] = [c for c in Channel.values if c in channels]
    if (quiet_hours_start is None) != (quiet_hours_end is None):
        field = "quiet_hours_end" if quiet_hours_end is None else "quiet_hours_start"
        errors[field] = translation.gettext(
            "Give both the start and the end of quiet hours, or neither."
        )
    elif quiet_hours_start is not None and quiet_hours_start == quiet_hours_end:
        errors["quiet_hours_end"] = translation.gettext(
            "Quiet hours must end at a different time than they start."
        )
    sms_number = (sms_number or "").strip()
    if sms_number and not SMS_NUMBER.match(sms_number):
        errors["sms_number"] = translation.gettext("Enter a mobile number such as +1 555 010 0199.")
    if not sms_number and any(Channel.SMS in c for c in cleaned.values()):
        errors["sms_number"] = translation.gettext("Add a mobile number to receive text messages.")
    if errors:
        raise ValidationError(errors)
    preference, _ = NotificationPreference.objects.select_for_update().get_or_create(
        organization=organization, user=actor
    )
    preference.channels_by_kind = cleaned
    preference.quiet_hours_start = quiet_hours_start
    preference.quiet_hours_end = quiet_hours_end
    preference.sms_number = sms_number
    preference.updated_at = timezone.now()
    preference.save()
    audit_change(
        actor,
        organization,
        "notification_preferences.updated",
        preference,
        detail={"kinds": sorted(cleaned), "quiet_hours": quiet_hours_start is not None},
    )
    return preference


@transaction.atomic
def calendar_feed_rotate(*, actor, organization: Organization) -> tuple[CalendarFeed, str]:
    """Create the actor's calendar link, replacing any earlier one. Returns the feed and
    the token; only its hash is stored, so this is the one chance to show it."""
    now = timezone.now()
    revoked = CalendarFeed.objects.filter(
        organization=organization, user=actor, revoked_at__isnull=True
    ).update(revoked_at=now)
    membership = Membership.objects.get(organization=organization, user=actor, is_active=True)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(
        organization=organization,
        user=actor,
        membership=membership,
        roles=sorted(membership.roles),
        token_hash=hash_token(token),
    )
    audit_change(
        actor, organization, "calendar_feed.rotated" if revoked else "calendar_feed.created", feed
    )
    return feed, token


class CalendarFeedEnded(Exception):
    """The link was real, but the membership or a role that allowed it has ended."""


def calendar_feed_read(*, organization: Organization, token: str) -> bytes:
    """Serve a calendar link: only while the membership and every role it was made
    under still stand, and every read is in the audit trail (a calendar app polling is
    a read of the schedule). Raises Http404 for unknown and revoked links and
    CalendarFeedEnded for ended ones."""
    from .selectors import calendar_feed_by_token

    feed = calendar_feed_by_token(organization=organization, token=token)
    if feed is None:
        raise Http404("No such calendar.")
    if not feed.still_allowed():
        # Not in a transaction with the refusal: the refusal's own record must stay.
        audit_change(
            feed.user,
            organization,
            "calendar_feed.refused",
            feed,
            detail={"reason": "membership or role ended"},
        )
        raise CalendarFeedEnded
    with transaction.atomic():
        items = calendar.items_for(organization=organization, user=feed.user)
        audit_change(
            feed.user, organization, "calendar_feed.read", feed, detail={"items": len(items)}
        )
    return calendar.render_ics(items=items, name=organization.name, now=timezone.now())


@transaction.atomic
def calendar_feed_revoke(*, actor, organization: Organization) -> bool:
    feed = (
        CalendarFeed.objects.select_for_update()
        .filter(organization=organization, user=actor, revoked_at__isnull=True)
        .first()
    )
    if feed is None:
        return False
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    audit_change(actor, organization, "calendar_feed.revoked", feed)
    return True


__all__ = [
    "CalendarFeedEnded",
    "calendar_feed_read",
    "calendar_feed_revoke",
    "calendar_feed_rotate",
    "channels_for",
    "hash_token",
    "letter_send",
    "notification_cancel",
    "notification_claim_due",
    "notification_deliver",
    "notification_deliver_batch",
    "notification_deliver_due",
    "notification_deliver_now",
    "notification_enqueue_urgent",
    "notification_mark_all_read",
    "notification_mark_read",
    "notification_schedule",
    "preferences_update",
    "quiet_hours_end",
    "recipient_language",
    "render_outbound",
]
