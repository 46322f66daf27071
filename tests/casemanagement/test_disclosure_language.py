"""The accounting of disclosures says what went to a provider in the reader's language:
a case manager working in Spanish logs records sent, and the client reading in English
sees English (and in Spanish, Spanish); rows saved before are given their facts back."""

from importlib import import_module

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse

from casemanagement.models import PROVIDER_CONTACT_DISCLOSURE, Contact
from continuum.consent.models import Disclosure
from continuum.consent.services import disclosure_record
from continuum.tenancy.models import Role
from tests.consent.factories import ConsentFactory

from . import factories

ENGLISH = (
    "Records sent: Attendance and participation in treatment, "
    "Progress updates and recovery check-in summaries"
)
SPANISH = (
    "Expediente enviado: Asistencia y participación en el tratamiento, "
    "Avances y resúmenes de los registros de recuperación"
)

migration = import_module("casemanagement.migrations.0006_provider_contact_disclosure_facts")


def _in(client, user, language):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _portal_disclosures(client, org) -> str:
    response = client.get(reverse("portal:disclosure_list", kwargs={"org": org.slug}))
    assert response.status_code == 200
    return response.content.decode()


def _staff_consents(client, org, client_rec) -> str:
    response = client.get(
        reverse(
            "staff:client_consents", kwargs={"org": org.slug, "client_id": client_rec.public_id}
        )
    )
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def provider(in_org, client_rec):
    ConsentFactory(client=client_rec)
    return factories.ProviderFactory(client=client_rec, practice="Bayside Outpatient Clinic")


def test_records_sent_in_spanish_read_in_each_readers_language(
    client, in_org, members, client_rec, provider
):
    response = _in(client, members[Role.CASE_MANAGER], "es").post(
        reverse(
            "staff:casemgmt_contact_add",
            kwargs={"org": in_org.slug, "client_id": client_rec.public_id},
        ),
        {
            "kind": "records_sent",
            "provider": provider.pk,
            "direction": "outbound",
            "information": ["progress", "attendance"],
            "summary": "Sent the month's attendance",
        },
    )
    assert response.status_code == 302
    disclosure = Disclosure.objects.get()
    assert disclosure.kind == PROVIDER_CONTACT_DISCLOSURE
    assert disclosure.facts == {
        "contact_kind": "records_sent",
        "information": ["attendance", "progress"],
    }
    assert disclosure.description == ENGLISH  # stored in English, not the author's Spanish

    spanish_staff = _staff_consents(client, in_org, client_rec)
    assert SPANISH in spanish_staff and ENGLISH not in spanish_staff

    _in(client, members[Role.CLIENT], "en")
    page = _portal_disclosures(client, in_org)
    assert ENGLISH in page and SPANISH not in page
    _in(client, members[Role.CLIENT], "es")
    page = _portal_disclosures(client, in_org)
    assert SPANISH in page and ENGLISH not in page

    # The API answers in the language of the request too.
    _in(client, members[Role.ORG_ADMIN], "en")
    api = reverse(
        "api:client_disclosure_list",
        kwargs={"org": in_org.slug, "client_id": client_rec.public_id},
    )
    assert client.get(api).json()["results"][0]["description"] == ENGLISH
    _in(client, members[Role.ORG_ADMIN], "es")
    assert client.get(api).json()["results"][0]["description"] == SPANISH


def test_a_disclosure_kind_must_fit_its_facts(in_org, client_rec, members):
    consent = ConsentFactory(client=client_rec)
    with pytest.raises(ValueError, match=r"casemanagement\.provider_contact"):
        disclosure_record(
            actor=members[Role.CASE_MANAGER],
            consent=consent,
            recipient="Bayside Outpatient Clinic",
            kind=PROVIDER_CONTACT_DISCLOSURE,
            facts={"contact_kind": "records_sent"},
            purpose="care_coordination",
        )
    assert not Disclosure.objects.exists()


def test_the_migration_gives_saved_disclosures_their_contacts_facts(
    client, in_org, members, client_rec, provider
):
    consent = ConsentFactory(client=client_rec)
    saved_in_spanish = disclosure_record(
        actor=members[Role.CASE_MANAGER],
        consent=consent,
        recipient="Bayside Outpatient Clinic",
        description=SPANISH,
        purpose="care_coordination",
    )
    Contact.objects.create(
        organization=in_org,
        client=client_rec,
        provider=provider,
        kind="records_sent",
        direction="outbound",
        summary="Sent the month's attendance",
        information=["progress", "attendance"],
        author=members[Role.CASE_MANAGER],
        disclosure=saved_in_spanish,
    )
    # Not a provider contact's disclosure: nothing to recover it from.
    export = disclosure_record(
        actor=members[Role.CASE_MANAGER],
        consent=consent,
        recipient="Bayside Outpatient Clinic",
        description="FHIR R4 bundle: Patient (1)",
        purpose="care_coordination",
    )
    migration.attach_facts(apps, None)
    saved_in_spanish.refresh_from_db()
    export.refresh_from_db()
    assert saved_in_spanish.kind == PROVIDER_CONTACT_DISCLOSURE
    assert saved_in_spanish.description == ENGLISH
    assert (export.kind, export.facts, export.description) == (
        "",
        {},
        "FHIR R4 bundle: Patient (1)",
    )

    _in(client, members[Role.CLIENT], "en")
    page = _portal_disclosures(client, in_org)
    assert ENGLISH in page and SPANISH not in page and "FHIR R4 bundle: Patient (1)" in page
    _in(client, members[Role.CLIENT], "es")
    assert SPANISH in _portal_disclosures(client, in_org)
