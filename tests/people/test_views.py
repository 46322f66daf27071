import pytest
from django.urls import reverse
from django_scopes import scope

from continuum.people.models import CareTeamMember, Client, FamilyMember, FamilyRelationship
from continuum.tenancy.models import Role
from tests.people.factories import ClientFactory, FamilyRelationshipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("care_timeline_only")]

VALID = {
    "first_name": "Alex",
    "last_name": "Kim",
    "preferred_name": "Lex",
    "date_of_birth": "1990-04-01",
    "pronouns": "they/them",
    "email": "alex@example.com",
    "phone": "555 0100",
    "zip_code": "02139",
    "preferred_language": "es",
    "primary_substances": "opioids, alcohol",
    "co_occurring_conditions": "",
    "risk_flags": "overdose history",
}


def url(name, org, **kwargs):
    return reverse(f"staff:{name}", kwargs={"org": org.slug, **kwargs})


def test_staff_create_a_client_and_land_on_their_page(client, org, members):
    client.force_login(members[Role.INTAKE_COORDINATOR])
    response = client.post(url("client_create", org), VALID)
    assert response.status_code == 302
    with scope(organization=org.pk):
        created = Client.objects.get()
    assert response["Location"] == url("client_detail", org, client_id=created.public_id)
    assert created.primary_substances == ["opioids", "alcohol"]
    assert created.risk_flags == ["overdose history"]
    assert created.preferred_language == "es"
    page = client.get(response["Location"]).content.decode()
    assert "Lex Kim" in page and "overdose history" in page


def test_bad_client_input_shows_field_errors_and_saves_nothing(client, org, members):
    client.force_login(members[Role.INTAKE_COORDINATOR])
    response = client.post(
        url("client_create", org),
        {**VALID, "first_name": "", "zip_code": "ABCDE", "date_of_birth": "2999-01-01"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "First name: This field is required." in body
    assert "ZIP code: Enter a 5-digit ZIP code." in body
    with scope(organization=org.pk):
        assert not Client.objects.exists()
    response = client.post(url("client_create", org), {**VALID, "date_of_birth": "2999-01-01"})
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()


def test_a_coach_who_creates_a_client_can_open_them(client, org, members):
    client.force_login(members[Role.SOBER_COACH])
    response = client.post(url("client_create", org), VALID)
    assert client.get(response["Location"]).status_code == 200


def test_editing_a_client(client, org, members, coach_client):
    client.force_login(members[Role.SOBER_COACH])
    page = url("client_edit", org, client_id=coach_client.public_id)
    assert 'value="Jordan"' in client.get(page).content.decode()
    response = client.post(page, {**VALID, "first_name": "Jordan", "last_name": "Reyes-Ortiz"})
    assert response.status_code == 302
    with scope(organization=org.pk):
        coach_client.refresh_from_db()
    assert coach_client.last_name == "Reyes-Ortiz"
    response = client.post(page, {**VALID, "last_name": ""})
    assert response.status_code == 400
    with scope(organization=org.pk):
        coach_client.refresh_from_db()
    assert coach_client.last_name == "Reyes-Ortiz"


def test_editing_someone_elses_client_is_404(client, org, members, coach_client):
    client.force_login(members[Role.CASE_MANAGER])
    assert client.get(url("client_edit", org, client_id=coach_client.public_id)).status_code == 404


def test_adding_a_family_member(client, org, members, coach_client):
    client.force_login(members[Role.SOBER_COACH])
    page = url("family_member_add", org, client_id=coach_client.public_id)
    response = client.post(
        page,
        {
            "first_name": "Pat",
            "last_name": "Reyes",
            "email": "pat@example.com",
            "preferred_language": "en",
            "relationship": "parent",
            "is_primary_contact": "on",
        },
    )
    assert response.status_code == 302
    with scope(organization=org.pk):
        link = FamilyRelationship.objects.select_related("family_member").get(client=coach_client)
    assert (link.family_member.first_name, link.relationship, link.is_primary_contact) == (
        "Pat",
        "parent",
        True,
    )
    body = client.get(response["Location"]).content.decode()
    assert "Pat Reyes" in body and "Primary contact" in body


def test_family_member_bad_input_saves_nothing(client, org, members, coach_client):
    client.force_login(members[Role.SOBER_COACH])
    response = client.post(
        url("family_member_add", org, client_id=coach_client.public_id),
        {"first_name": "", "last_name": "", "preferred_language": "en", "relationship": ""},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert (
        "First name: This field is required." in body
        and "Relationship: This field is required." in body
    )
    with scope(organization=org.pk):
        assert not FamilyMember.objects.exists()


def test_linking_a_siblings_parent_offers_only_family_the_staff_member_can_see(
    client, org, members, memberships, coach_client
):
    with scope(organization=org.pk):
        sibling = ClientFactory(organization=org, first_name="Casey", last_name="Reyes")
        visible_parent = FamilyRelationshipFactory(client=sibling, family_member__first_name="Pat")
        hidden = FamilyRelationshipFactory(
            client=ClientFactory(organization=org), family_member__first_name="Hidden"
        )
    page = url("family_member_add", org, client_id=coach_client.public_id)
    client.force_login(members[Role.SOBER_COACH])
    assert "Pat " not in client.get(page).content.decode(), (
        "the sibling is not on the coach's caseload"
    )
    client.force_login(members[Role.INTAKE_COORDINATOR])
    body = client.get(page).content.decode()
    assert "Pat " in body and "Hidden" in body
    response = client.post(
        page,
        {
            "existing": visible_parent.family_member.pk,
            "preferred_language": "en",
            "relationship": "parent",
        },
    )
    assert response.status_code == 302
    with scope(organization=org.pk):
        assert FamilyMember.objects.count() == 2
        assert visible_parent.family_member.client_links.count() == 2
    assert hidden is not None


def test_care_team_assignment_by_intake(client, org, members, memberships, coach_client):
    client.force_login(members[Role.INTAKE_COORDINATOR])
    page = url("care_team_add", org, client_id=coach_client.public_id)
    case_manager = memberships[Role.CASE_MANAGER]
    response = client.post(
        page, {"membership": case_manager.pk, "role": "sober_coach", "started_on": "2026-01-05"}
    )
    assert response.status_code == 400
    assert "does not hold the role Sober coach" in response.content.decode()
    response = client.post(
        page, {"membership": case_manager.pk, "role": "case_manager", "started_on": "2026-01-05"}
    )
    assert response.status_code == 302
    # The case manager now sees the client.
    client.force_login(members[Role.CASE_MANAGER])
    assert (
        client.get(url("client_detail", org, client_id=coach_client.public_id)).status_code == 200
    )


def test_ending_a_care_team_assignment_removes_access(client, org, members, coach_client):
    with scope(organization=org.pk):
        link = CareTeamMember.objects.get(client=coach_client)
    client.force_login(members[Role.ORG_ADMIN])
    response = client.post(
        url(
            "care_team_end",
            org,
            client_id=coach_client.public_id,
            care_team_member_id=link.public_id,
        )
    )
    assert response.status_code == 302
    client.force_login(members[Role.SOBER_COACH])
    assert (
        client.get(url("client_detail", org, client_id=coach_client.public_id)).status_code == 404
    )
