from celery import shared_task

from continuum.tenancy.models import Organization
from continuum.tenancy.scoping import across_organizations
from continuum.tenancy.tasks import TenantTask

from .services import request_alert_overdue


@shared_task(base=TenantTask, name="interventions.alert_overdue_requests")
def alert_overdue_requests(*, organization_id: int) -> int:
    organization = Organization.objects.get(pk=organization_id)
    return request_alert_overdue(organization=organization)


@shared_task(name="interventions.overdue_sweep", acks_late=True)
def overdue_sweep() -> int:
    """Every few minutes: one alert task per organization taking requests."""
    with across_organizations("alert intake of each organization about waiting requests"):
        ids = list(
            Organization.objects.filter(is_active=True, intake_open=True).values_list(
                "pk", flat=True
            )
        )
    for organization_id in ids:
        alert_overdue_requests.delay(organization_id=organization_id)
    return len(ids)
