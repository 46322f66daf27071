"""The organization's follow-up schedule, as its admins set it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from continuum.audit.services import audit_change

from ..models import OutcomesSettings

MAX_OFFSET_DAYS = 730
MAX_FOLLOW_UPS = 8
MAX_EXPIRE_DAYS = 60


def outcomes_settings_for(*, organization) -> OutcomesSettings:
    """The organization's settings; the defaults (30, 90, 180, 365 days; reminders 3 and
    7 days after sending; links open 14 days) until an admin saves their own."""
    found = OutcomesSettings.objects.filter(organization=organization).first()
    return found or OutcomesSettings(organization=organization)


def _days_list(values, *, field: str, low: int, high: int, most: int) -> list[int]:
    try:
        days = sorted({int(v) for v in values})
    except (TypeError, ValueError):
        raise ValidationError(
            {field: f"Give whole numbers of days from {low} to {high}."}
        ) from None
    if not days:
        raise ValidationError({field: f"Give at least one number of days from {low} to {high}."})
    if days[0] < low or days[-1] > high:
        raise ValidationError({field: f"Each number of days must be from {low} to {high}."})
    if len(days) > most:
        raise ValidationError({field: f"Give at most {most} numbers of days."})
    return days


@transaction.atomic
def outcomes_settings_save(
    *, actor, organization, offsets_days, reminder_days, expire_after_days: int
) -> OutcomesSettings:
    """Save the schedule. Offsets apply to clients enrolled from now on; follow-ups
    already scheduled keep their dates."""
    offsets = _days_list(
        offsets_days, field="offsets_days", low=1, high=MAX_OFFSET_DAYS, most=MAX_FOLLOW_UPS
    )
    if not 1 <= int(expire_after_days) <= MAX_EXPIRE_DAYS:
        raise ValidationError(
            {"expire_after_days": f"A link stays open from 1 to {MAX_EXPIRE_DAYS} days."}
        )
    reminders = _days_list(
        reminder_days, field="reminder_days", low=1, high=MAX_EXPIRE_DAYS, most=3
    )
    if reminders[-1] >= int(expire_after_days):
        raise ValidationError(
            {
                "reminder_days": (
                    f"Reminders must go out before the link closes ({expire_after_days} days "
                    "after sending); choose fewer days or keep the link open longer."
                )
            }
        )
    found = OutcomesSettings.objects.select_for_update().filter(organization=organization).first()
    row = found or OutcomesSettings(organization=organization)
    row.offsets_days = offsets
    row.reminder_days = reminders
    row.expire_after_days = int(expire_after_days)
    row.updated_at = timezone.now()
    row.save()
    audit_change(
        actor,
        organization,
        "outcomes_settings.saved",
        row,
        detail={
            "offsets_days": offsets,
            "reminder_days": reminders,
            "expire": row.expire_after_days,
        },
    )
    return row
