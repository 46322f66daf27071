"""A Spanish-speaking family member and client with something on every portal page:
the client in coaching, with a care plan, an appointment, a medication and a consent to
sign; the family member on an intervention team, with a letter and a referral request."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from coaching.models import RelapsePreventionPlan
from continuum.care.models import Phase
from continuum.people.models import FamilyMember
from continuum.tenancy.models import Role
from continuum.tenancy.scoping import organization_scope
from tests.care.factories import EpisodeFactory
from tests.casemanagement import factories as casemgmt
from tests.coaching.factories import EngagementFactory
from tests.consent.factories import ConsentFactory
from tests.interventions.factories import (
    InterventionFactory,
    ParticipantFactory,
)
from tests.notifications.factories import NotificationFactory
from tests.people.factories import ClientFactory
from tests.referrals.factories import ListingFactory, ReferralFactory


@dataclass
class World:
    client_record: object
    family_member: object
    consent: object
    intervention: object
    listing: object
    client_notification: object
    family_notification: object


@pytest.fixture
def world(org, members):
    client_user, family_user = members[Role.CLIENT], members[Role.FAMILY_MEMBER]
    # The organization's scope, time zone included: a medication started "today" must
    # be current on the organization's day, also late in its evening.
    with organization_scope(org):
        client = ClientFactory(organization=org, portal_user=client_user, preferred_language="es")
        EpisodeFactory(client=client, organization=org, phase=Phase.AFTERCARE)
        engagement = EngagementFactory(organization=org, client=client)
        RelapsePreventionPlan.objects.create(
            organization=org, engagement=engagement, triggers=["Paydays"], warning_signs="—"
        )
        plan = casemgmt.CarePlanFactory(client=client)
        casemgmt.GoalStepFactory(goal=casemgmt.GoalFactory(plan=plan))
        casemgmt.AppointmentFactory(client=client)
        casemgmt.MedicationFactory(
            client=client, refill_due_on=timezone.localdate() + timedelta(days=5)
        )
        consent = ConsentFactory(client=client, unsigned=True)
        intervention = InterventionFactory(organization=org)
        participant = ParticipantFactory(
            intervention=intervention, user=family_user, name="Ana Ruiz"
        )
        family = FamilyMember.objects.get(pk=participant.family_member_id)
        family.preferred_language = "es"
        family.save(update_fields=["preferred_language"])
        listing = ListingFactory(
            organization=org, name="Bayside Family Group", kind="family_support"
        )
        ReferralFactory(organization=org, listing=listing, created_by=family_user)
        world = World(
            client_record=client,
            family_member=family,
            consent=consent,
            intervention=intervention,
            listing=listing,
            client_notification=NotificationFactory(organization=org, recipient=client_user),
            family_notification=NotificationFactory(organization=org, recipient=family_user),
        )
    return world


@pytest.fixture
def spanish(client):
    """The visitor chose Spanish with the language switcher."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    return client
