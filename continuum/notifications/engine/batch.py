"""Delivering claimed batches: the in-app copies of a batch in one transaction, each message that leaves the platform finished on its own, so a crash in between leaves rows reclaimed after their lease and channels already delivered are skipped on the retry."""

import itertools
import logging
from collections import defaultdict
from operator import attrgetter

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from continuum.tenancy.scoping import across_organizations, organization_scope

from ..models import Channel, Delivery, Notification, Status
from .channels import SENDERS, LeaseLost, deliver_in_app
from .claim import (
    BATCH_SIZE,
    MAX_ATTEMPTS,
    backoff,
    notification_claim_due,
    notification_claim_one,
)
from .render import PermanentDeliveryError, in_app_copy

logger = logging.getLogger(__name__)


def notification_deliver_now(*, notification_id: int, worker: str) -> bool:
    """Deliver one notification now, inside its organization's scope: leased like the
    beat's claim does, so the beat and this never both deliver it. False when it is not
    due, already claimed or already sent (a repeated message changes nothing)."""
    if not notification_claim_one(notification_id=notification_id, worker=worker):
        return False
    notification_deliver_batch(notification_ids=[notification_id], worker=worker)
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
                copies[notification.id] = in_app_copy(notification)
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
                        deliver_in_app(notification, worker)
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
