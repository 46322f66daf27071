from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from continuum.audit.models import AuditEvent
from continuum.consent.models import Disclosure, Purpose, RecipientKind
from continuum.consent.notice import PART2_NOTICE
from continuum.consent.services import ConsentRequired, consent_revoke
from continuum.fhir.mapping import NOTICE_EXTENSION
from continuum.fhir.services import fhir_export_client
from continuum.tenancy.models import Membership, Role
from tests.casemanagement.factories import MedicationFactory
from tests.consent.factories import ConsentFactory
from tests.people.factories import ClientFactory

from .conftest import RECIPIENT

BASE = "https://continuum.example.org/fhir/r4/harbor/"


def _export(client, user, **overrides):
    membership = Membership.objects.get(organization=client.organization, user=user)
    values = {
        "recipient_kind": RecipientKind.NAMED_ORGANIZATION,
        "recipient_name": RECIPIENT,
        "purpose": Purpose.CARE_COORDINATION,
        "base_url": BASE,
    }
    values.update(overrides)
    return fhir_export_client(actor=user, membership=membership, client=client, **values)


def test_full_export_validates_against_the_r4_models(full_client, members):
    bundle, _ = _export(full_client, members[Role.CASE_MANAGER])

    Bundle.model_validate(bundle)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    counts = Counter(e["resource"]["resourceType"] for e in bundle["entry"])
    assert counts == {
        "Patient": 1,
        "Organization": 1,  # the program; the directory listing has no organization
        "Consent": 1,
        "RelatedPerson": 1,
        "EpisodeOfCare": 1,
        "CareTeam": 1,
        "CarePlan": 1,
        "Goal": 2,
        "Practitioner": 2,
        "Appointment": 2,
        "ServiceRequest": 1,
        "Task": 1,
        "HealthcareService": 1,
        "Location": 1,
        "MedicationStatement": 2,
        "QuestionnaireResponse": 3,
        "Observation": 3,
        "Encounter": 2,  # the coach's call and the client contact; not the provider call
    }


def test_every_reference_resolves_inside_the_bundle(full_client, members):
    bundle, _ = _export(full_client, members[Role.CASE_MANAGER])
    present = {f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in bundle["entry"]}

    def references(node):
        if isinstance(node, dict):
            if isinstance(node.get("reference"), str):
                yield node["reference"]
            for value in node.values():
                yield from references(value)
        elif isinstance(node, list):
            for value in node:
                yield from references(value)

    found = set(references(bundle))
    assert found, "the bundle links its resources"
    assert found <= present, found - present


def test_export_carries_part2_labels_notice_and_loinc_scores(full_client, members):
    bundle, disclosure = _export(full_client, members[Role.CASE_MANAGER])

    assert bundle["type"] == "collection"
    assert {"code": "42CFRPart2"}.items() <= bundle["meta"]["security"][1].items()
    assert bundle["meta"]["extension"] == [{"url": NOTICE_EXTENSION, "valueString": PART2_NOTICE}]
    assert all(
        any(s["code"] == "42CFRPart2" for s in e["resource"]["meta"]["security"])
        for e in bundle["entry"]
    )
    assert bundle["identifier"]["value"] == f"urn:uuid:{disclosure.public_id}"
    loinc = {
        e["resource"]["code"]["coding"][0]["code"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Observation"
    }
    assert loinc == {"44261-6", "70274-6", "75626-2"}
    patient = bundle["entry"][0]["resource"]
    assert patient["id"] == str(full_client.public_id)
    assert {"system": "email", "value": "jordan@example.com"} in patient["telecom"]
    episode = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "EpisodeOfCare"
    )
    assert [h["status"] for h in episode["statusHistory"]] == [
        "planned",
        "waitlist",
        "active",
        "active",
    ]
    assert "end" not in episode["statusHistory"][-1]["period"]


def test_export_is_accounted_for_and_audited(full_client, members):
    user = members[Role.CASE_MANAGER]
    _, disclosure = _export(full_client, user)

    row = Disclosure.objects.get()
    assert row == disclosure
    assert row.recipient == RECIPIENT
    assert row.purpose == Purpose.CARE_COORDINATION
    assert row.notice == PART2_NOTICE
    assert row.actor == user
    assert "Patient (1)" in row.description and "Observation (3)" in row.description
    event = AuditEvent.objects.get(action="fhir.bundle_exported")
    assert event.actor == user
    assert event.client_id == full_client.public_id
    assert event.detail["disclosure"] == str(disclosure.public_id)
    assert event.detail["resources"]["QuestionnaireResponse"] == 3
    assert AuditEvent.objects.filter(action="disclosure.recorded").count() == 1


def test_only_the_chosen_information_is_exported(full_client, members):
    bundle, _ = _export(full_client, members[Role.CASE_MANAGER], information=["medications"])

    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert kinds == {"Patient", "Organization", "Consent", "MedicationStatement"}
    assert "telecom" not in bundle["entry"][0]["resource"]


def test_no_consent_for_the_recipient_refuses_and_records_nothing(full_client, members):
    with pytest.raises(ConsentRequired, match="no signed consent naming this recipient"):
        _export(full_client, members[Role.CASE_MANAGER], recipient_name="Acme Insurance")
    assert not Disclosure.objects.exists()
    assert not AuditEvent.objects.filter(action="fhir.bundle_exported").exists()


def test_revoked_consent_refuses(full_client, members):
    consent = full_client.consents.get()
    consent_revoke(actor=members[Role.ORG_ADMIN], consent=consent)
    with pytest.raises(ConsentRequired, match="revoked"):
        _export(full_client, members[Role.CASE_MANAGER])
    assert not Disclosure.objects.exists()


def test_information_the_consent_does_not_cover_refuses(in_org, members):

    client = ClientFactory(organization=in_org)
    ConsentFactory(client=client, recipient_name=RECIPIENT, information_categories=["medications"])
    with pytest.raises(ConsentRequired, match="Assessment scores"):
        _export(client, members[Role.ORG_ADMIN], information=["medications", "assessments"])
    assert not Disclosure.objects.exists()


def test_unknown_information_is_a_field_error(full_client, members):
    with pytest.raises(ValidationError) as caught:
        _export(full_client, members[Role.CASE_MANAGER], information=["toxicology"])
    assert "information" in caught.value.message_dict
    assert not Disclosure.objects.exists()


def test_another_organizations_records_never_join_the_export(full_client, members, other_org):

    with scope(organization=other_org.pk):
        MedicationFactory(client=ClientFactory(organization=other_org), name="Lear-only medication")
    bundle, _ = _export(full_client, members[Role.CASE_MANAGER], information=["medications"])
    names = [
        e["resource"].get("medicationCodeableConcept", {}).get("text") for e in bundle["entry"]
    ]
    assert "Lear-only medication" not in names
