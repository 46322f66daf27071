"""Beat entry points: fan out one task per organization, each scoped to its tenant."""

from celery import shared_task

from continuum.tenancy.tasks import TenantTask, beat_fan_out

from . import services


@shared_task(base=TenantTask, name="coaching.alerts_scan_organization", ignore_result=True)
def alerts_scan_organization(*, organization) -> dict:
    return services.alerts_scan(organization=organization)


@shared_task(base=TenantTask, name="coaching.certifications_scan_organization", ignore_result=True)
def certifications_scan_organization(*, organization) -> int:
    return services.certifications_scan(organization=organization)


alerts_scan = beat_fan_out(
    alerts_scan_organization,
    name="coaching.alerts_scan",
    reason="the coaching watch runs for every active organization",
)
certifications_scan = beat_fan_out(
    certifications_scan_organization,
    name="coaching.certifications_scan",
    reason="coach certifications are checked in every active organization",
)
