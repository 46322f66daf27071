"""A client in aftercare with a coach and a case manager, a parent linked to them (the
family member's portal login), the client's own portal login, an interventionist on the
team, and a second coach who is not on it."""

from dataclasses import dataclass

import pytest
from django_scopes import scope

from continuum.consent.models import InformationCategory, Purpose, RecipientKind
from continuum.people.models import Client, FamilyMember
from continuum.tenancy.models import Membership, Role
from tests.consent.factories import ConsentFactory
from tests.factories import MembershipFactory, UserFactory
from tests.people.factories import CareTeamMemberFactory, ClientFactory, FamilyMemberFactory


@dataclass
class World:
    org: object
    client: Client
    parent: FamilyMember
    members: dict
    other_coach: object

    def membership(self, user):
        with scope(organization=self.org.pk):
            return Membership.objects.get(organization=self.org, user=user)


@pytest.fixture
def world(org, members):
    with scope(organization=org.pk):
        client = ClientFactory(
            organization=org,
            first_name="Jordan",
            last_name="Reyes",
            portal_user=members[Role.CLIENT],
        )
        parent = FamilyMemberFactory(
            organization=org,
            related_to=client,
            first_name="Ana",
            portal_user=members[Role.FAMILY_MEMBER],
            last_name="Reyes",
        )
        for role in (Role.SOBER_COACH, Role.CASE_MANAGER, Role.INTERVENTIONIST):
            CareTeamMemberFactory(
                organization=org,
                client=client,
                membership=Membership.objects.get(organization=org, user=members[role]),
                role=role,
            )
    other_coach = MembershipFactory(
        organization=org,
        user=UserFactory(email="coach2@harbor.example.com"),
        roles=[Role.SOBER_COACH],
    ).user
    return World(org=org, client=client, parent=parent, members=members, other_coach=other_coach)


def family_consent(world, **overrides):
    with scope(organization=world.org.pk):
        return ConsentFactory(
            client=world.client,
            recipient_kind=RecipientKind.FAMILY_MEMBER,
            recipient_name=world.parent.display_name,
            recipient_family_member=world.parent,
            purposes=[Purpose.FAMILY_INVOLVEMENT],
            information_categories=[InformationCategory.PROGRESS],
            **overrides,
        )


def open_thread(world, user, *, family=False):
    """The conversation `user` opens with the client, or with the parent (`family`)."""
    from continuum.messaging import services

    with scope(organization=world.org.pk):
        return services.thread_start(
            actor=user,
            membership=world.membership(user),
            client=world.client,
            family_member=world.parent if family else None,
        )
