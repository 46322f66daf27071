import json
from datetime import date

import pytest
from django.urls import reverse
from django_scopes import scope

from continuum.people.models import Client, FamilyMember, FamilyRelationship
from continuum.tenancy.models import Role
from continuum.tenancy.scoping import organization_scope
from tests.people.factories import CareTeamMemberFactory, ClientFactory, FamilyRelationshipFactory
from tests.queries import assert_queries

pytestmark = pytest.mark.django_db


def api_url(name, org, **kwargs):
    return reverse(f"api:{name}", kwargs={"org": org.slug, **kwargs})


def test_client_list_respects_visibility_with_constant_queries(
    client, org, members, memberships, coach_client
):
    with scope(organization=org.pk):
        ClientFactory(organization=org, first_name="Zed")
    client.force_login(members[Role.SOBER_COACH])
    # 1 session, 2 membership with organization and user (middleware), 3 count, 4 page of
    # visible clients, 5 one audit insert for the rows returned.
    with assert_queries(5, label="client list API"):
        data = client.get(api_url("client_list", org)).json()
    assert [c["first_name"] for c in data["results"]] == ["Jordan"]
    with scope(organization=org.pk):
        for _ in range(5):
            CareTeamMemberFactory(
                client=ClientFactory(organization=org), membership=memberships[Role.SOBER_COACH]
            )
    with assert_queries(5, label="client list API with more rows"):
        data = client.get(api_url("client_list", org)).json()
    assert data["count"] == 6
    client.force_login(members[Role.ORG_ADMIN])
    assert client.get(api_url("client_list", org)).json()["count"] == 7


def test_client_list_rows_match_the_client_serializer_and_are_audited(client, org, members):
    from continuum.audit.models import AuditEvent
    from continuum.people.serializers import ClientSerializer

    with scope(organization=org.pk):
        ClientFactory(
            organization=org,
            first_name="Alex",
            last_name="Kim",
            preferred_name="Lex",
            date_of_birth=date(1990, 2, 3),
            primary_substances=["opioids", "alcohol"],
            risk_flags=["overdose history"],
        )
        ClientFactory(organization=org, first_name="Bo", last_name="Lee", date_of_birth=None)
    client.force_login(members[Role.ORG_ADMIN])
    data = client.get(api_url("client_list", org)).json()
    # The organization's scope, time zone included: the API writes times in its zone.
    with organization_scope(org):
        clients = Client.objects.order_by("last_name", "first_name", "pk")
        expected = json.loads(json.dumps(ClientSerializer(clients, many=True).data))
        assert data["results"] == expected and data["count"] == 2
        events = AuditEvent.objects.filter(action="client.viewed")
        assert sorted(e.object_id for e in events) == sorted(r["id"] for r in data["results"])
        assert {str(e.client_id) for e in events} == {r["id"] for r in data["results"]}


def test_client_list_refuses_others_and_portal_roles(client, org, members, outsider):
    target = api_url("client_list", org)
    assert client.get(target).status_code in (401, 403)
    client.force_login(outsider)
    assert client.get(target).status_code == 404
    client.force_login(members[Role.CLIENT])
    assert client.get(target).status_code == 403


def test_create_retrieve_and_update_a_client(client, org, members):
    client.force_login(members[Role.INTAKE_COORDINATOR])
    response = client.post(
        api_url("client_list", org),
        {"first_name": "Alex", "last_name": "Kim", "primary_substances": ["opioids"]},
        content_type="application/json",
    )
    assert response.status_code == 201
    created = response.json()
    assert created["display_name"] == "Alex Kim" and created["primary_substances"] == ["opioids"]
    detail = api_url("client_detail", org, client_id=created["id"])
    assert client.get(detail).json()["first_name"] == "Alex"
    response = client.patch(detail, {"preferred_name": "Lex"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["display_name"] == "Lex Kim"


def test_bad_client_input_gets_field_errors_and_saves_nothing(client, org, members):
    client.force_login(members[Role.INTAKE_COORDINATOR])
    response = client.post(
        api_url("client_list", org),
        {"first_name": "", "zip_code": "abc", "date_of_birth": "2999-01-01", "last_name": "K"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"first_name", "zip_code"}
    response = client.post(
        api_url("client_list", org),
        {"first_name": "A", "last_name": "K", "date_of_birth": "2999-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"date_of_birth": ["The date of birth cannot be in the future."]}
    with scope(organization=org.pk):
        assert not Client.objects.exists()


def test_a_coach_off_the_team_gets_404_from_the_api(client, org, members, coach_client):
    client.force_login(members[Role.CASE_MANAGER])
    assert (
        client.get(api_url("client_detail", org, client_id=coach_client.public_id)).status_code
        == 404
    )
    response = client.patch(
        api_url("client_detail", org, client_id=coach_client.public_id),
        {"first_name": "X"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert (
        client.get(api_url("client_family", org, client_id=coach_client.public_id)).status_code
        == 404
    )


def test_family_list_and_create(client, org, members, coach_client):
    with scope(organization=org.pk):
        sibling = ClientFactory(organization=org)
        parent = FamilyRelationshipFactory(
            client=sibling, family_member__first_name="Pat"
        ).family_member
    client.force_login(members[Role.ORG_ADMIN])
    family = api_url("client_family", org, client_id=coach_client.public_id)
    assert client.get(family).json() == []
    response = client.post(
        family,
        {
            "first_name": "Sam",
            "last_name": "Reyes",
            "relationship": "sibling",
            "is_primary_contact": True,
        },
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["is_primary_contact"] is True
    response = client.post(
        family,
        {"family_member_id": str(parent.public_id), "relationship": "parent"},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["first_name"] == "Pat"
    names = sorted(m["first_name"] for m in client.get(family).json())
    assert names == ["Pat", "Sam"]
    with scope(organization=org.pk):
        assert FamilyMember.objects.count() == 2


def test_family_bad_input(client, org, members, coach_client):
    client.force_login(members[Role.SOBER_COACH])
    family = api_url("client_family", org, client_id=coach_client.public_id)
    response = client.post(family, {"relationship": "cousin"}, content_type="application/json")
    assert response.status_code == 400 and "relationship" in response.json()
    response = client.post(family, {"relationship": "parent"}, content_type="application/json")
    assert response.status_code == 400 and set(response.json()) == {"first_name", "last_name"}
    # A family member of a client the coach cannot see cannot be linked by id.
    with scope(organization=org.pk):
        hidden = FamilyRelationshipFactory(client=ClientFactory(organization=org)).family_member
    response = client.post(
        family,
        {"family_member_id": str(hidden.public_id), "relationship": "parent"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "family_member_id" in response.json()
    with scope(organization=org.pk):
        assert not FamilyRelationship.objects.filter(client=coach_client).exists()
