"""The demo's aftercare client, as `make run` builds it, exports as a valid bundle."""

import io
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from continuum.care.models import CareEpisode, Phase
from continuum.consent.models import Purpose, RecipientKind
from continuum.fhir.services import fhir_export_client
from continuum.tenancy.models import Membership, Organization
from continuum.tenancy.scoping import organization_scope
from tests.consent.factories import ConsentFactory

from .conftest import ALL_CATEGORIES, RECIPIENT

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_aftercare_client_exports_a_valid_bundle_of_every_mapped_type():
    call_command("demo_setup", stdout=io.StringIO())
    organization = Organization.objects.get(slug="demo")
    manager = get_user_model().objects.get(email="casemanager@demo.example.com")
    with organization_scope(organization):
        episode = CareEpisode.objects.select_related("client").get(
            phase=Phase.AFTERCARE, client__last_name="Okafor"
        )
        client = episode.client
        ConsentFactory(
            client=client,
            recipient_name=RECIPIENT,
            information_categories=ALL_CATEGORIES,
        )
        bundle, _ = fhir_export_client(
            actor=manager,
            membership=Membership.objects.get(user=manager),
            client=client,
            recipient_kind=RecipientKind.NAMED_ORGANIZATION,
            recipient_name=RECIPIENT,
            purpose=Purpose.CARE_COORDINATION,
            base_url="https://continuum.example.org/fhir/r4/demo/",
        )
    Bundle.model_validate(bundle)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    kinds = Counter(e["resource"]["resourceType"] for e in bundle["entry"])
    expected = {
        "Patient",
        "RelatedPerson",
        "EpisodeOfCare",
        "CareTeam",
        "Practitioner",
        "CarePlan",
        "Goal",
        "Appointment",
        "MedicationStatement",
        "QuestionnaireResponse",
        "Observation",
        "Consent",
        "Encounter",
    }
    expected |= {"ServiceRequest", "Task", "HealthcareService", "Location", "Organization"}
    missing = expected - set(kinds)
    assert not missing, f"the demo export lacks {sorted(missing)}; it has {dict(kinds)}"
