"""Segmentation the receiver can enforce: every FHIR resource derived from these records
carries the HL7 DS4P labels (restricted, 42 CFR Part 2, no redisclosure without consent),
validated with fhir.resources, and the export bundle carries the consent it was made
under."""

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from continuum.tenancy.models import Role

from .test_api import _api, _url
from .test_services import _export

CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
LABELS = {(CONFIDENTIALITY, "R"), (ACT_CODE, "42CFRPart2"), (ACT_CODE, "NORDSCLCD")}


def _labels(resource: dict) -> set[tuple[str, str]]:
    # Validated first, so the labels are read from what a FHIR receiver would parse.
    model = get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return {(coding.system, coding.code) for coding in (model.meta.security or [])}


def test_every_exported_resource_and_the_bundle_are_labelled(full_client, members):
    bundle, _ = _export(full_client, members[Role.CASE_MANAGER])
    Bundle.model_validate(bundle)
    assert {(s["system"], s["code"]) for s in bundle["meta"]["security"]} == LABELS
    unlabelled = [
        f"{e['resource']['resourceType']}/{e['resource']['id']}"
        for e in bundle["entry"]
        if _labels(e["resource"]) != LABELS
    ]
    assert unlabelled == []


def test_the_bundle_carries_the_consent_it_was_made_under(full_client, members):
    bundle, disclosure = _export(full_client, members[Role.CASE_MANAGER])
    consents = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Consent"
    ]
    assert [c["id"] for c in consents] == [str(disclosure.consent.public_id)]
    assert consents[0]["status"] == "active"
    assert consents[0]["patient"]["reference"] == f"Patient/{full_client.public_id}"


@pytest.mark.parametrize(
    "resource_type",
    ["Patient", "EpisodeOfCare", "CarePlan", "Appointment", "Consent", "ServiceRequest"],
)
def test_the_read_api_labels_what_it_returns(full_client, members, resource_type):
    api = _api(members[Role.ORG_ADMIN])
    param = "_id" if resource_type == "Patient" else "patient"
    value = str(full_client.public_id)
    response = api.get(
        _url(f"{resource_type}_search"), {param: value}, HTTP_ACCEPT="application/fhir+json"
    )
    assert response.status_code == 200
    body = response.json()
    Bundle.model_validate(body)
    assert body["entry"], "the client has this kind of record"
    for entry in body["entry"]:
        assert _labels(entry["resource"]) == LABELS
    # The read URL of the first entry, as the bundle gives it.
    path = body["entry"][0]["fullUrl"].split("://", 1)[-1].split("/", 1)[1]
    read = api.get(f"/{path}", HTTP_ACCEPT="application/fhir+json")
    assert read.status_code == 200 and _labels(read.json()) == LABELS
