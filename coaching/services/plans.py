"""The relapse-prevention plan and its high-risk days."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from continuum.audit.services import audit_change, client_id_of
from continuum.care import safety
from continuum.care.models import TaskKind
from continuum.care.services import (
    safety_event_raise,
    task_create,
)
from continuum.notifications.services import notification_schedule
from continuum.tenancy.models import Membership

from ..models import (
    Engagement,
    HighRiskEvent,
    RelapsePreventionPlan,
)
from ._shared import _audit, _engagement_url, _require_open

REMINDER_KIND = "coaching_reminder"


HIGH_RISK_DAY_KIND = "high_risk_day"


# A hard day starting sooner than this leaves no time for the day-before plan: a same-day
# call instead.
HIGH_RISK_SHORT_NOTICE = timedelta(hours=24)


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
    audit_change(
        actor,
        engagement.organization,
        "relapse_plan.created" if created else "relapse_plan.updated",
        plan,
        client_id_of(engagement),
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
    _audit(actor, engagement, "high_risk_event.added", event)
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
