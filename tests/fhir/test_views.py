import json

from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle

from continuum.consent.models import Disclosure
from continuum.tenancy.models import Role

from .conftest import RECIPIENT


def _url(client):
    return reverse(
        "staff:client_fhir_export", kwargs={"org": "harbor", "client_id": client.public_id}
    )


FORM = {
    "recipient_kind": "named_organization",
    "recipient_name": RECIPIENT,
    "purpose": "care_coordination",
    "information": ["status", "medications"],
}


def test_page_shows_the_form(client, full_client, members):
    client.force_login(members[Role.CASE_MANAGER])
    response = client.get(_url(full_client))
    assert response.status_code == 200
    assert b"Export FHIR bundle" in response.content
    assert b'name="recipient_name"' in response.content


def test_export_downloads_a_valid_bundle(client, full_client, members):
    client.force_login(members[Role.CASE_MANAGER])
    response = client.post(_url(full_client), FORM)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    assert response["Content-Disposition"].startswith("attachment;")
    bundle = json.loads(response.content)
    Bundle.model_validate(bundle)
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert kinds == {"Patient", "Organization", "Consent", "EpisodeOfCare", "MedicationStatement"}
    assert Disclosure.objects.get().recipient == RECIPIENT


def test_consent_refusal_is_shown_and_nothing_recorded(client, full_client, members):
    client.force_login(members[Role.CASE_MANAGER])
    response = client.post(_url(full_client), {**FORM, "recipient_name": "Acme Insurance"})
    # A refusal, like the API's 403 and every other page's refused form: not a 200.
    assert response.status_code == 400
    body = response.content.decode()
    assert "cannot be shared with Acme Insurance" in body
    # The way forward: the consent to record, filled in with what the export needed.
    consent_new = reverse(
        "staff:client_consent_new", kwargs={"org": "harbor", "client_id": full_client.public_id}
    )
    assert (
        f'href="{consent_new}?recipient_kind=named_organization&amp;recipient_name=Acme+Insurance'
        in body
    )
    assert "Record the consent naming Acme Insurance" in body
    assert not Disclosure.objects.exists()


def test_missing_fields_are_field_errors(client, full_client, members):
    client.force_login(members[Role.CASE_MANAGER])
    response = client.post(_url(full_client), {"purpose": "treatment"})
    assert response.status_code == 400
    assert response.context["form"].errors.keys() == {
        "recipient_kind",
        "recipient_name",
        "information",
    }
    assert not Disclosure.objects.exists()


def test_sober_coach_may_not_export(client, full_client, members):
    client.force_login(members[Role.SOBER_COACH])
    assert client.post(_url(full_client), FORM).status_code == 403
    assert not Disclosure.objects.exists()


def test_client_page_offers_the_export_only_to_roles_that_may_export(client, full_client, members):
    page = reverse(
        "staff:client_detail", kwargs={"org": "harbor", "client_id": full_client.public_id}
    )
    client.force_login(members[Role.ORG_ADMIN])
    assert _url(full_client).encode() in client.get(page).content
    # The coach is on the care team and sees the page, but may not disclose the record.
    client.force_login(members[Role.SOBER_COACH])
    response = client.get(page)
    assert response.status_code == 200
    assert _url(full_client).encode() not in response.content
