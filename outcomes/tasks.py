"""Beat entry point: the daily follow-up scan, one task per organization."""

from celery import shared_task

from continuum.tenancy.tasks import TenantTask, beat_fan_out

from .services import follow_ups_scan


@shared_task(base=TenantTask, acks_late=True, name="outcomes.scan_organization")
def scan_organization(*, organization) -> dict:
    return follow_ups_scan(organization=organization)


scan = beat_fan_out(
    scan_organization,
    name="outcomes.scan",
    reason="follow-ups after discharge are sent, reminded and closed in every active organization",
)
