"""Beat entry point: the alumni scan, one task per organization."""

from celery import shared_task

from continuum.tenancy.tasks import TenantTask, beat_fan_out

from .services import alumni_scan


@shared_task(base=TenantTask, acks_late=True, name="alumni.scan_organization")
def scan_organization(*, organization) -> dict:
    return alumni_scan(organization=organization)


scan = beat_fan_out(
    scan_organization,
    name="alumni.scan",
    reason="alumni anniversaries, event reminders and check-in invitations in every organization",
)
