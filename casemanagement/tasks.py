from celery import shared_task

from continuum.tenancy.tasks import TenantTask, beat_fan_out

from .services import gaps_scan, questionnaire_reminders, reminders_scan


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


@shared_task(
    base=TenantTask, acks_late=True, name="casemanagement.questionnaire_reminders_organization"
)
def questionnaire_reminders_organization(*, organization) -> int:
    return questionnaire_reminders(organization=organization)


# Beat: reminders of assigned questionnaires, the day before the due day and on it.
questionnaire_reminders_all = beat_fan_out(
    questionnaire_reminders_organization,
    name="casemanagement.questionnaire_reminders",
    reason="assigned questionnaires are reminded in every active organization",
)
