from celery import shared_task

from continuum.tenancy.tasks import TenantTask

from .engine.batch import notification_deliver_due, notification_deliver_now
from .engine.claim import worker_name

URGENT_QUEUE = "urgent"


# Batches per run: bounded so one run never outlives the beat interval by much.
MAX_BATCHES = 20


@shared_task(
    name="notifications.deliver_due", acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def deliver_due_notifications(urgent_only: bool = False) -> int:
    """Beat entry point: claim due notifications in batches and deliver them. Safe to run
    concurrently and to re-run: the outbox rows and their leases decide what is sent.

    With `urgent_only` (the urgent queue's own sweep, `notifications.deliver_urgent_due`)
    only urgent rows are claimed, so an urgent message whose own task was lost is sent
    within 30 s by the urgent worker, never behind a reminder backlog."""
    worker = worker_name()
    claimed = 0
    for _ in range(MAX_BATCHES):
        batch = notification_deliver_due(worker=worker, urgent_only=urgent_only)
        claimed += batch
        if not batch:
            break
    return claimed


@shared_task(
    base=TenantTask,
    name="notifications.deliver_urgent",
    queue=URGENT_QUEUE,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def deliver_urgent_notification(*, organization, notification_id: int) -> bool:
    """An urgent notification, at once and on the urgent queue's own worker slot, so a
    backlog of reminders never holds it back. Idempotent: the row's lease decides."""
    return notification_deliver_now(notification_id=notification_id, worker=worker_name())
