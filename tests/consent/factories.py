"""Consents for tests, complete in every 42 CFR 2.31 element unless told otherwise."""

from datetime import timedelta

from django.utils import timezone

from continuum.consent.models import Consent, InformationCategory, Purpose, RecipientKind
from continuum.people.models import Client, FamilyMember, FamilyRelationship


def make_client(org, **values) -> Client:
    values = {"first_name": "Jordan", "last_name": "Reyes", **values}
    return Client.objects.create(organization=org, **values)


def make_family_member(org, client, **values) -> FamilyMember:
    values = {"first_name": "Ana", "last_name": "Reyes", **values}
    member = FamilyMember.objects.create(organization=org, **values)
    FamilyRelationship.objects.create(
        organization=org, client=client, family_member=member, relationship="parent"
    )
    return member


def consent_values(**overrides) -> dict:
    values = {
        "disclosing_program": "Harbor Recovery residential program",
        "information_categories": [InformationCategory.ATTENDANCE, InformationCategory.PROGRESS],
        "information_detail": "",
        "recipient_kind": RecipientKind.NAMED_ORGANIZATION,
        "recipient_name": "Bayside Outpatient Clinic",
        "recipient_family_member": None,
        "purposes": [Purpose.TREATMENT, Purpose.CARE_COORDINATION],
        "purpose_detail": "",
        "expires_on": timezone.localdate() + timedelta(days=180),
        "expiration_event": "",
    }
    values.update(overrides)
    return values


def signed_consent(*, org, client, **overrides) -> Consent:
    signature = {
        "signature_method": "portal",
        "signed_name": client.display_name,
        "signed_at": timezone.now(),
        "revocation_acknowledged": True,
    }
    signature.update({k: overrides.pop(k) for k in list(overrides) if k in signature})
    values = consent_values(**overrides)
    return Consent.objects.create(organization=org, client=client, **values, **signature)
