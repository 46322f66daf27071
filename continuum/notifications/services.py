"""Every change to notifications, preferences and calendar feeds.

Delivery (`notification_deliver_due`) is the one function here that is deliberately not a
single transaction: a claim is one short transaction, a batch's in-app copies are written in
another, each external message is recorded in its own, so a crash in between leaves rows
that are reclaimed after their lease, and channels already delivered are skipped on the
retry."""

import hashlib
import itertools
import json
import logging
import re
import secrets
from collections import defaultdict
from datetime import datetime, time, timedelta
from operator import attrgetter
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.http import Http404
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from continuum.audit.services import audit_record
from continuum.tenancy.models import Membership, Organization
from continuum.tenancy.scoping import across_organizations, organization_scope

from . import calendar, kinds, sms
from .models import CalendarFeed, Channel, Delivery, Notification, NotificationPreference, Status

logger = logging.getLogger(__name__)


def _setting(name: str, default):
    return getattr(settings, name, default)


MAX_ATTEMPTS = _setting("NOTIFICATION_MAX_ATTEMPTS", 5)
BATCH_SIZE = _setting("NOTIFICATION_BATCH_SIZE", 50)
BACKOFF_BASE = timedelta(seconds=_setting("NOTIFICATION_BACKOFF_SECONDS", 60))
BACKOFF_MAX = timedelta(hours=6)
SMS_NUMBER = re.compile(r"^\+?[0-9][0-9 ()\-]{6,18}$")


def lease_duration() -> timedelta:
    # Read on each claim so a deployment (or a test worker) can shorten it.
    return timedelta(seconds=_setting("NOTIFICATION_LEASE_SECONDS", 300))


class PermanentDeliveryError(Exception):
    """A failure no retry can fix (no phone number, missing template)."""


class LeaseLost(Exception):
    """Another worker reclaimed the notification; this one must not deliver it."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- scheduling -------------------------------------------------------------------------


def _template_paths(template: str) -> dict[str, str]:
    # A kind's own wording is for the inbox only; what leaves the platform is written by
    # render_outbound.
    base = f"notifications/messages/{template}"
    return {"subject": f"{base}/subject.txt", "text": f"{base}/body.txt"}


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


def _preference(*, organization, user) -> NotificationPreference | None:
    return NotificationPreference.objects.filter(organization=organization, user=user).first()


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
    errors = {}
    if not dedup_key or len(dedup_key) > 200:
        errors["dedup_key"] = "A de-duplication key of at most 200 characters is required."
    if channel is not None and channel not in Channel.values:
        errors["channel"] = f"Unknown channel {channel!r}."
    try:
        get_template(_template_paths(template)["subject"])
    except TemplateDoesNotExist:
        errors["template"] = f"No message templates for {template!r}."
    try:
        json.dumps(context)
    except (TypeError, ValueError):
        errors["context"] = "The context must be plain JSON (ids and words, not objects)."
    if not Membership.objects.filter(
        organization=organization, user=recipient, is_active=True
    ).exists():
        errors["recipient"] = "The recipient is not an active member of this organization."
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    due_at = due_at or now
    preference = _preference(organization=organization, user=recipient)
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
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                organization=organization,
                recipient=recipient,
                template=template,
                context=context,
                channels=channels,
                urgent=urgent,
                dedup_key=dedup_key,
                due_at=due_at,
                available_at=available_at,
                status=status,
                last_error="" if channels else "The recipient turned off this kind of message.",
            )
    except IntegrityError:
        # Scheduled concurrently by someone else: theirs stands.
        return Notification.objects.get(organization=organization, dedup_key=dedup_key)
    audit_record(
        actor=actor,
        organization=organization,
        action="notification.scheduled",
        obj=notification,
        detail={"template": template, "channels": channels, "urgent": urgent},
    )
    if urgent and status == Status.PENDING and due_at <= now:
        # Urgent means one thing: ignores quiet hours and goes out at once, on its own
        # queue, rather than at the next beat. The row stays the source of truth: if the
        # message is lost, the beat delivers it as any other.
        transaction.on_commit(lambda: notification_enqueue_urgent(notification))
    return notification


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
    audit_record(
        actor=actor, organization=organization, action="notification.cancelled", obj=notification
    )
    return True


# --- inbox ------------------------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, actor, notification: Notification) -> Notification:
    if notification.recipient_id != actor.pk:
        raise ValidationError("Only the recipient can mark a notification as read.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        audit_record(
            actor=actor,
            organization=notification.organization,
            action="notification.read",
            obj=notification,
        )
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
        audit_record(
            actor=actor,
            organization=organization,
            action="notification.all_read",
            detail={"count": count},
        )
    return count


# --- preferences ------------------------------------------------------------------------


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
    audit_record(
        actor=actor,
        organization=organization,
        action="notification_preferences.updated",
        obj=preference,
        detail={"kinds": sorted(cleaned), "quiet_hours": quiet_hours_start is not None},
    )
    return preference


# --- calendar feeds ---------------------------------------------------------------------


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
    audit_record(
        actor=actor,
        organization=organization,
        action="calendar_feed.rotated" if revoked else "calendar_feed.created",
        obj=feed,
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
        audit_record(
            actor=feed.user,
            organization=organization,
            action="calendar_feed.refused",
            obj=feed,
            detail={"reason": "membership or role ended"},
        )
        raise CalendarFeedEnded
    with transaction.atomic():
        items = calendar.items_for(organization=organization, user=feed.user)
        audit_record(
            actor=feed.user,
            organization=organization,
            action="calendar_feed.read",
            obj=feed,
            detail={"items": len(items)},
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
    audit_record(actor=actor, organization=organization, action="calendar_feed.revoked", obj=feed)
    return True


# --- delivery ---------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """Wait before attempt `attempts + 1`: 1, 2, 4, 8 ... minutes, at most six hours."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def notification_claim_due(
    *, worker: str, limit: int = BATCH_SIZE, urgent_only: bool = False
) -> list[int]:
    """Lease up to `limit` due notifications to `worker` in one short transaction.

    Rows locked by a concurrent claimer are skipped, not waited for, so claimers get
    disjoint batches. Rows whose lease expired (their worker died) are claimable again."""
    now = timezone.now()
    due = Q(status=Status.PENDING, available_at__lte=now) | Q(
        status=Status.SENDING, lease_expires_at__lte=now
    )
    if urgent_only:
        due &= Q(urgent=True)
    # Crossing organizations is read-only (continuum.tenancy.rls): find who has mail due,
    # then lease each organization's rows inside its own scope. One due row per
    # organization is enough to know (a sub-select with LIMIT 1 each), rather than
    # collecting the organization of every due row of a large backlog on every claim. The
    # ORDER BY makes notif_org_claimable the plan whatever the statistics say: without it
    # PostgreSQL may bet on a sequential scan finding a row early, and for organizations
    # with nothing due that scan reads the whole table.
    with across_organizations("outbox: organizations with notifications due"):
        first_due = (
            Notification.objects.filter(due, organization=OuterRef("pk"))
            .order_by("available_at")
            .values("pk")
        )
        organizations = list(
            Organization.objects.alias(
                first_due=Subquery(first_due[:1]),
                oldest_due=Subquery(first_due.values("available_at")[:1]),
            )
            .filter(first_due__isnull=False)
            .order_by("oldest_due", "pk")
        )
    # Fair shares: one organization's large backlog must not hold back another's
    # reminders. Each organization with mail due gets an equal share of the batch, the
    # longest-waiting first; what a share leaves unused goes to those with more due.
    ids: list[int] = []
    if not organizations:
        return ids
    share = -(-limit // len(organizations))
    more = []
    for organization in organizations:
        wanted = min(share, limit - len(ids))
        if wanted <= 0:
            break
        batch = _claim_in(organization, due, worker=worker, now=now, limit=wanted)
        ids += batch
        if len(batch) == wanted:
            more.append(organization)
    for organization in more:
        if len(ids) >= limit:
            break
        ids += _claim_in(organization, due, worker=worker, now=now, limit=limit - len(ids))
    return ids


def _claim_in(organization, due: Q, *, worker: str, now, limit: int) -> list[int]:
    with transaction.atomic(), organization_scope(organization):
        batch = list(
            Notification.objects.filter(due)
            # The order of notif_org_claimable, so LIMIT stops the scan early; a tie on id
            # would sort every row due at the same moment on every claim.
            .order_by("available_at")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:limit]
        )
        if batch:
            Notification.objects.filter(id__in=batch).update(
                status=Status.SENDING,
                claimed_by=worker,
                claimed_at=now,
                lease_expires_at=now + lease_duration(),
                attempts=F("attempts") + 1,
            )
    return batch


def notification_deliver_now(*, notification_id: int, worker: str) -> bool:
    """Deliver one notification now, inside its organization's scope: leased like the
    beat's claim does, so the beat and this never both deliver it. False when it is not
    due, already claimed or already sent (a repeated message changes nothing)."""
    now = timezone.now()
    due = Q(status=Status.PENDING, available_at__lte=now) | Q(
        status=Status.SENDING, lease_expires_at__lte=now
    )
    with transaction.atomic():
        claimed = list(
            Notification.objects.filter(due, pk=notification_id)
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)
        )
        if not claimed:
            return False
        Notification.objects.filter(id__in=claimed).update(
            status=Status.SENDING,
            claimed_by=worker,
            claimed_at=now,
            lease_expires_at=now + lease_duration(),
            attempts=F("attempts") + 1,
        )
    notification_deliver_batch(notification_ids=claimed, worker=worker)
    return True


def notification_deliver_due(
    *, worker: str, limit: int = BATCH_SIZE, urgent_only: bool = False
) -> int:
    """Claim one batch and deliver it. Returns how many notifications were claimed."""
    ids = notification_claim_due(worker=worker, limit=limit, urgent_only=urgent_only)
    if ids:
        notification_deliver_batch(notification_ids=ids, worker=worker)
    return len(ids)


def notification_deliver_batch(*, notification_ids: list[int], worker: str) -> None:
    """Deliver a claimed batch with a constant number of statements for its in-app part:
    the copies are rendered first, then written with their delivery rows in one
    transaction that locks the batch's rows and writes only those still leased to
    `worker`; the rows with nothing else to send are finished in that transaction too.
    E-mail and text messages leave the platform, so they go, and are finished, one
    notification at a time.

    Rows are found by primary key alone and the lease is checked on what comes back: a
    status condition would let the planner pick the claimable partial index, whose
    statistics are worst exactly when a backlog has just arrived."""
    with across_organizations("outbox delivery loads its claimed batch"):
        loaded = (
            Notification.objects.select_related("organization", "recipient")
            .filter(id__in=notification_ids)
            .order_by("organization_id", "id")
        )
        claimed = [n for n in loaded if n.status == Status.SENDING and n.claimed_by == worker]
    for _, group in itertools.groupby(claimed, key=attrgetter("organization_id")):
        notifications = list(group)
        with organization_scope(notifications[0].organization):
            _deliver_group(notifications, worker)


def _deliver_group(notifications: list[Notification], worker: str) -> None:
    """One organization's part of a batch, inside its scope."""
    live = []
    for notification in notifications:
        if notification.attempts > MAX_ATTEMPTS:
            _finish(notification, worker, error="Delivery was interrupted too many times.")
        else:
            live.append(notification)
    if not live:
        return
    done: dict[int, set[str]] = defaultdict(set)
    for notification_id, channel in Delivery.objects.filter(
        notification__in=[n.id for n in live]
    ).values_list("notification_id", "channel"):
        done[notification_id].add(channel)
    outgoing = {
        n.id: [c for c in n.channels if c != Channel.IN_APP and c not in done[n.id]] for n in live
    }
    _prefetch_recipient_languages(live)

    failed: dict[int, tuple[str, bool]] = {}  # id -> (error, worth a retry)
    copies: dict[int, tuple[str, str, str]] = {}
    for notification in live:
        if Channel.IN_APP in notification.channels and Channel.IN_APP not in done[notification.id]:
            try:
                copies[notification.id] = _in_app_copy(notification)
            except PermanentDeliveryError as exc:
                failed[notification.id] = (str(exc), False)
            except Exception as exc:
                failed[notification.id] = (f"{type(exc).__name__}: {exc}", True)
    # Nothing but (at most) the inbox copy left: finished with the copies, in one go.
    inbox_only = {n.id for n in live if not outgoing[n.id] and n.id not in failed}
    written: set[int] = set()
    if copies or inbox_only:
        batch = [n for n in live if n.id in copies or n.id in inbox_only]
        try:
            written = _write_in_app_copies(batch, copies, worker, finish=inbox_only)
        except Exception:
            # The write rolled back as a whole (a deadlock, a value the database refuses):
            # write the rows one by one, so one bad row cannot hold back the rest.
            logger.exception("outbox: batch write failed, writing %d rows one by one", len(batch))
            for notification in batch:
                try:
                    if notification.id in copies:
                        _deliver_in_app(notification, worker)
                except LeaseLost:
                    continue
                except Exception as exc:
                    failed[notification.id] = (f"{type(exc).__name__}: {exc}", True)
                    continue
                written.add(notification.id)
                if notification.id in inbox_only:
                    _finish(notification, worker)
    lost = (set(copies) | inbox_only) - written - set(failed)

    for notification in live:
        if notification.id in failed:
            error, retry = failed[notification.id]
            _finish(notification, worker, error=error, retry=retry)
            continue
        if notification.id in lost or notification.id in inbox_only:
            continue  # lost to another worker, or already finished
        try:
            for channel in outgoing[notification.id]:
                SENDERS[channel](notification, worker)
        except LeaseLost:
            continue
        except PermanentDeliveryError as exc:
            _finish(notification, worker, error=str(exc))
        except Exception as exc:
            _finish(notification, worker, error=f"{type(exc).__name__}: {exc}", retry=True)
        else:
            # Finished at once: what went out is on record even if the worker dies next.
            _finish(notification, worker)


def _prefetch_recipient_languages(notifications: list[Notification]) -> None:
    """What `recipient_language` looks up per notification, for a whole batch of one
    organization in one query per model, with the same precedence."""
    from continuum.people.models import Client, FamilyMember

    users = {n.recipient_id for n in notifications}
    languages: dict[int, str] = {}
    for model in (Client, FamilyMember):  # family member last: it wins, as it does there
        languages.update(
            model.objects.filter(
                organization_id=notifications[0].organization_id,
                portal_user_id__in=users,
                preferred_language__gt="",
            )
            # Highest id first, so the lowest one wins: recipient_language takes .first().
            .order_by("-pk")
            .values_list("portal_user_id", "preferred_language")
        )
    for notification in notifications:
        notification._recipient_language = languages.get(
            notification.recipient_id, settings.LANGUAGE_CODE
        )


URL_MAX_LENGTH = Notification._meta.get_field("url").max_length


def _in_app_copy(notification: Notification) -> tuple[str, str, str]:
    url = _link(notification)
    if len(url) > URL_MAX_LENGTH:
        # Cut short it would lead nowhere, and no retry makes it shorter.
        raise PermanentDeliveryError(f"The link is longer than {URL_MAX_LENGTH} characters.")
    return (_render(notification, "subject")[:200], _render(notification, "text"), url)


def _write_in_app_copies(
    notifications: list[Notification],
    copies: dict[int, tuple[str, str, str]],
    worker: str,
    *,
    finish: set[int],
) -> set[int]:
    """Write the inbox copies and their delivery rows, and finish the rows in `finish`,
    for the rows still leased to `worker`, in one transaction: exactly once, as the
    per-row path. Returns the ids of those rows."""
    with transaction.atomic():
        # Locked first, then checked: while this transaction holds the locks no other
        # worker can reclaim a row, so the check stays true until the commit.
        locked = (
            Notification.objects.select_for_update()
            .filter(id__in=[n.id for n in notifications])
            .order_by("id")
            .values_list("id", "status", "claimed_by")
        )
        held = {i for i, status, owner in locked if status == Status.SENDING and owner == worker}
        if not held:
            return held
        now = timezone.now()
        rows = [n for n in notifications if n.id in held and n.id in copies]
        if rows:
            Delivery.objects.bulk_create(
                [
                    Delivery(
                        organization_id=n.organization_id,
                        notification=n,
                        channel=Channel.IN_APP,
                        delivered_at=now,
                    )
                    for n in rows
                ]
            )
            for notification in rows:
                notification.subject, notification.body, notification.url = copies[notification.id]
                notification.in_app_delivered_at = now
            Notification.objects.bulk_update(
                rows, ["subject", "body", "url", "in_app_delivered_at"]
            )
        finished = held & finish
        if finished:
            Notification.objects.filter(id__in=finished).update(
                status=Status.SENT,
                sent_at=now,
                last_error="",
                claimed_by="",
                lease_expires_at=None,
            )
    return held


def notification_deliver(*, notification_id: int, worker: str) -> None:
    """Deliver one claimed notification: a batch of one."""
    notification_deliver_batch(notification_ids=[notification_id], worker=worker)


def _finish(notification: Notification, worker: str, *, error: str = "", retry=False) -> None:
    now = timezone.now()
    if not error:
        values = {"status": Status.SENT, "sent_at": now, "last_error": ""}
    elif retry and notification.attempts < MAX_ATTEMPTS:
        values = {
            "status": Status.PENDING,
            "available_at": now + backoff(notification.attempts),
            "last_error": error[:2000],
        }
    else:
        values = {"status": Status.FAILED, "last_error": error[:2000]}
    Notification.objects.filter(
        id=notification.id, status=Status.SENDING, claimed_by=worker
    ).update(claimed_by="", lease_expires_at=None, **values)


def _hold_lease(notification: Notification, worker: str) -> None:
    held = Notification.objects.filter(
        id=notification.id, status=Status.SENDING, claimed_by=worker
    ).exists()
    if not held:
        raise LeaseLost


def recipient_language(notification: Notification) -> str:
    """Families and clients read messages in the language they chose (FamilyMember /
    Client.preferred_language); staff read the site's default language. Looked up once per
    notification, however many parts it renders."""
    from continuum.people.models import Client, FamilyMember

    cached = getattr(notification, "_recipient_language", None)
    if cached:
        return cached
    notification._recipient_language = settings.LANGUAGE_CODE
    for model in (FamilyMember, Client):
        language = (
            model.objects.filter(
                organization_id=notification.organization_id,
                portal_user_id=notification.recipient_id,
            )
            .values_list("preferred_language", flat=True)
            .first()
        )
        if language:
            notification._recipient_language = language
            break
    return notification._recipient_language


def _render(notification: Notification, part: str) -> str:
    context = {
        **notification.context,
        "organization": notification.organization,
        "recipient": notification.recipient,
        "site_url": settings.SITE_URL.rstrip("/"),
    }
    try:
        with translation.override(recipient_language(notification)):
            return render_to_string(_template_paths(notification.template)[part], context).strip()
    except TemplateDoesNotExist as exc:
        raise PermanentDeliveryError(f"Missing template {exc}") from exc


OUTBOUND_TEMPLATES = {
    "subject": "notifications/outbound/subject.txt",
    "text": "notifications/outbound/body.txt",
    "html": "notifications/outbound/body.html",
    "sms": "notifications/outbound/sms.txt",
}


def _sign_in_urls(notification: Notification) -> dict[str, str]:
    """The recipient's inbox, and for families and clients (who may have no password)
    the page that e-mails a sign-in code."""
    membership = (
        Membership.objects.filter(
            organization_id=notification.organization_id, user_id=notification.recipient_id
        )
        .only("roles")
        .first()
    )
    staff = membership is not None and membership.is_staff_member
    site = settings.SITE_URL.rstrip("/")
    path = reverse(
        f"{'staff' if staff else 'portal'}:notification_inbox",
        kwargs={"org": notification.organization.slug},
    )
    return {
        "sign_in_url": site + path,
        # ?org= brands the sign-in pages and the code e-mail with the sender's name.
        "code_sign_in_url": ""
        if staff
        else f"{site}{reverse('account_request_login_code')}?org={notification.organization.slug}",
    }


def render_outbound(notification: Notification, part: str) -> str:
    """The one renderer of what leaves the platform (e-mail subject, text and HTML, text
    messages). E-mail and text messages sit on lock screens and shared devices, so they
    say who the message is from and how to sign in, whatever the kind: the kind's own
    templates and the notification's context are never read here, and the detail stays
    in the inbox copy."""
    kind = kinds.KINDS.get(notification.template)
    if not hasattr(notification, "_sign_in_urls"):
        notification._sign_in_urls = _sign_in_urls(notification)
    context = {
        **notification._sign_in_urls,
        "organization": notification.organization,
        "urgent": notification.urgent,
        "crisis_line": bool(kind and kind.crisis_line and notification.urgent),
        "outbound_line": kind.outbound_line if kind else "",
    }
    with translation.override(recipient_language(notification)):
        return render_to_string(OUTBOUND_TEMPLATES[part], context).strip()


def _link(notification: Notification) -> str:
    url = str(notification.context.get("url", ""))
    # Only links inside the site: the inbox never points people elsewhere.
    return url if url.startswith("/") and not url.startswith("//") else ""


def _deliver_in_app(notification: Notification, worker: str) -> None:
    # The inbox copy and its delivery record commit together, under the lease: exactly once.
    subject, body, url = _in_app_copy(notification)
    with transaction.atomic():
        locked = (
            Notification.objects.select_for_update()
            .filter(id=notification.id, status=Status.SENDING, claimed_by=worker)
            .first()
        )
        if locked is None:
            raise LeaseLost
        now = timezone.now()
        Delivery.objects.create(
            organization=notification.organization,
            notification=notification,
            channel=Channel.IN_APP,
            delivered_at=now,
        )
        Notification.objects.filter(id=notification.id).update(
            subject=subject, body=body, url=url, in_app_delivered_at=now
        )


def _message_id(notification: Notification) -> str:
    domain = getattr(settings, "NOTIFICATION_MESSAGE_ID_DOMAIN", "continuum.local")
    return f"<notification-{notification.public_id}@{domain}>"


def _record_delivery(notification: Notification, channel: str, reference: str) -> None:
    with transaction.atomic():
        Delivery.objects.get_or_create(
            organization=notification.organization,
            notification=notification,
            channel=channel,
            defaults={"reference": reference[:200]},
        )


def _deliver_email(notification: Notification, worker: str) -> None:
    if not notification.recipient.email:
        raise PermanentDeliveryError("The recipient has no e-mail address.")
    subject, text, html = (
        render_outbound(notification, part) for part in ("subject", "text", "html")
    )
    _hold_lease(notification, worker)
    message_id = _message_id(notification)
    # The Message-ID is derived from the notification, so if a crash between sending and
    # recording makes us send again, mail systems see the same message twice, not two.
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[notification.recipient.email],
        headers={"Message-ID": message_id, "X-Continuum-Notification": str(notification.public_id)},
    )
    message.attach_alternative(html, "text/html")
    message.send()
    _record_delivery(notification, Channel.EMAIL, message_id)


def _deliver_sms(notification: Notification, worker: str) -> None:
    preference = _preference(organization=notification.organization, user=notification.recipient)
    if preference is None or not preference.sms_number:
        raise PermanentDeliveryError("The recipient has no mobile number for text messages.")
    body = render_outbound(notification, "sms")
    _hold_lease(notification, worker)
    reference = sms.get_backend().send(
        to=preference.sms_number, body=body, idempotency_key=str(notification.public_id)
    )
    _record_delivery(notification, Channel.SMS, reference or "")


# In-app copies are written per batch (_write_in_app_copies), not through this table.
SENDERS = {
    Channel.EMAIL: _deliver_email,
    Channel.SMS: _deliver_sms,
}
