import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from continuum.tenancy.models import Organization
from continuum.tenancy.scoping import across_organizations, organization_scope
from continuum.tenancy.tasks import TenantTask

from .models import HandoffRun, HandoffStatus, SafetyEvent, SafetyStatus
from .services import handoff_enqueue, handoff_execute, safety_escalations_run

logger = logging.getLogger(__name__)

HANDOFF_MAX_RETRIES = 6
# The sweep runs every 30 s (settings.CELERY_BEAT_SCHEDULE): a run whose message was lost
# starts within a minute. Re-enqueueing one that is merely queued is harmless, the run row
# decides (handoff_execute).
STALE_PENDING_AFTER = timedelta(seconds=30)


def handoff_backoff(retries: int) -> int:
    """Seconds before retry n: 30 s, 1 min, 2 min ... capped at one hour."""
    return min(30 * 2**retries, 3600)


@shared_task(
    base=TenantTask,
    bind=True,
    acks_late=True,
    max_retries=HANDOFF_MAX_RETRIES,
    name="care.handoff_run",
)
def handoff_run_task(self, *, organization, run_id: int) -> str:
    run = handoff_execute(run_id=run_id)
    if run.status == HandoffStatus.FAILED and self.request.retries < self.max_retries:
        raise self.retry(countdown=handoff_backoff(self.request.retries))
    return run.status


@shared_task(name="care.handoff_sweep", acks_late=True)
def handoff_sweep() -> int:
    """Enqueue handoff runs still pending long after their transition: their message was
    lost (broker down at commit, worker killed before acking)."""
    cutoff = timezone.now() - STALE_PENDING_AFTER
    with across_organizations("re-enqueue stale handoff runs of every organization"):
        runs = list(
            HandoffRun.objects.filter(status=HandoffStatus.PENDING, created_at__lt=cutoff).order_by(
                "created_at"
            )[:500]
        )
    for run in runs:
        handoff_enqueue(run)
    if runs:
        logger.info("Re-enqueued %d stale handoff runs.", len(runs))
    return len(runs)


@shared_task(name="care.safety_escalations", queue="urgent", acks_late=True, ignore_result=True)
def safety_escalations() -> int:
    """Beat, every minute: ask the next person about every safety event nobody
    acknowledged within the organization's window. Safe with two workers at once and when
    repeated: each row is locked (skip locked) and moved on in one transaction."""
    now = timezone.now()
    with across_organizations("safety escalations due in every organization"):
        organization_ids = list(
            SafetyEvent.objects.filter(
                status=SafetyStatus.OPEN, escalate_at__isnull=False, escalate_at__lte=now
            )
            .values_list("organization_id", flat=True)
            .distinct()
        )
    escalated = 0
    for organization in Organization.objects.filter(pk__in=organization_ids):
        with organization_scope(organization):
            try:
                escalated += safety_escalations_run(organization=organization, now=now)
            except Exception:
                # One organization's failure must not hold back another's escalations.
                logger.exception("Safety escalations failed for organization %s", organization.pk)
    return escalated
