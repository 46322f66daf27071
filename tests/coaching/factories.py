"""Coaching test objects."""

from datetime import timedelta

import factory
from django.utils import timezone
from django_scopes import scope

from coaching.models import Alert, AlertCause, Engagement, EngagementStatus
from continuum.people.models import CareTeamMember
from continuum.tenancy.models import Role
from tests.factories import MembershipFactory, OrganizationFactory, TenantFactory
from tests.people.factories import ClientFactory


class CoachFactory(MembershipFactory):
    roles = factory.LazyFunction(lambda: [Role.SOBER_COACH])


class EngagementFactory(TenantFactory):
    """An engagement active for ten days; an active or paused one has put its coach on
    the client's care team, as activation does."""

    class Meta:
        model = Engagement
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    client = factory.SubFactory(ClientFactory, organization=factory.SelfAttribute("..organization"))
    coach = factory.SubFactory(CoachFactory, organization=factory.SelfAttribute("..organization"))
    status = EngagementStatus.ACTIVE
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))
    activated_at = factory.LazyAttribute(
        lambda e: (
            None if e.status == EngagementStatus.PROPOSED else timezone.now() - timedelta(days=10)
        )
    )

    @factory.post_generation
    def care_team(obj, create, extracted, **kwargs):
        if not create or obj.status not in (EngagementStatus.ACTIVE, EngagementStatus.PAUSED):
            return
        with scope(organization=obj.organization_id):
            CareTeamMember.objects.get_or_create(
                organization=obj.organization,
                client=obj.client,
                membership=obj.coach,
                role=Role.SOBER_COACH,
                defaults={"started_on": obj.starts_on},
            )


class AlertFactory(TenantFactory):
    class Meta:
        model = Alert

    organization = factory.SubFactory(OrganizationFactory)
    engagement = factory.SubFactory(
        EngagementFactory, organization=factory.SelfAttribute("..organization")
    )
    cause = AlertCause.HELP_NOW
