"""Intervention objects built directly, for tests that start mid-way through a case
and for the isolation matrix."""

from django.utils import timezone

from continuum.people.models import FamilyMember, Relationship
from continuum.tenancy.models import Membership, Role
from interventions.models import (
    Intervention,
    InterventionRequest,
    Letter,
    Participant,
    ParticipantRole,
    Urgency,
)
from tests.care.factories import EpisodeFactory
from tests.factories import UserFactory
from tests.people.factories import ClientFactory


def request_for_matrix(org, **extra):
    client = ClientFactory(organization=org)
    episode = EpisodeFactory(client=client)
    requester = FamilyMember.objects.create(
        organization=org, first_name="Ana", last_name="Ruiz", email="ana@example.com"
    )
    values = {
        "organization": org,
        "episode": episode,
        "client": client,
        "requester": requester,
        "relationship": Relationship.PARENT,
        "urgency": Urgency.THIS_MONTH,
        "consent_to_contact": True,
        **extra,
    }
    return InterventionRequest.objects.create(**values)


def intervention_for_matrix(org, *, interventionist=None, **extra):
    request = request_for_matrix(org, status="accepted")
    if interventionist is None:
        interventionist = Membership.objects.create(
            organization=org, user=UserFactory(), roles=[Role.INTERVENTIONIST]
        )
    return Intervention.objects.create(
        organization=org,
        request=request,
        episode=request.episode,
        client=request.client,
        interventionist=interventionist,
        **extra,
    )


def participant_for(intervention, *, user=None, name="Ana Ruiz", **extra):
    member = None
    if user is not None:
        member = FamilyMember.objects.create(
            organization=intervention.organization,
            first_name=name.split()[0],
            last_name=name.split()[-1],
            email=user.email,
            portal_user=user,
        )
    return Participant.objects.create(
        organization=intervention.organization,
        intervention=intervention,
        family_member=member,
        name=name,
        email=user.email if user else "",
        role=ParticipantRole.FAMILY,
        invited_at=timezone.now(),
        portal_invited_at=timezone.now() if user else None,
        **extra,
    )


def letter_for_matrix(org):
    intervention = intervention_for_matrix(org)
    author = UserFactory()
    participant = participant_for(intervention, user=author)
    return Letter.objects.create(
        organization=org, participant=participant, author=author, body="Dear Sam"
    )
