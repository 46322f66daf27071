"""Every state change of sober coaching: one function per use case, one transaction, an
audit event beside each write, follow-up work after commit."""

import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from continuum.audit.services import audit_record
from continuum.care import safety
from continuum.care.models import CareEpisode, Task, TaskKind
from continuum.care.services import (
    safety_event_raise,
    safety_events_acknowledge_for,
    task_create,
)
from continuum.notifications.services import notification_schedule
from continuum.people.models import Client
from continuum.people.selectors import active_care_team, case_manager_for
from continuum.people.services import care_team_add
from continuum.tenancy.models import Membership, Organization, Role
from continuum.tenancy.selectors import active_admins

from .models import (
    OPEN_ENGAGEMENT_STATUSES,
    AccompanimentKind,
    Alert,
    AlertCause,
    AlertStatus,
    Certification,
    CheckIn,
    CoachProfile,
    Contact,
    ContactKind,
    Engagement,
    EngagementStatus,
    Fellowship,
    FollowThrough,
    HighRiskEvent,
    Intensity,
    MeetingAttendance,
    Mood,
    RelapsePreventionPlan,
    RiskLevel,
    Sleep,
    SobrietyTest,
    Specialty,
    TestKind,
    TestResult,
)

logger = logging.getLogger(__name__)

SYSTEM = "system"
ALERT_KIND = "coaching_alert"
REMINDER_KIND = "coaching_reminder"
CERTIFICATION_WARNING = timedelta(days=30)
# Causes the scan raises and clears by itself; the others are cleared by a check-in or
# by the coach resolving them.
SCANNED_CAUSES = (AlertCause.MISSED_CHECKIN, AlertCause.NO_CONTACT)
# Causes that are safety events (continuum.care.safety): told at once to whoever is
# responsible right now, escalated until acknowledged. A missed-check-in streak is one
# when the engagement says so (`missed_checkin_urgent`).
SAFETY_CAUSES = (AlertCause.HELP_NOW, AlertCause.REPORTED_USE, AlertCause.CRAVING)
SAFETY_KIND = {
    AlertCause.HELP_NOW: "help_now",
    AlertCause.REPORTED_USE: "reported_use",
    AlertCause.CRAVING: "craving",
    AlertCause.MISSED_CHECKIN: "missed_checkins",
}
HIGH_RISK_DAY_KIND = "high_risk_day"
# A hard day starting sooner than this leaves no time for the day-before plan: a same-day
# call instead.
HIGH_RISK_SHORT_NOTICE = timedelta(hours=24)
ENGAGEMENT_SETTINGS = frozenset(
    {
        "intensity",
        "starts_on",
        "planned_end_on",
        "goals",
        "includes_monitoring",
        "checkin_due_time",
        "missed_checkin_days",
        "missed_checkin_urgent",
        "craving_threshold",
        "no_contact_days",
        "acknowledge_within_minutes",
    }
)


def local_now(organization: Organization, now: datetime | None = None) -> datetime:
    return timezone.localtime(now or timezone.now(), ZoneInfo(organization.timezone))


def _client_id(engagement: Engagement):
    return engagement.client.public_id


def _engagement_url(engagement: Engagement) -> str:
    return reverse(
        "staff:coaching_engagement",
        kwargs={"org": engagement.organization.slug, "engagement_id": engagement.public_id},
    )


def _require_open(engagement: Engagement, *, active: bool = False) -> None:
    allowed = (EngagementStatus.ACTIVE,) if active else OPEN_ENGAGEMENT_STATUSES
    if engagement.status not in allowed:
        raise ValidationError(
            _("This engagement is %(status)s; nothing more can be recorded on it.")
            % {"status": str(engagement.get_status_display()).lower()}
        )


def _full_clean(obj, exclude=("organization", "engagement", "coach", "client")) -> None:
    try:
        obj.full_clean(exclude=list(exclude), validate_constraints=False)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None


# --- coaches ----------------------------------------------------------------------------


@transaction.atomic
def coach_profile_save(*, actor, membership: Membership, **values) -> CoachProfile:
    """Create or update a coach's matching profile."""
    if not membership.has_role(Role.SOBER_COACH):
        raise ValidationError({"membership": "Only sober coaches have a coaching profile."})
    unknown = set(values.get("specialties", [])) - set(Specialty.values)
    if unknown:
        raise ValidationError({"specialties": f"Unknown specialty: {', '.join(sorted(unknown))}."})
    values["languages"] = sorted(
        {code.strip().lower() for code in values.get("languages", []) if code.strip()}
    )
    profile = CoachProfile.objects.filter(membership=membership).first() or CoachProfile(
        organization_id=membership.organization_id, membership=membership
    )
    for field, value in values.items():
        setattr(profile, field, value)
    _full_clean(profile, exclude=("organization", "membership"))
    created = profile.pk is None
    profile.save()
    audit_record(
        actor=actor,
        organization=membership.organization,
        action="coach_profile.created" if created else "coach_profile.updated",
        obj=profile,
        detail={"fields": sorted(values)},
    )
    return profile


@transaction.atomic
def certification_add(
    *, actor, coach: CoachProfile, name: str, issuer: str = "", expires_on: date | None = None
) -> Certification:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the certification."})
    certification = Certification.objects.create(
        organization_id=coach.organization_id,
        coach=coach,
        name=name,
        issuer=issuer.strip(),
        expires_on=expires_on,
    )
    audit_record(
        actor=actor,
        organization=coach.organization,
        action="certification.added",
        obj=certification,
    )
    return certification


def certifications_scan(*, organization: Organization, today: date | None = None) -> int:
    """A task for the coach for every certification lapsing within the warning window.
    The dedup key holds the expiry date, so a renewed certification warns again."""
    today = today or local_now(organization).date()
    expiring = Certification.objects.filter(
        organization=organization,
        expires_on__isnull=False,
        expires_on__lte=today + CERTIFICATION_WARNING,
        expires_on__gte=today,
    ).select_related("coach__membership")
    created = 0
    for certification in expiring:
        key = f"coaching:certification:{certification.public_id}:{certification.expires_on}"
        if Task.objects.filter(organization=organization, dedup_key=key).exists():
            continue
        task_create(
            actor=None,
            organization=organization,
            title=f"Renew {certification.name} before {certification.expires_on:%b %-d, %Y}",
            assignee=certification.coach.membership,
            due_at=datetime.combine(
                certification.expires_on, time(9, 0), tzinfo=ZoneInfo(organization.timezone)
            ),
            kind=TaskKind.ROUTINE,
            source="coaching.certification_expiry",
            dedup_key=key,
        )
        created += 1
    return created


# --- engagements ------------------------------------------------------------------------


def _validate_coach(coach: Membership | None, organization_id: int) -> None:
    if coach is None:
        return
    if (
        coach.organization_id != organization_id
        or not coach.is_active
        or not coach.has_role(Role.SOBER_COACH)
    ):
        raise ValidationError({"coach": "Choose an active sober coach of this organization."})


@transaction.atomic
def engagement_propose(
    *,
    actor,
    client: Client,
    coach: Membership | None = None,
    episode: CareEpisode | None = None,
    **values,
) -> Engagement:
    """Propose coaching for a client. A client has at most one open engagement."""
    unknown = set(values) - ENGAGEMENT_SETTINGS
    if unknown:
        raise TypeError(f"Unknown engagement settings: {', '.join(sorted(unknown))}")
    _validate_coach(coach, client.organization_id)
    if Engagement.objects.filter(client=client, status__in=OPEN_ENGAGEMENT_STATUSES).exists():
        raise ValidationError(
            {"client": f"{client.display_name} already has an open coaching engagement."}
        )
    engagement = Engagement(
        organization_id=client.organization_id,
        client=client,
        coach=coach,
        episode=episode,
        **values,
    )
    _full_clean(engagement)
    if engagement.planned_end_on and engagement.planned_end_on < engagement.starts_on:
        raise ValidationError({"planned_end_on": "The planned end is before the start."})
    try:
        with transaction.atomic():
            engagement.save()
    except IntegrityError:
        raise ValidationError(
            {"client": f"{client.display_name} already has an open coaching engagement."}
        ) from None
    audit_record(
        actor=actor,
        actor_email="" if actor else SYSTEM,
        organization=client.organization,
        action="engagement.proposed",
        obj=engagement,
        client_id=client.public_id,
        detail={"coach": str(coach.public_id) if coach else None},
    )
    return engagement


@transaction.atomic
def engagement_update(
    *, actor, engagement: Engagement, coach: Membership | None = None, **values
) -> Engagement:
    unknown = set(values) - ENGAGEMENT_SETTINGS
    if unknown:
        raise TypeError(f"Unknown engagement settings: {', '.join(sorted(unknown))}")
    _require_open(engagement)
    _validate_coach(coach, engagement.organization_id)
    if coach is None and engagement.status != EngagementStatus.PROPOSED:
        raise ValidationError({"coach": "An active engagement needs a coach."})
    changed = [f for f, v in values.items() if getattr(engagement, f) != v]
    for field, value in values.items():
        setattr(engagement, field, value)
    if engagement.coach_id != (coach.pk if coach else None):
        engagement.coach = coach
        changed.append("coach")
    _full_clean(engagement)
    if engagement.planned_end_on and engagement.planned_end_on < engagement.starts_on:
        raise ValidationError({"planned_end_on": "The planned end is before the start."})
    engagement.save()
    if coach is not None and engagement.status == EngagementStatus.ACTIVE:
        _coach_on_care_team(actor=actor, engagement=engagement)
    audit_record(
        actor=actor,
        organization=engagement.organization,
        action="engagement.updated",
        obj=engagement,
        client_id=_client_id(engagement),
        detail={"fields": sorted(changed)},
    )
    return engagement


def _coach_on_care_team(*, actor, engagement: Engagement) -> None:
    """The coach joins the client's care team, which is what lets them see the client."""
    already = (
        active_care_team()
        .filter(client=engagement.client, membership=engagement.coach, role=Role.SOBER_COACH)
        .exists()
    )
    if not already:
        care_team_add(
            actor=actor,
            client=engagement.client,
            membership=engagement.coach,
            role=Role.SOBER_COACH,
        )


@transaction.atomic
def engagement_set_status(
    *, actor, engagement: Engagement, status: str, reason: str = ""
) -> Engagement:
    engagement = Engagement.objects.select_for_update(of=("self",)).get(pk=engagement.pk)
    if status not in engagement.allowed_next_statuses:
        raise ValidationError(
            {
                "status": f"A {engagement.get_status_display().lower()} engagement cannot "
                f"become {EngagementStatus(status).label.lower() if status in EngagementStatus.values else status}."
            }
        )
    reason = reason.strip()
    if status == EngagementStatus.ENDED_EARLY and not reason:
        raise ValidationError({"reason": "Say why the engagement is ending early."})
    if status == EngagementStatus.ACTIVE and engagement.coach_id is None:
        raise ValidationError({"status": "Assign a coach before starting the engagement."})
    before = engagement.status
    now = timezone.now()
    engagement.status = status
    fields = ["status"]
    if status == EngagementStatus.ACTIVE and engagement.activated_at is None:
        engagement.activated_at = now
        fields.append("activated_at")
    if status in (EngagementStatus.COMPLETED, EngagementStatus.ENDED_EARLY):
        engagement.ended_at = now
        engagement.end_reason = reason
        fields += ["ended_at", "end_reason"]
    engagement.save(update_fields=fields)
    if status == EngagementStatus.ACTIVE:
        _coach_on_care_team(actor=actor, engagement=engagement)
    if status != EngagementStatus.ACTIVE:
        # Paused or ended work raises no alerts; outstanding ones no longer apply.
        for alert in Alert.objects.filter(
            engagement=engagement, status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED]
        ):
            _alert_clear(alert, reason=f"Engagement {EngagementStatus(status).label.lower()}")
    audit_record(
        actor=actor,
        organization=engagement.organization,
        action="engagement.status_changed",
        obj=engagement,
        client_id=_client_id(engagement),
        detail={"from": before, "to": status},
    )
    return engagement


# --- contacts, meetings, tests ----------------------------------------------------------


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
    audit_record(
        actor=actor,
        organization=engagement.organization,
        action="contact.logged",
        obj=contact,
        client_id=_client_id(engagement),
        detail={"kind": kind},
    )
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
    audit_record(
        actor=actor,
        organization=engagement.organization,
        action="meeting.recorded",
        obj=meeting,
        client_id=_client_id(engagement),
        detail={"verified": verified},
    )
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
    audit_record(
        actor=actor,
        organization=engagement.organization,
        action="sobriety_test.recorded",
        obj=test,
        client_id=_client_id(engagement),
    )
    if result == TestResult.POSITIVE and engagement.status == EngagementStatus.ACTIVE:
        alert_raise(
            engagement=engagement,
            cause=AlertCause.REPORTED_USE,
            detail=f"Positive {TestKind(kind).label.lower()} test on {tested_on:%b %-d}",
            door=safety.Door.STAFF,
            actor=actor,
        )
    return test


# --- the client's side ------------------------------------------------------------------


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
    audit_record(
        actor=actor,
        organization=engagement.organization,
        action="checkin.recorded",
        obj=checkin,
        client_id=_client_id(engagement),
    )
    _clear_cause(engagement, AlertCause.MISSED_CHECKIN, reason="Client checked in")
    if not sober:
        alert_raise(
            engagement=engagement,
            cause=AlertCause.REPORTED_USE,
            detail=f"Reported use in the check-in of {today:%b %-d}",
            door=door,
            actor=actor,
        )
    if craving >= engagement.craving_threshold:
        alert_raise(
            engagement=engagement,
            cause=AlertCause.CRAVING,
            detail=f"Craving {craving}/10 on {today:%b %-d}",
            door=door,
            actor=actor,
        )
    else:
        _clear_cause(engagement, AlertCause.CRAVING, reason=f"Craving down to {craving}/10")
    return checkin


@transaction.atomic
def plan_save(
    *,
    actor,
    engagement: Engagement,
    triggers: list[str],
    warning_signs: str = "",
    coping_strategies: str = "",
    people_to_call: str = "",
    reasons_for_recovery: str = "",
) -> RelapsePreventionPlan:
    _require_open(engagement)
    cleaned = []
    for trigger in triggers:
        trigger = trigger.strip()
        if trigger and trigger.lower() not in {t.lower() for t in cleaned}:
            cleaned.append(trigger)
    if any(len(t) > 100 for t in cleaned):
        raise ValidationError({"triggers": "Keep each trigger under 100 characters."})
    if len(cleaned) > 20:
        raise ValidationError({"triggers": "List at most 20 triggers."})
    plan = RelapsePreventionPlan.objects.filter(engagement=engagement).first()
    created = plan is None
    plan = plan or RelapsePreventionPlan(
        organization_id=engagement.organization_id, engagement=engagement
    )
    plan.triggers = cleaned
    plan.warning_signs = warning_signs.strip()
    plan.coping_strategies = coping_strategies.strip()
    plan.people_to_call = people_to_call.strip()
    plan.reasons_for_recovery = reasons_for_recovery.strip()
    plan.updated_at = timezone.now()
    plan.updated_by = actor
    plan.save()
    audit_record(
        actor=actor,
        organization=engagement.organization,
        action="relapse_plan.created" if created else "relapse_plan.updated",
        obj=plan,
        client_id=_client_id(engagement),
    )
    return plan


def _active_member(organization, user) -> bool:
    return (
        user is not None
        and Membership.objects.filter(organization=organization, user=user, is_active=True).exists()
    )


@transaction.atomic
def high_risk_event_add(
    *,
    actor,
    engagement: Engagement,
    title: str,
    starts_at: datetime,
    plan: str = "",
    extra_contacts: int = 1,
    door: str = safety.Door.STAFF,
) -> HighRiskEvent:
    """A risky day ahead: reminders the day before and on the morning, and the coach's
    extra calls as tasks through the day. One starting within a day leaves no time for
    that plan: it is a safety event (a same-day call)."""
    _require_open(engagement)
    title = title.strip()
    errors = {}
    if not title:
        errors["title"] = _("Say what is coming up.")
    if starts_at is None or starts_at <= timezone.now():
        errors["starts_at"] = _("Choose a time in the future.")
    if not 0 <= extra_contacts <= 10:
        errors["extra_contacts"] = _("Choose between 0 and 10 extra contacts.")
    if errors:
        raise ValidationError(errors)
    event = HighRiskEvent.objects.create(
        organization_id=engagement.organization_id,
        engagement=engagement,
        title=title,
        starts_at=starts_at,
        plan=plan.strip(),
        extra_contacts=extra_contacts,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        organization=engagement.organization,
        action="high_risk_event.added",
        obj=event,
        client_id=_client_id(engagement),
    )
    organization = engagement.organization
    now = timezone.now()
    if starts_at - now < HIGH_RISK_SHORT_NOTICE:
        safety_event_raise(
            actor=actor, client=engagement.client, kind=HIGH_RISK_DAY_KIND, door=door
        )
    recipients = []
    if engagement.coach_id:
        recipients.append(("coach", engagement.coach.user, _engagement_url(engagement)))
    portal_user = engagement.client.portal_user
    if _active_member(organization, portal_user):
        url = reverse("portal:coaching_home", kwargs={"org": organization.slug})
        recipients.append(("client", portal_user, url))
    for label, offset in (("day_before", timedelta(days=1)), ("soon", timedelta(hours=2))):
        due = max(starts_at - offset, now)
        for who, user, url in recipients:
            notification_schedule(
                organization=organization,
                recipient=user,
                template=REMINDER_KIND,
                context={
                    "when": starts_at.isoformat(),
                    "url": url,
                },
                due_at=due,
                dedup_key=f"coaching:event:{event.public_id}:{label}:{who}",
            )
    if engagement.coach_id:
        # Extra calls spread over the day: before it starts, then every three hours.
        for index in range(extra_contacts):
            due = starts_at - timedelta(hours=1) + timedelta(hours=3 * index)
            task_create(
                actor=actor,
                organization=organization,
                title=f"Extra check-in call {index + 1} for a high-risk day",
                assignee=engagement.coach,
                client=engagement.client,
                due_at=due,
                kind=TaskKind.DEADLINE,
                source="coaching.high_risk_event",
                dedup_key=f"coaching:event:{event.public_id}:call:{index}",
            )
    return event


# --- alerts -----------------------------------------------------------------------------


def _notify(alert: Alert, *, recipient, role: str) -> None:
    """A coaching alert that is not a safety event: for the coach, at the next beat."""
    engagement = alert.engagement
    if not _active_member(engagement.organization, recipient):
        return
    notification_schedule(
        organization=engagement.organization,
        recipient=recipient,
        template=ALERT_KIND,
        # No clinical detail in messages that may leave the site: the cause and a link.
        context={
            "cause": alert.get_cause_display(),
            "escalated": role == "escalation",
            "url": _engagement_url(engagement),
        },
        dedup_key=f"coaching:alert:{alert.public_id}:{role}:{recipient.pk}",
    )


def is_safety_alert(alert: Alert, engagement: Engagement | None = None) -> bool:
    if engagement is not None:
        alert.engagement = engagement
    return alert.is_urgent


def coach_available(membership: Membership, when: datetime) -> bool | None:
    """For the safety spine: a coach outside the working hours of their profile is not
    asked first; the next person in the order is. No profile, no opinion."""
    if not membership.has_role(Role.SOBER_COACH):
        return None
    profile = CoachProfile.objects.filter(membership=membership).first()
    if profile is None:
        return None
    return profile.within_hours(local_now(membership.organization, when).time())


def alert_raise(
    *,
    engagement: Engagement,
    cause: str,
    detail: str = "",
    now: datetime | None = None,
    door: str = safety.Door.SYSTEM,
    actor=None,
) -> tuple[Alert, bool]:
    """Raise an alert unless one for the same cause is still outstanding. Returns the
    alert and whether it is new. Runs inside the caller's transaction. A safety cause
    goes to the care spine, which tells whoever is responsible right now."""
    existing = Alert.objects.filter(
        engagement=engagement,
        cause=cause,
        status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED],
    ).first()
    if existing is not None:
        if is_safety_alert(existing, engagement):
            # Still outstanding, but it happened again: the spine adds it to today's event
            # or, once that was acknowledged, asks again.
            safety_event_raise(
                actor=actor, client=engagement.client, kind=SAFETY_KIND[cause], door=door, now=now
            )
        return existing, False
    now = now or timezone.now()
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                organization_id=engagement.organization_id,
                engagement=engagement,
                cause=cause,
                detail=detail[:300],
                raised_at=now,
            )
    except IntegrityError:
        # Raised by a concurrent scan or check-in a moment ago: that one stands.
        return Alert.objects.get(
            engagement=engagement,
            cause=cause,
            status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED],
        ), False
    alert.engagement = engagement
    audit_record(
        actor=None,
        actor_email=SYSTEM,
        organization=engagement.organization,
        action="alert.raised",
        obj=alert,
        client_id=_client_id(engagement),
        detail={"cause": cause},
    )
    if is_safety_alert(alert, engagement):
        safety_event_raise(
            actor=actor, client=engagement.client, kind=SAFETY_KIND[cause], door=door, now=now
        )
    elif engagement.coach_id:
        _notify(alert, recipient=engagement.coach.user, role="coach")
    return alert, True


@transaction.atomic
def help_request(*, actor, client: Client, engagement: Engagement | None = None) -> Alert | None:
    """The client pressed "I need help now": a safety event every time. With an open
    engagement it is the coach's alert too; with none, the care spine is told directly."""
    alert = None
    if engagement is not None and engagement.is_open:
        alert, _created = alert_raise(
            engagement=engagement,
            cause=AlertCause.HELP_NOW,
            detail="Asked for help from the portal",
            door=safety.Door.PORTAL,
            actor=actor,
        )
    else:
        safety_event_raise(
            actor=actor, client=client, kind=SAFETY_KIND[AlertCause.HELP_NOW], door="portal"
        )
    audit_record(
        actor=actor,
        organization=client.organization,
        action="help.requested",
        obj=alert or client,
        client_id=client.public_id,
    )
    return alert


@transaction.atomic
def alert_acknowledge(*, actor, alert: Alert) -> Alert:
    alert = (
        Alert.objects.select_for_update(of=("self",))
        .select_related("engagement__client", "engagement__organization", "organization")
        .get(pk=alert.pk)
    )
    if alert.status != AlertStatus.OPEN:
        raise ValidationError(f"This alert is already {alert.get_status_display().lower()}.")
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = actor
    alert.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
    audit_record(
        actor=actor,
        organization=alert.organization,
        action="alert.acknowledged",
        obj=alert,
        client_id=_client_id(alert.engagement),
    )
    if is_safety_alert(alert):
        # The coach has it in hand: the spine stops asking others.
        safety_events_acknowledge_for(actor=actor, client=alert.engagement.client)
    return alert


def _alert_clear(alert: Alert, *, reason: str, actor=None) -> Alert:
    if not alert.is_outstanding:
        return alert
    alert.status = AlertStatus.CLEARED
    alert.cleared_at = timezone.now()
    alert.cleared_reason = reason[:200]
    alert.save(update_fields=["status", "cleared_at", "cleared_reason"])
    audit_record(
        actor=actor,
        actor_email="" if actor else SYSTEM,
        organization=alert.engagement.organization,
        action="alert.cleared",
        obj=alert,
        client_id=_client_id(alert.engagement),
        detail={"cause": alert.cause},
    )
    return alert


def _clear_cause(engagement: Engagement, cause: str, *, reason: str) -> None:
    for alert in Alert.objects.filter(
        engagement=engagement,
        cause=cause,
        status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED],
    ):
        alert.engagement = engagement
        _alert_clear(alert, reason=reason)


@transaction.atomic
def alert_resolve(*, actor, alert: Alert, note: str = "") -> Alert:
    """The coach has dealt with it. Resolving acknowledges too."""
    alert = (
        Alert.objects.select_for_update(of=("self",))
        .select_related("engagement__client", "engagement__organization")
        .get(pk=alert.pk)
    )
    if not alert.is_outstanding:
        raise ValidationError("This alert is already cleared.")
    if alert.acknowledged_at is None:
        alert.acknowledged_at = timezone.now()
        alert.acknowledged_by = actor
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return _alert_clear(alert, reason=note.strip() or "Resolved by staff", actor=actor)


def _escalation_target(engagement: Engagement) -> Membership | None:
    manager = case_manager_for(client=engagement.client)
    if manager is not None:
        return manager
    # No case manager on the team: an organization admin answers for them.
    return active_admins(organization=engagement.organization_id).order_by("created_at").first()


def _missed_days(engagement: Engagement, now_local: datetime, days_with_checkin: set) -> int:
    """Consecutive days, ending with the last one already due, without a check-in."""
    last_due = now_local.date()
    if now_local.time() < engagement.checkin_due_time:
        last_due -= timedelta(days=1)
    first_day = engagement.starts_on
    if engagement.activated_at:
        # The day coaching starts is a grace day: the client may not have the portal yet.
        activated = timezone.localtime(engagement.activated_at, now_local.tzinfo).date()
        first_day = max(first_day, activated + timedelta(days=1))
    missed = 0
    day = last_due
    while day >= first_day and day not in days_with_checkin and missed < 60:
        missed += 1
        day -= timedelta(days=1)
    return missed


@transaction.atomic
def alerts_scan(*, organization: Organization, now: datetime | None = None) -> dict[str, int]:
    """The periodic watch over every active engagement: missed check-ins and isolation
    (no contact), raised once and cleared when the condition ends; then escalation of
    alerts nobody acknowledged in time. Safe to run as often as wanted."""
    now = now or timezone.now()
    now_local = local_now(organization, now)
    counts = {"raised": 0, "cleared": 0, "escalated": 0}
    engagements = list(
        Engagement.objects.filter(organization=organization, status=EngagementStatus.ACTIVE)
        .select_related("client", "coach__user", "organization")
        .annotate(last_contact_at=Max("contacts__started_at"))
    )
    window_start = now_local.date() - timedelta(days=15)
    checkin_days: dict[int, set] = {}
    for engagement_id, day in CheckIn.objects.filter(
        organization=organization,
        engagement__in=[e.pk for e in engagements],
        day__gte=window_start,
    ).values_list("engagement_id", "day"):
        checkin_days.setdefault(engagement_id, set()).add(day)
    outstanding = {
        (a.engagement_id, a.cause): a
        for a in Alert.objects.filter(
            organization=organization,
            cause__in=SCANNED_CAUSES,
            status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED],
        )
    }
    for engagement in engagements:
        missed = _missed_days(engagement, now_local, checkin_days.get(engagement.pk, set()))
        last_contact = engagement.last_contact_at or engagement.activated_at or now
        silent_days = (now - last_contact) / timedelta(days=1)
        conditions = {
            AlertCause.MISSED_CHECKIN: (
                missed >= engagement.missed_checkin_days,
                f"No check-in for {missed} day{'s' if missed != 1 else ''}",
            ),
            AlertCause.NO_CONTACT: (
                silent_days >= engagement.no_contact_days,
                f"No contact with the coach for {int(silent_days)} days",
            ),
        }
        for cause, (holds, detail) in conditions.items():
            alert = outstanding.get((engagement.pk, cause))
            if holds and alert is None:
                alert_raise(
                    engagement=engagement,
                    cause=cause,
                    detail=detail,
                    now=now,
                    door=safety.Door.SYSTEM,
                )
                counts["raised"] += 1
            elif not holds and alert is not None:
                alert.engagement = engagement
                _alert_clear(alert, reason="Condition no longer holds")
                counts["cleared"] += 1
    counts["escalated"] = _escalate(organization=organization, now=now)
    return counts


def _escalate(*, organization: Organization, now: datetime) -> int:
    due = (
        Alert.objects.select_for_update(of=("self",), skip_locked=True)
        .filter(organization=organization, status=AlertStatus.OPEN, escalated_at__isnull=True)
        .select_related("engagement__client", "engagement__organization", "engagement__coach")
    )
    escalated = 0
    for alert in due:
        if is_safety_alert(alert):
            continue  # the care spine escalates safety events on its own clock
        window = timedelta(minutes=alert.engagement.acknowledge_within_minutes)
        if alert.raised_at + window > now:
            continue
        target = _escalation_target(alert.engagement)
        alert.escalated_at = now
        alert.escalated_to = target
        alert.save(update_fields=["escalated_at", "escalated_to"])
        audit_record(
            actor=None,
            actor_email=SYSTEM,
            organization=organization,
            action="alert.escalated",
            obj=alert,
            client_id=_client_id(alert.engagement),
            detail={"to": str(target.public_id) if target else None},
        )
        if target is not None:
            _notify(alert, recipient=target.user, role="escalation")
        escalated += 1
    return escalated


__all__ = [
    "AccompanimentKind",
    "Intensity",
    "alert_acknowledge",
    "alert_raise",
    "alert_resolve",
    "alerts_scan",
    "certification_add",
    "certifications_scan",
    "checkin_record",
    "coach_profile_save",
    "contact_log",
    "engagement_propose",
    "engagement_set_status",
    "engagement_update",
    "help_request",
    "high_risk_event_add",
    "meeting_record",
    "plan_save",
    "sobriety_test_record",
]
