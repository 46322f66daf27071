"""What the coach records: contacts, meetings and sobriety tests."""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from continuum.care import safety
from continuum.tenancy.timezones import local_now

from ..models import (
    AccompanimentKind,
    AlertCause,
    Contact,
    ContactKind,
    Engagement,
    EngagementStatus,
    Fellowship,
    FollowThrough,
    MeetingAttendance,
    RiskLevel,
    SobrietyTest,
    TestKind,
    TestResult,
)
from ._shared import _audit, _full_clean, _require_open
from .alerts import _clear_cause, alert_raise


@transaction.atomic
def contact_log(
    *,
    actor,
    engagement: Engagement,
    kind: str,
    started_at: datetime,
    duration_minutes: int,
    accompaniment: str = "",
    summary: str = "",
    risk_observed: str = RiskLevel.NONE,
    plan_follow_through: str = FollowThrough.NOT_ASSESSED,
) -> Contact:
    _require_open(engagement)
    errors = {}
    if kind not in ContactKind.values:
        errors["kind"] = "Choose how you were in contact."
    if kind == ContactKind.ACCOMPANIMENT and accompaniment not in AccompanimentKind.values:
        errors["accompaniment"] = "Say where you accompanied the client."
    if kind != ContactKind.ACCOMPANIMENT:
        accompaniment = ""
    if started_at and started_at > timezone.now() + timedelta(minutes=5):
        errors["started_at"] = "A contact cannot start in the future."
    if errors:
        raise ValidationError(errors)
    contact = Contact(
        organization_id=engagement.organization_id,
        engagement=engagement,
        kind=kind,
        accompaniment=accompaniment,
        started_at=started_at,
        duration_minutes=duration_minutes,
        summary=summary.strip(),
        risk_observed=risk_observed,
        plan_follow_through=plan_follow_through,
        logged_by=actor,
    )
    _full_clean(contact, exclude=("organization", "engagement", "logged_by"))
    contact.save()
    _audit(actor, engagement, "contact.logged", contact, detail={"kind": kind})
    _clear_cause(engagement, AlertCause.NO_CONTACT, reason="Coach reached the client")
    return contact


@transaction.atomic
def meeting_record(
    *,
    actor,
    engagement: Engagement,
    fellowship: str,
    attended_on: date,
    note: str = "",
    verified: bool = False,
) -> MeetingAttendance:
    """A meeting the client went to: self-reported from the portal, or verified by the
    coach who saw it."""
    _require_open(engagement)
    if fellowship not in Fellowship.values:
        raise ValidationError({"fellowship": "Choose the kind of meeting."})
    if attended_on > local_now(engagement.organization).date():
        raise ValidationError({"attended_on": "The meeting date is in the future."})
    meeting = MeetingAttendance.objects.create(
        organization_id=engagement.organization_id,
        engagement=engagement,
        fellowship=fellowship,
        attended_on=attended_on,
        note=note.strip()[:300],
        verified_by=actor if verified else None,
    )
    _audit(actor, engagement, "meeting.recorded", meeting, detail={"verified": verified})
    return meeting


@transaction.atomic
def sobriety_test_record(
    *, actor, engagement: Engagement, tested_on: date, kind: str, result: str
) -> SobrietyTest:
    _require_open(engagement)
    errors = {}
    if not engagement.includes_monitoring:
        errors["kind"] = "Sobriety monitoring is not part of this engagement."
    elif kind not in TestKind.values:
        errors["kind"] = "Choose the type of test."
    if result not in TestResult.values:
        errors["result"] = "Choose the result."
    if tested_on > local_now(engagement.organization).date():
        errors["tested_on"] = "The test date is in the future."
    if errors:
        raise ValidationError(errors)
    test = SobrietyTest.objects.create(
        organization_id=engagement.organization_id,
        engagement=engagement,
        tested_on=tested_on,
        kind=kind,
        result=result,
        observed_by=actor,
    )
    _audit(actor, engagement, "sobriety_test.recorded", test)
    if result == TestResult.POSITIVE and engagement.status == EngagementStatus.ACTIVE:
        alert_raise(
            engagement=engagement,
            cause=AlertCause.REPORTED_USE,
            facts={"test_kind": kind, "tested_on": tested_on.isoformat()},
            door=safety.Door.STAFF,
            actor=actor,
        )
    return test
