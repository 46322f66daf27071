from celery import shared_task

from continuum.tenancy.tasks import TenantTask, beat_fan_out

from .services import request_alert_overdue


@shared_task(base=TenantTask, name="interventions.alert_overdue_requests")
def alert_overdue_requests(*, organization) -> int:
    return request_alert_overdue(organization=organization)


# Every few minutes: one alert task per organization taking requests.
overdue_sweep = beat_fan_out(
    alert_overdue_requests,
    name="interventions.overdue_sweep",
    reason="alert intake of each organization about waiting requests",
    intake_open=True,
)
