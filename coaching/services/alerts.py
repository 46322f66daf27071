"""Alerts: raised, acknowledged, cleared and resolved, the client's call for help, and the scan that raises and escalates them."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation

from continuum.audit.services import SYSTEM_ACTOR, audit_change, client_id_of
from continuum.care import safety
from continuum.care.services import (
    safety_event_raise,
    safety_events_acknowledge_for,
)
from continuum.notifications.services import notification_schedule
from continuum.people.models import Client
from continuum.people.selectors import case_manager_for
from continuum.tenancy.models import Membership, Organization, Role
from continuum.tenancy.selectors import active_admins
from continuum.tenancy.timezones import local_now

from ..models import (
    Alert,
    AlertCause,
    AlertStatus,
    CheckIn,
    CoachProfile,
    Engagement,
    EngagementStatus,
    alert_detail,
)
from ._shared import _engagement_url
from .plans import _active_member

ALERT_KIND = "coaching_alert"


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


def _notify(alert: Alert, *, recipient, role: str) -> None:
    """A coaching alert that is not a safety event: for the coach, at the next beat."""
    engagement = alert.engagement
    if not _active_member(engagement.organization, recipient):
        return
    # Staff messages render in the site's language: the cause is kept as written in the
    # code, not in the language of whatever request or task raised the alert.
    with translation.override(None):
        cause = str(alert.get_cause_display())
    notification_schedule(
        organization=engagement.organization,
        recipient=recipient,
        template=ALERT_KIND,
        # No clinical detail in messages that may leave the site: the cause and a link.
        context={
            "cause": cause,
            "escalated": role == "escalation",
            "url": _engagement_url(engagement),
        },
        dedup_key=f"coaching:alert:{alert.public_id}:{role}:{recipient.pk}",
    )


def _english_detail(cause: str, facts: dict) -> str:
    with translation.override("en"):
        return alert_detail(cause, facts)[:300]


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
    facts: dict | None = None,
    now: datetime | None = None,
    door: str = safety.Door.SYSTEM,
    actor=None,
) -> tuple[Alert, bool]:
    """Raise an alert unless one for the same cause is still outstanding. Returns the
    alert and whether it is new. Runs inside the caller's transaction. A safety cause
    goes to the care spine, which tells whoever is responsible right now. `facts` say
    what happened as codes and numbers (`coaching.models.ALERT_DETAILS`), so every
    reader sees the detail in their own language, not the language of whoever acted."""
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
                detail=_english_detail(cause, facts or {}),
                facts=facts or {},
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
    audit_change(
        SYSTEM_ACTOR,
        engagement.organization,
        "alert.raised",
        alert,
        client_id_of(engagement),
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
            facts={"door": safety.Door.PORTAL},
            door=safety.Door.PORTAL,
            actor=actor,
        )
    else:
        safety_event_raise(
            actor=actor, client=client, kind=SAFETY_KIND[AlertCause.HELP_NOW], door="portal"
        )
    audit_change(actor, client.organization, "help.requested", alert or client, client.public_id)
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
    audit_change(
        actor, alert.organization, "alert.acknowledged", alert, client_id_of(alert.engagement)
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
    audit_change(
        actor or SYSTEM_ACTOR,
        alert.engagement.organization,
        "alert.cleared",
        alert,
        client_id_of(alert.engagement),
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
                {"days": missed},
            ),
            AlertCause.NO_CONTACT: (
                silent_days >= engagement.no_contact_days,
                {"days": int(silent_days)},
            ),
        }
        for cause, (holds, facts) in conditions.items():
            alert = outstanding.get((engagement.pk, cause))
            if holds and alert is None:
                alert_raise(
                    engagement=engagement,
                    cause=cause,
                    facts=facts,
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
        audit_change(
            SYSTEM_ACTOR,
            organization,
            "alert.escalated",
            alert,
            client_id_of(alert.engagement),
            detail={"to": str(target.public_id) if target else None},
        )
        if target is not None:
            _notify(alert, recipient=target.user, role="escalation")
        escalated += 1
    return escalated
