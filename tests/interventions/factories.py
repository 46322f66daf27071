"""Intervention objects built directly, for tests that start mid-way through a case
and for the isolation matrix."""

from datetime import timedelta

import factory
from django.utils import timezone

from continuum.people.models import Relationship
from continuum.tenancy.models import Role
from interventions.models import (
    EducationSession,
    FamilyCheckin,
    Intervention,
    InterventionRequest,
    Letter,
    Participant,
    ParticipantRole,
    SessionKind,
    Urgency,
)
from tests.care.factories import EpisodeFactory
from tests.factories import MembershipFactory, OrganizationFactory, TenantFactory, UserFactory
from tests.people.factories import ClientFactory, FamilyMemberFactory


class InterventionistFactory(MembershipFactory):
    roles = factory.LazyFunction(lambda: [Role.INTERVENTIONIST])


class InterventionRequestFactory(TenantFactory):
    """A parent's request this month, with the client's inquiry episode."""

    class Meta:
        model = InterventionRequest

    organization = factory.SubFactory(OrganizationFactory)
    client = factory.SubFactory(ClientFactory, organization=factory.SelfAttribute("..organization"))
    episode = factory.SubFactory(EpisodeFactory, client=factory.SelfAttribute("..client"))
    requester = factory.SubFactory(
        FamilyMemberFactory,
        organization=factory.SelfAttribute("..organization"),
        first_name="Ana",
        last_name="Ruiz",
        email="ana@example.com",
    )
    relationship = Relationship.PARENT
    urgency = Urgency.THIS_MONTH
    consent_to_contact = True


class InterventionFactory(TenantFactory):
    """An intervention on an accepted request, led by a new interventionist."""

    class Meta:
        model = Intervention

    organization = factory.SubFactory(OrganizationFactory)
    request = factory.SubFactory(
        InterventionRequestFactory,
        organization=factory.SelfAttribute("..organization"),
        status="accepted",
    )
    episode = factory.SelfAttribute("request.episode")
    client = factory.SelfAttribute("request.client")
    interventionist = factory.SubFactory(
        InterventionistFactory, organization=factory.SelfAttribute("..organization")
    )


class ParticipantFactory(TenantFactory):
    """A family participant, invited. Given `user`, the participant is that portal user's
    family member and was invited to the portal too."""

    class Meta:
        model = Participant

    class Params:
        user = None

    intervention = factory.SubFactory(InterventionFactory)
    organization = factory.SelfAttribute("intervention.organization")
    name = "Ana Ruiz"
    family_member = factory.Maybe(
        "user",
        yes_declaration=factory.SubFactory(
            FamilyMemberFactory,
            organization=factory.SelfAttribute("..organization"),
            first_name=factory.LazyAttribute(lambda m: m.factory_parent.name.split()[0]),
            last_name=factory.LazyAttribute(lambda m: m.factory_parent.name.split()[-1]),
            email=factory.SelfAttribute("..user.email"),
            portal_user=factory.SelfAttribute("..user"),
        ),
        no_declaration=None,
    )
    email = factory.LazyAttribute(lambda p: p.user.email if p.user else "")
    role = ParticipantRole.FAMILY
    invited_at = factory.LazyFunction(timezone.now)
    portal_invited_at = factory.LazyAttribute(lambda p: timezone.now() if p.user else None)


class LetterFactory(TenantFactory):
    """A draft letter by a participant's own portal user."""

    class Meta:
        model = Letter

    author = factory.SubFactory(UserFactory)
    participant = factory.SubFactory(ParticipantFactory, user=factory.SelfAttribute("..author"))
    organization = factory.SelfAttribute("participant.organization")
    body = "Dear Sam"


class SessionFactory(TenantFactory):
    """An education meeting a week from now."""

    class Meta:
        model = EducationSession

    intervention = factory.SubFactory(InterventionFactory)
    organization = factory.SelfAttribute("intervention.organization")
    kind = SessionKind.EDUCATION
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class FamilyCheckinFactory(TenantFactory):
    """A family member's own check-in, today."""

    class Meta:
        model = FamilyCheckin

    family_member = factory.SubFactory(FamilyMemberFactory)
    organization = factory.SelfAttribute("family_member.organization")
    mood = 3
    stress = 3
    note = ""
