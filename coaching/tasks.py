"""Beat entry points: fan out one task per organization, each scoped to its tenant."""

from celery import shared_task

from continuum.tenancy.models import Organization
from continuum.tenancy.scoping import across_organizations
from continuum.tenancy.tasks import TenantTask

from . import services


def _organization_ids() -> list[int]:
    with across_organizations("the coaching watch runs for every active organization"):
        return list(Organization.objects.filter(is_active=True).values_list("pk", flat=True))


@shared_task(name="coaching.alerts_scan", acks_late=True, ignore_result=True)
def alerts_scan() -> int:
    ids = _organization_ids()
    for organization_id in ids:
        alerts_scan_organization.apply_async(kwargs={"organization_id": organization_id})
    return len(ids)


@shared_task(base=TenantTask, name="coaching.alerts_scan_organization", ignore_result=True)
def alerts_scan_organization(*, organization_id: int) -> dict:
    organization = Organization.objects.get(pk=organization_id)
    return services.alerts_scan(organization=organization)


@shared_task(name="coaching.certifications_scan", acks_late=True, ignore_result=True)
def certifications_scan() -> int:
    ids = _organization_ids()
    for organization_id in ids:
        certifications_scan_organization.apply_async(kwargs={"organization_id": organization_id})
    return len(ids)


@shared_task(base=TenantTask, name="coaching.certifications_scan_organization", ignore_result=True)
def certifications_scan_organization(*, organization_id: int) -> int:
    organization = Organization.objects.get(pk=organization_id)
    return services.certifications_scan(organization=organization)
