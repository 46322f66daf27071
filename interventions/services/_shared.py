"""What the intervention line's use cases share: the audit record, the notification and the intake desk."""

import logging

from django.core.exceptions import ValidationError
from django.urls import reverse

from continuum.audit.services import SYSTEM_ACTOR, audit_change
from continuum.notifications.services import notification_schedule
from continuum.people.models import FamilyMember
from continuum.people.services import (
    portal_account_link,
)
from continuum.tenancy.models import Membership, Organization, Role

from ..models import (
    Intervention,
    Participant,
)

logger = logging.getLogger(__name__)


def _portal_path(organization: Organization, name: str = "portal:interventions", **kw) -> str:
    return reverse(name, kwargs={"org": organization.slug, **kw})


def _audit(actor, intervention_or_request, action: str, **detail):
    obj = intervention_or_request
    audit_change(
        actor or SYSTEM_ACTOR, obj.organization, action, obj, obj.client.public_id, detail=detail
    )


def _notify(*, organization, user, template: str, context: dict, key: str, due_at=None, **kw):
    if user is None:
        return None
    return notification_schedule(
        organization=organization,
        recipient=user,
        template=template,
        context=context,
        due_at=due_at,
        dedup_key=key[:200],
        **kw,
    )


def _intake_desk(organization: Organization) -> Membership:
    """Public requests are filed on behalf of the intake desk: an unsaved membership that
    holds the intake role, so the spine's client_create treats the record as everyone
    in intake's (no personal care-team link)."""
    return Membership(organization=organization, roles=[Role.INTAKE_COORDINATOR])


def _triage_staff(organization: Organization):
    return (
        Membership.objects.filter(organization=organization, is_active=True)
        .filter(roles__overlap=[Role.INTAKE_COORDINATOR])
        .select_related("user")
    )


def _link_portal_user(family_member: FamilyMember, user, *, actor=None) -> None:
    if family_member.portal_user_id is None:
        portal_account_link(actor=actor, record=family_member, user=user)


def _require_planning(intervention: Intervention) -> None:
    if not intervention.is_planning:
        raise ValidationError("The loved one has accepted treatment; the plan is closed.")


def _portal_participants(intervention: Intervention):
    return (
        Participant.objects.filter(
            intervention=intervention, family_member__portal_user__isnull=False
        )
        .select_related("family_member__portal_user")
        .order_by("pk")
    )
