"""Claiming due notifications: leases taken in short transactions, rows locked by another claimer skipped (`skip_locked`), each organization's rows in its own scope and a fair share of the batch each."""

import os
import secrets
import socket
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from continuum.tenancy.models import Organization
from continuum.tenancy.scoping import across_organizations, organization_scope

from ..models import Notification, Status


def _setting(name: str, default):
    return getattr(settings, name, default)


MAX_ATTEMPTS = _setting("NOTIFICATION_MAX_ATTEMPTS", 5)


BATCH_SIZE = _setting("NOTIFICATION_BATCH_SIZE", 50)


BACKOFF_BASE = timedelta(seconds=_setting("NOTIFICATION_BACKOFF_SECONDS", 60))


BACKOFF_MAX = timedelta(hours=6)


def worker_name() -> str:
    """Who holds a lease: unique per process and run, so two runs never share one."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def lease_duration() -> timedelta:
    # Read on each claim so a deployment (or a test worker) can shorten it.
    return timedelta(seconds=_setting("NOTIFICATION_LEASE_SECONDS", 300))


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
    due = _due(now)
    if urgent_only:
        # Spelled as notif_org_urgent_claimable's condition, so the planner proves it and
        # reads that index (a few rows) instead of walking the reminder backlog.
        due &= Q(urgent=True, status__in=[Status.PENDING, Status.SENDING])
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
            _lease(batch, worker=worker, now=now)
    return batch


def notification_claim_one(*, notification_id: int, worker: str) -> bool:
    """Lease one notification to `worker` as the beat's claim does, so the beat and the
    urgent worker never both deliver it. False when it is not due, already claimed or
    already sent."""
    now = timezone.now()
    with transaction.atomic():
        claimed = list(
            Notification.objects.filter(_due(now), pk=notification_id)
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)
        )
        if claimed:
            _lease(claimed, worker=worker, now=now)
    return bool(claimed)


def _due(now) -> Q:
    # Waiting and due, or in flight with a lease that ran out (its worker died).
    return Q(status=Status.PENDING, available_at__lte=now) | Q(
        status=Status.SENDING, lease_expires_at__lte=now
    )


def _lease(ids: list[int], *, worker: str, now) -> None:
    Notification.objects.filter(id__in=ids).update(
        status=Status.SENDING,
        claimed_by=worker,
        claimed_at=now,
        lease_expires_at=now + lease_duration(),
        attempts=F("attempts") + 1,
    )
