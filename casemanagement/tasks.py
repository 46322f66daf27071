from celery import shared_task

from continuum.tenancy.tasks import TenantTask, beat_fan_out

from .services import gaps_scan, reminders_scan


@shared_task(base=TenantTask, acks_late=True, name="casemanagement.scan_organization")
def scan_organization(*, organization) -> dict:
    counts = gaps_scan(organization=organization)
    counts["reminders"] = reminders_scan(organization=organization)
    return counts


# Beat: one idempotent scan per active organization.
scan = beat_fan_out(
    scan_organization,
    name="casemanagement.scan",
    reason="gaps in care and reminders are scanned in every active organization",
)
