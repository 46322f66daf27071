from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from continuum.audit.models import AuditEvent
from continuum.people.models import CareTeamMember, Client, FamilyMember, FamilyRelationship
from continuum.people.selectors import (
    client_for_portal_user,
    client_get_for,
    client_list_for,
    family_member_for_portal_user,
)
from continuum.people.services import (
    care_team_add,
    care_team_end,
    client_create,
    client_update,
    family_member_add,
)
from continuum.tenancy.models import Role
from tests.people.factories import CareTeamMemberFactory, ClientFactory, FamilyRelationshipFactory

pytestmark = pytest.mark.django_db


def test_client_create_cleans_lists_and_audits(in_org, admin_user, memberships):
    client = client_create(
        actor=admin_user,
        membership=memberships[Role.ORG_ADMIN],
        first_name=" Alex ",
        last_name="Kim",
        preferred_name="Lex",
        primary_substances=["opioids", " opioids", "", "alcohol"],
    )
    assert client.display_name == "Lex Kim"
    assert client.primary_substances == ["opioids", "alcohol"]
    assert AuditEvent.objects.filter(action="client.created", client_id=client.public_id).exists()
    # Admins see every client anyway: no care-team row is needed.
    assert not CareTeamMember.objects.filter(client=client).exists()


def test_a_coach_who_creates_a_client_joins_the_care_team(in_org, members, memberships):
    coach = memberships[Role.SOBER_COACH]
    client = client_create(
        actor=members[Role.SOBER_COACH], membership=coach, first_name="A", last_name="B"
    )
    assert CareTeamMember.objects.get(client=client).membership == coach
    assert client_get_for(membership=coach, client_id=client.public_id) == client


def test_client_fields_are_validated_and_nothing_is_saved(in_org, admin_user, memberships):
    with pytest.raises(ValidationError) as exc:
        client_create(
            actor=admin_user,
            membership=memberships[Role.ORG_ADMIN],
            first_name="",
            last_name="B",
            date_of_birth=date(2999, 1, 1),
        )
    assert set(exc.value.message_dict) == {"first_name", "date_of_birth"}
    assert not Client.objects.exists()


def test_client_update_records_only_changed_field_names(in_org, admin_user):
    client = ClientFactory(organization=in_org, phone="")
    client_update(actor=admin_user, client=client, phone="555 0101", first_name=client.first_name)
    event = AuditEvent.objects.get(action="client.updated")
    assert event.detail == {"fields": ["phone"]}
    assert "555" not in str(event.detail)


def test_one_family_member_can_be_linked_to_two_siblings(in_org, admin_user):
    first, second = ClientFactory(organization=in_org), ClientFactory(organization=in_org)
    link = family_member_add(
        actor=admin_user,
        client=first,
        relationship="parent",
        is_primary_contact=True,
        first_name="Pat",
        last_name="Lee",
        email="pat@example.com",
    )
    family_member_add(
        actor=admin_user, client=second, relationship="parent", family_member=link.family_member
    )
    assert FamilyMember.objects.count() == 1
    assert FamilyRelationship.objects.filter(family_member=link.family_member).count() == 2
    with pytest.raises(ValidationError, match="already linked"):
        family_member_add(
            actor=admin_user, client=second, relationship="parent", family_member=link.family_member
        )


def test_only_one_primary_contact_per_client(in_org, admin_user):
    client = ClientFactory(organization=in_org)
    a = family_member_add(
        actor=admin_user,
        client=client,
        relationship="parent",
        is_primary_contact=True,
        first_name="A",
        last_name="One",
    )
    family_member_add(
        actor=admin_user,
        client=client,
        relationship="sibling",
        is_primary_contact=True,
        first_name="B",
        last_name="Two",
    )
    a.refresh_from_db()
    assert not a.is_primary_contact
    assert FamilyRelationship.objects.filter(client=client, is_primary_contact=True).count() == 1


def test_family_member_needs_a_name_and_relationship(in_org, admin_user):
    client = ClientFactory(organization=in_org)
    with pytest.raises(ValidationError) as exc:
        family_member_add(
            actor=admin_user, client=client, relationship="parent", first_name="", last_name=""
        )
    assert set(exc.value.message_dict) == {"first_name", "last_name"}
    with pytest.raises(ValidationError) as exc:
        family_member_add(
            actor=admin_user,
            client=client,
            relationship="cousin-ish",
            first_name="A",
            last_name="B",
        )
    assert "relationship" in exc.value.message_dict
    assert not FamilyMember.objects.exists()


def test_care_team_role_must_be_held_and_not_duplicated(in_org, admin_user, memberships):
    client = ClientFactory(organization=in_org)
    coach = memberships[Role.SOBER_COACH]
    with pytest.raises(ValidationError) as exc:
        care_team_add(actor=admin_user, client=client, membership=coach, role=Role.CASE_MANAGER)
    assert "does not hold the role Case manager" in exc.value.message_dict["role"][0]
    care_team_add(actor=admin_user, client=client, membership=coach, role=Role.SOBER_COACH)
    with pytest.raises(ValidationError, match="already serves"):
        care_team_add(actor=admin_user, client=client, membership=coach, role=Role.SOBER_COACH)
    assert CareTeamMember.objects.filter(client=client).count() == 1


def test_visibility_follows_the_care_team(in_org, memberships):
    mine, theirs = ClientFactory(organization=in_org), ClientFactory(organization=in_org)
    coach = memberships[Role.SOBER_COACH]
    link = CareTeamMemberFactory(client=mine, membership=coach, started_on=date(2020, 1, 1))
    assert list(client_list_for(membership=coach)) == [mine]
    with pytest.raises(Http404):
        client_get_for(membership=coach, client_id=theirs.public_id)
    for role in (Role.ORG_ADMIN, Role.INTAKE_COORDINATOR):
        assert set(client_list_for(membership=memberships[role])) == {mine, theirs}
    # Ended assignments no longer grant access.
    care_team_end(actor=None, link=link, ended_on=date(2021, 1, 1))
    assert list(client_list_for(membership=coach)) == []


def test_portal_members_see_only_their_own_or_linked_clients(in_org, members, memberships):
    own = ClientFactory(organization=in_org, portal_user=members[Role.CLIENT])
    loved_one = ClientFactory(organization=in_org)
    ClientFactory(organization=in_org)
    link = FamilyRelationshipFactory(client=loved_one)
    link.family_member.portal_user = members[Role.FAMILY_MEMBER]
    link.family_member.save(update_fields=["portal_user"])
    assert list(client_list_for(membership=memberships[Role.CLIENT])) == [own]
    assert list(client_list_for(membership=memberships[Role.FAMILY_MEMBER])) == [loved_one]
    assert client_for_portal_user(membership=memberships[Role.CLIENT]) == own
    assert (
        family_member_for_portal_user(membership=memberships[Role.FAMILY_MEMBER])
        == link.family_member
    )
    assert client_for_portal_user(membership=memberships[Role.SOBER_COACH]) is None


def test_a_deactivated_member_sees_no_one(in_org, memberships):
    ClientFactory(organization=in_org)
    admin = memberships[Role.ORG_ADMIN]
    admin.is_active = False
    assert list(client_list_for(membership=admin)) == []
