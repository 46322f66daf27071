from celery import shared_task

from continuum.tenancy.models import Organization
from continuum.tenancy.tasks import TenantTask

from .services import gaps_scan, reminders_scan


@shared_task(base=TenantTask, acks_late=True, name="casemanagement.scan_organization")
def scan_organization(*, organization_id: int) -> dict:
    organization = Organization.objects.get(pk=organization_id)
    counts = gaps_scan(organization=organization)
    counts["reminders"] = reminders_scan(organization=organization)
    return counts


@shared_task(name="casemanagement.scan", acks_late=True)
def scan() -> int:
    """Beat: one idempotent scan per active organization."""
    ids = list(Organization.objects.filter(is_active=True).values_list("pk", flat=True))
    for organization_id in ids:
        scan_organization.delay(organization_id=organization_id)
    return len(ids)
