"""Coaching test objects. Call inside an organization scope."""

from datetime import timedelta

from django.utils import timezone

from coaching.models import Alert, AlertCause, Engagement, EngagementStatus
from continuum.people.models import CareTeamMember, Client
from continuum.tenancy.models import Membership, Role
from tests.factories import UserFactory


def make_client(org, **values) -> Client:
    values.setdefault("first_name", "Jordan")
    values.setdefault("last_name", "Reyes")
    return Client.objects.create(organization=org, **values)


def make_coach(org, user=None) -> Membership:
    return Membership.objects.create(
        organization=org, user=user or UserFactory(), roles=[Role.SOBER_COACH]
    )


def make_engagement(org, *, client=None, coach=None, status=EngagementStatus.ACTIVE, **values):
    now = timezone.now()
    values.setdefault("starts_on", timezone.localdate(now) - timedelta(days=10))
    engagement = Engagement.objects.create(
        organization=org,
        client=client or make_client(org),
        coach=coach if coach is not None else make_coach(org),
        status=status,
        activated_at=now - timedelta(days=10) if status != "proposed" else None,
        **values,
    )
    if status in (EngagementStatus.ACTIVE, EngagementStatus.PAUSED):
        # As activation does: the coach joins the client's care team.
        CareTeamMember.objects.get_or_create(
            organization=org,
            client=engagement.client,
            membership=engagement.coach,
            role=Role.SOBER_COACH,
            defaults={"started_on": values["starts_on"]},
        )
    return engagement


def engagement_for_matrix(org) -> Engagement:
    return make_engagement(org)


def alert_for_matrix(org) -> Alert:
    return Alert.objects.create(
        organization=org, engagement=make_engagement(org), cause=AlertCause.HELP_NOW
    )
