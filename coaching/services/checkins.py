"""The client's daily check-ins."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from continuum.care import safety
from continuum.tenancy.timezones import local_now

from ..models import (
    AlertCause,
    CheckIn,
    Engagement,
    Mood,
    RelapsePreventionPlan,
    Sleep,
)
from ._shared import _audit, _require_open
from .alerts import _clear_cause, alert_raise


def checkin_is_safety_event(checkin: CheckIn, engagement: Engagement) -> bool:
    return not checkin.sober or checkin.craving >= engagement.craving_threshold


@transaction.atomic
def checkin_record(
    *,
    actor,
    engagement: Engagement,
    sober: bool,
    craving: int,
    mood: int,
    sleep: str,
    triggers: list[str] | None = None,
    meeting_attended: bool = False,
    note: str = "",
    now: datetime | None = None,
    door: str = safety.Door.PORTAL,
) -> CheckIn:
    """Today's check-in. Reported use, and a craving at or above the engagement's
    threshold, are safety events (told at once, escalated until acknowledged); any
    check-in ends a missed-check-in alert."""
    _require_open(engagement, active=True)
    today = local_now(engagement.organization, now).date()
    errors = {}
    if craving is None or not 0 <= craving <= 10:
        errors["craving"] = _("Choose a craving level from 0 to 10.")
    if mood not in Mood.values:
        errors["mood"] = _("Choose how your mood is.")
    if sleep not in Sleep.values:
        errors["sleep"] = _("Choose how you slept.")
    triggers = [t for t in (triggers or []) if t]
    plan = RelapsePreventionPlan.objects.filter(engagement=engagement).first()
    known = set(plan.triggers) if plan else set()
    if set(triggers) - known:
        errors["triggers"] = _("Choose triggers from your own list.")
    if CheckIn.objects.filter(engagement=engagement, day=today).exists():
        errors["__all__"] = _("You have already checked in today. Thank you!")
    if errors:
        raise ValidationError(errors)
    checkin = CheckIn.objects.create(
        organization_id=engagement.organization_id,
        engagement=engagement,
        day=today,
        sober=sober,
        craving=craving,
        mood=mood,
        sleep=sleep,
        triggers=triggers,
        meeting_attended=meeting_attended,
        note=note.strip(),
    )
    _audit(actor, engagement, "checkin.recorded", checkin)
    _clear_cause(engagement, AlertCause.MISSED_CHECKIN, reason="Client checked in")
    # What this check-in tells the coach at once: reported use, a craving at the threshold.
    raised = []
    if not sober:
        raised.append((AlertCause.REPORTED_USE, {"day": today.isoformat()}))
    if craving >= engagement.craving_threshold:
        raised.append((AlertCause.CRAVING, {"craving": craving, "day": today.isoformat()}))
    for cause, facts in raised:
        alert_raise(engagement=engagement, cause=cause, facts=facts, door=door, actor=actor)
    if craving < engagement.craving_threshold:
        _clear_cause(engagement, AlertCause.CRAVING, reason=f"Craving down to {craving}/10")
    return checkin
