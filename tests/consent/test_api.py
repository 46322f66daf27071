import pytest
from django.urls import reverse

from continuum.audit.models import AuditEvent
from continuum.consent.models import Consent
from continuum.consent.services import disclosure_record
from tests.consent.factories import ConsentFactory
from tests.people.factories import ClientFactory, FamilyMemberFactory
from tests.queries import assert_queries

pytestmark = pytest.mark.django_db


def _url(name, org, client, **kwargs):
    return reverse(f"api:{name}", kwargs={"org": org.slug, "client_id": client.public_id, **kwargs})


def test_list_and_create_consents(client, org, admin_user, person, mother):
    ConsentFactory(client=person)
    client.force_login(admin_user)
    url = _url("client_consent_list", org, person)
    assert [c["status"] for c in client.get(url).json()["results"]] == ["active"]
    response = client.post(
        url,
        {
            "disclosing_program": "Harbor Recovery",
            "information_categories": ["progress"],
            "recipient_kind": "family_member",
            "recipient_family_member": str(mother.public_id),
            "purposes": ["family_involvement"],
            "expiration_event": "discharge from aftercare",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["recipient_name"]) == ("awaiting_signature", "Ana Reyes")
    assert Consent.objects.count() == 2


def test_create_with_missing_elements_names_each(client, org, admin_user, person):
    client.force_login(admin_user)
    response = client.post(
        _url("client_consent_list", org, person),
        {"recipient_kind": "named_individual", "recipient_name": "Dr. Lee"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()) >= {
        "disclosing_program",
        "information_categories",
        "purposes",
        "expires_on",
    }
    assert not Consent.objects.exists()


def test_revoke(client, org, admin_user, person):
    consent = ConsentFactory(client=person)
    client.force_login(admin_user)
    url = _url("client_consent_revoke", org, person, consent_id=consent.public_id)
    assert client.post(url).json()["status"] == "revoked"
    again = client.post(url)
    assert again.status_code == 400
    assert again.json() == {"detail": ["This consent is already revoked."]}


def test_disclosures_list_is_audited_and_constant_in_queries(client, org, admin_user, person):
    consent = ConsentFactory(client=person)
    disclosure_record(
        actor=admin_user, consent=consent, recipient="Bayside", description="d", purpose="treatment"
    )
    client.force_login(admin_user)
    url = _url("client_disclosure_list", org, person)
    # 1 session, 2 membership with organization and user, 3 visible client, 4 count,
    # 5 page of disclosures, 6 audit reads (one INSERT).
    with assert_queries(6, label="disclosures api"):
        data = client.get(url).json()
    assert data["results"][0]["notice"].startswith("This record which has been disclosed")
    for _ in range(3):
        disclosure_record(
            actor=admin_user,
            consent=consent,
            recipient="Bayside",
            description="d",
            purpose="treatment",
        )
    with assert_queries(6, label="disclosures api, more rows"):
        assert client.get(url).json()["count"] == 4
    assert (
        AuditEvent.objects.filter(action="disclosure.viewed", client_id=person.public_id).count()
        == 5
    )


def test_portal_roles_cannot_use_the_staff_api(client, org, members, person):
    client.force_login(members["client"])
    assert client.get(_url("client_consent_list", org, person)).status_code == 403


def test_create_naming_an_unlinked_family_member_is_refused(client, org, admin_user, person):

    stranger = FamilyMemberFactory(
        organization=org,
        related_to=ClientFactory(organization=org, first_name="Sam", last_name="Reyes"),
        first_name="Ana",
        last_name="Reyes",
    )
    client.force_login(admin_user)
    response = client.post(
        _url("client_consent_list", org, person),
        {
            "disclosing_program": "Harbor Recovery",
            "information_categories": ["progress"],
            "recipient_kind": "family_member",
            "recipient_family_member": str(stranger.public_id),
            "purposes": ["family_involvement"],
            "expiration_event": "discharge",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "recipient_family_member": ["This person is not linked to the client."]
    }
    assert not Consent.objects.exists()
