"""Drain the notification outbox as the beat does, for tests that check what was sent."""

from continuum.notifications.services import notification_deliver_due


def drain_outbox() -> int:
    delivered = 0
    while batch := notification_deliver_due(worker="tests"):
        delivered += batch
    return delivered
