"""What the operations page and /metrics show: queue backlogs and stuck work.

Reads only, through aggregates: a fixed number of queries whatever the backlog. The
directory's import jobs are read by model label (apps.get_model) because the spine does
not import the directory app.
"""

from __future__ import annotations

from datetime import timedelta

from django.apps import apps
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Func, Max, Min, Q
from django.utils import timezone

from continuum.care.models import HandoffRun, HandoffStatus
from continuum.notifications.models import Notification, Status
from continuum.tenancy.scoping import across_organizations

# A pending handoff run older than this missed its message; the sweep takes it.
STUCK_AFTER = timedelta(minutes=1)
LATENCY_WINDOW = timedelta(hours=24)


def _outbox(notifications, now) -> dict:
    latency = ExpressionWrapper(F("sent_at") - F("available_at"), output_field=DurationField())
    due = Q(status=Status.PENDING, available_at__lte=now)
    recent = Q(status=Status.SENT, sent_at__gte=now - LATENCY_WINDOW)
    figures = notifications.aggregate(
        due=Count("id", filter=due),
        due_urgent=Count("id", filter=due & Q(urgent=True)),
        oldest_due=Min("available_at", filter=due),
        sending=Count("id", filter=Q(status=Status.SENDING)),
        failed=Count("id", filter=Q(status=Status.FAILED)),
        sent_recent=Count("id", filter=recent),
        latency_avg=Avg(latency, filter=recent),
        latency_max=Max(latency, filter=recent),
    )
    unnest = Func(F("channels"), function="unnest")
    figures["failed_by_channel"] = dict(
        notifications.filter(status=Status.FAILED)
        .annotate(channel=unnest)
        .values_list("channel")
        .annotate(n=Count("id"))
        .order_by("channel")
        .values_list("channel", "n")
    )
    return figures


def _handoffs(runs, now) -> dict:
    pending = Q(status=HandoffStatus.PENDING)
    return runs.aggregate(
        pending=Count("id", filter=pending),
        stuck=Count("id", filter=pending & Q(created_at__lt=now - STUCK_AFTER)),
        oldest_pending=Min("created_at", filter=pending),
        failed=Count("id", filter=Q(status=HandoffStatus.FAILED)),
    )


def _imports(jobs) -> dict[str, int]:
    return dict(jobs.values_list("status").annotate(n=Count("id")).order_by("status"))


def _import_jobs():
    try:
        return apps.get_model("referrals", "ImportJob").objects
    except LookupError:
        return None


def operations_overview(*, organization) -> dict:
    """One organization's figures, for its admins."""
    now = timezone.now()
    jobs = _import_jobs()
    return {
        "now": now,
        "outbox": _outbox(Notification.objects.filter(organization=organization), now),
        "handoffs": _handoffs(HandoffRun.objects.filter(organization=organization), now),
        "imports": _imports(jobs.filter(organization=organization)) if jobs else {},
    }


def platform_overview() -> dict:
    """The same figures over every organization, for /metrics: totals only, no
    organization is named."""
    now = timezone.now()
    jobs = _import_jobs()
    with across_organizations("metrics: platform-wide queue totals"):
        return {
            "now": now,
            "outbox": _outbox(Notification.objects.all(), now),
            "handoffs": _handoffs(HandoffRun.objects.all(), now),
            "imports": _imports(jobs.all()) if jobs else {},
        }
