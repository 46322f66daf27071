import pytest
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from rest_framework.test import APIClient

from continuum.audit.models import AuditEvent
from continuum.consent.models import Disclosure
from continuum.tenancy.models import Role
from tests.factories import api_token
from tests.people.factories import ClientFactory
from tests.queries import assert_queries

from .conftest import RECIPIENT, populate


def _api(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return api


def _url(name, **kwargs):
    return reverse(f"fhir:{name}", kwargs={"org": "harbor", **kwargs})


@pytest.fixture
def admin_api(members):
    return _api(members[Role.ORG_ADMIN])


def _export(api, client, **body):
    """POST the $export operation for `client` as `api`: by default to the recipient and
    purpose the populated client's consent names."""
    body = body or {
        "recipient_kind": "named_organization",
        "recipient_name": RECIPIENT,
        "purpose": "care_coordination",
    }
    return api.post(_url("patient_export", fhir_patient_id=client.public_id), body, format="json")


def test_capability_statement(admin_api, org):
    response = admin_api.get(_url("metadata"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    statement = CapabilityStatement.model_validate(response.json())
    types = {r.type for r in statement.rest[0].resource}
    assert types == {
        "Patient",
        "EpisodeOfCare",
        "CarePlan",
        "Appointment",
        "Consent",
        "ServiceRequest",
    }


@pytest.mark.parametrize(
    "resource_type",
    ["Patient", "EpisodeOfCare", "CarePlan", "Appointment", "Consent", "ServiceRequest"],
)
def test_search_by_patient_and_id_returns_a_searchset(
    full_client, admin_api, in_org, resource_type
):
    ClientFactory(organization=in_org, first_name="Other", last_name="Reyes")  # not this patient
    param = "_id" if resource_type == "Patient" else "patient"
    value = full_client.public_id if param == "_id" else f"Patient/{full_client.public_id}"
    response = admin_api.get(
        _url(f"{resource_type}_search"), {param: str(value)}, HTTP_ACCEPT="application/fhir+json"
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    body = response.json()
    Bundle.model_validate(body)
    assert body["type"] == "searchset"
    assert body["total"] >= 1
    resources = [e["resource"] for e in body["entry"]]
    assert {r["resourceType"] for r in resources} == {resource_type}
    subject = (
        "id"
        if resource_type == "Patient"
        else {"EpisodeOfCare": "patient", "Consent": "patient"}.get(resource_type, "subject")
    )
    for r in resources:
        if resource_type == "Patient":
            assert r["id"] == str(full_client.public_id)
        elif resource_type == "Appointment":
            assert r["participant"][0]["actor"]["reference"] == f"Patient/{full_client.public_id}"
        else:
            assert r[subject]["reference"] == f"Patient/{full_client.public_id}"
    # read by id answers the same resource
    first = resources[0]
    read = admin_api.get(
        _url(
            f"{resource_type}_read",
            **{
                {
                    "Patient": "fhir_patient_id",
                    "EpisodeOfCare": "fhir_episode_id",
                    "CarePlan": "fhir_careplan_id",
                    "Appointment": "fhir_appointment_id",
                    "Consent": "fhir_consent_id",
                    "ServiceRequest": "fhir_servicerequest_id",
                }[resource_type]: first["id"]
            },
        )
    )
    assert read.status_code == 200
    assert read.json() == first


def test_reads_are_audited(full_client, admin_api, members):
    admin_api.get(_url("Appointment_search"), {"patient": str(full_client.public_id)})
    events = AuditEvent.objects.filter(action="appointment.viewed")
    assert events.count() == 2
    assert {e.client_id for e in events} == {full_client.public_id}


def test_staff_see_only_their_care_teams_clients(full_client, members, in_org):
    stranger_client = ClientFactory(organization=in_org, first_name="Casey", last_name="Reyes")
    coach_api = _api(members[Role.SOBER_COACH])  # on full_client's care team only
    body = coach_api.get(_url("Patient_search")).json()
    assert [e["resource"]["id"] for e in body["entry"]] == [str(full_client.public_id)]
    missing = coach_api.get(_url("Patient_read", fhir_patient_id=stranger_client.public_id))
    assert missing.status_code == 404
    assert missing.json()["resourceType"] == "OperationOutcome"


def test_bad_search_input_is_an_operation_outcome(admin_api, org):
    response = admin_api.get(_url("Patient_search"), {"name": "Reyes"})
    assert response.status_code == 400
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert "name: Search parameter not supported" in body["issue"][0]["diagnostics"]
    bad_id = admin_api.get(_url("Consent_search"), {"patient": "not-a-uuid"})
    assert bad_id.status_code == 400
    assert bad_id.json()["issue"][0]["code"] == "invalid"


def test_search_query_count_does_not_grow_with_patients(admin_api, in_org):
    ClientFactory(organization=in_org, first_name="Jordan", last_name="Reyes")
    # organization, token + user, membership, clients, one audit insert for the page
    with assert_queries(5, label="one patient") as one:
        admin_api.get(_url("Patient_search"))
    for i in range(5):
        ClientFactory(organization=in_org, first_name=f"P{i}", last_name="Reyes")
    with assert_queries(len(one.captured_queries), label="six patients"):
        body = admin_api.get(_url("Patient_search")).json()
    assert body["total"] == 6


def test_export_operation_returns_the_bundle_and_records_the_disclosure(full_client, members):
    api = _api(members[Role.CASE_MANAGER])
    response = _export(api, full_client)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/fhir+json")
    Bundle.model_validate(response.json())
    assert Disclosure.objects.get().recipient == RECIPIENT


def test_export_without_consent_is_refused(full_client, members):
    api = _api(members[Role.CASE_MANAGER])
    response = _export(
        api,
        full_client,
        recipient_kind="named_organization",
        recipient_name="Acme Insurance",
        purpose="payment",
    )
    assert response.status_code == 403
    body = response.json()
    assert body["issue"][0]["code"] == "security"
    assert "42 CFR Part 2 consent" in body["issue"][0]["diagnostics"]
    # It names the way forward: the page that records that consent, filled in.
    assert (
        f"Record it at http://testserver/harbor/staff/clients/{full_client.public_id}/consents/new/?"
        "recipient_kind=named_organization&recipient_name=Acme+Insurance&purposes=payment"
    ) in body["issue"][0]["diagnostics"]
    assert not Disclosure.objects.exists()


def test_export_bad_input_names_the_fields(full_client, members):
    api = _api(members[Role.CASE_MANAGER])
    response = _export(api, full_client, recipient_kind="nobody")
    assert response.status_code == 400
    diagnostics = response.json()["issue"][0]["diagnostics"]
    assert "recipient_kind:" in diagnostics and "recipient_name:" in diagnostics
    assert not Disclosure.objects.exists()


def test_other_organization_gets_404_with_a_token(full_client, outsider):
    response = _api(outsider).get(_url("Patient_read", fhir_patient_id=full_client.public_id))
    assert response.status_code == 404
    assert response.json()["resourceType"] == "OperationOutcome"


def test_anonymous_gets_401_operation_outcome(org):
    response = APIClient().get(_url("Patient_search"))
    assert response.status_code == 401
    assert response.json()["issue"][0]["code"] == "login"
    assert response["WWW-Authenticate"] == "Token"


def _patient_references(value) -> set[str]:
    if isinstance(value, dict):
        return set().union(*map(_patient_references, value.values()))
    if isinstance(value, list):
        return set().union(*map(_patient_references, value))
    if isinstance(value, str) and value.startswith("Patient/"):
        return {value}
    return set()


def test_each_patients_export_carries_only_that_patients_records(full_client, members, in_org):
    # A second client as fully recorded as the first, in the same organization: every
    # record kind the export maps exists twice, once for each patient.
    second = populate(in_org, members)
    api = _api(members[Role.CASE_MANAGER])
    bundles = {}
    for client in (full_client, second):
        response = _export(api, client)
        assert response.status_code == 200, response.content
        bundles[client] = response.json()

    for client, bundle in bundles.items():
        assert _patient_references(bundle) == {f"Patient/{client.public_id}"}
    kinds = {
        client: sorted(e["resource"]["resourceType"] for e in bundle["entry"])
        for client, bundle in bundles.items()
    }
    assert kinds[full_client] == kinds[second]
    assert {"Patient", "EpisodeOfCare", "CarePlan", "Appointment", "Consent"} <= set(kinds[second])
