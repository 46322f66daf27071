import os
import secrets
import socket

from celery import shared_task

from .services import notification_deliver_due

# Batches per run: bounded so one run never outlives the beat interval by much.
MAX_BATCHES = 20


@shared_task(
    name="notifications.deliver_due", acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def deliver_due_notifications(urgent_only: bool = False) -> int:
    """Beat entry point: claim due notifications in batches and deliver them. Safe to run
    concurrently and to re-run: the outbox rows and their leases decide what is sent.

    With `urgent_only` (sent to the urgent queue when an urgent message is scheduled) only
    urgent rows are claimed, so the urgent worker never works through a reminder backlog."""
    worker = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
    claimed = 0
    for _ in range(MAX_BATCHES):
        batch = notification_deliver_due(worker=worker, urgent_only=urgent_only)
        claimed += batch
        if not batch:
            break
    return claimed
