"""The daily reminders scan: refills, reassessments and plan reviews coming due."""

from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from continuum.notifications.services import notification_schedule

from .. import instruments
from ..models import (
    CarePlan,
    Medication,
    PlanStatus,
)
from .careplans import REVIEW_TASK_AHEAD, plan_review_task_ensure

REFILL_REMINDER_AHEAD = timedelta(days=3)


REASSESS_EVERY = timedelta(days=30)


@transaction.atomic
def reminders_scan(*, organization, today: date | None = None) -> int:
    """Plan-review tasks, refill reminders and re-assessment reminders that are due.
    Idempotent through de-duplication keys."""
    from ..selectors import reassessments_due

    today = today or timezone.localdate()
    count = 0
    for plan in CarePlan.objects.filter(
        organization=organization,
        status=PlanStatus.ACTIVE,
        next_review_on__lte=today + REVIEW_TASK_AHEAD,
    ).select_related("client__organization", "case_manager__user"):
        if plan_review_task_ensure(plan=plan, today=today):
            count += 1
    medications = Medication.objects.filter(
        organization=organization,
        refill_due_on__isnull=False,
        refill_due_on__lte=today + REFILL_REMINDER_AHEAD,
        refill_due_on__gte=today,
        client__portal_user__isnull=False,
    ).select_related("client__portal_user")
    for medication in medications:
        if medication.ended_on is not None and medication.ended_on < today:
            continue
        notification_schedule(
            organization=organization,
            recipient=medication.client.portal_user,
            template="refill_reminder",
            context={
                "due": medication.refill_due_on.isoformat(),
                "url": reverse(
                    "portal:casemgmt_portal_medications", kwargs={"org": organization.slug}
                ),
            },
            dedup_key=f"cm-refill:{medication.public_id}:{medication.refill_due_on.isoformat()}",
        )
        count += 1
    for client, instrument, due in reassessments_due(organization=organization, today=today):
        notification_schedule(
            organization=organization,
            recipient=client.portal_user,
            template="assessment_reminder",
            context={
                "instrument": instruments.INSTRUMENTS[instrument].short_name,
                "url": reverse(
                    "portal:casemgmt_portal_assessment",
                    kwargs={"org": organization.slug, "cm_instrument": instrument},
                ),
            },
            dedup_key=f"cm-reassess:{client.public_id}:{instrument}:{due.isoformat()}",
        )
        count += 1
    return count
