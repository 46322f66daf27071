"""Consents for tests, complete in every 42 CFR 2.31 element unless told otherwise."""

from datetime import timedelta

import factory
from django.utils import timezone

from continuum.consent.models import Consent, InformationCategory, Purpose, RecipientKind
from continuum.consent.services import CONTENT_FIELDS
from tests.people.factories import ClientFactory, ClientRecordFactory


class ConsentFactory(ClientRecordFactory):
    """A consent signed on the portal; the `unsigned` trait leaves the signature out."""

    class Meta:
        model = Consent

    disclosing_program = "Harbor Recovery residential program"
    information_categories = factory.LazyFunction(
        lambda: [InformationCategory.ATTENDANCE, InformationCategory.PROGRESS]
    )
    information_detail = ""
    recipient_kind = RecipientKind.NAMED_ORGANIZATION
    recipient_name = "Bayside Outpatient Clinic"
    recipient_family_member = None
    purposes = factory.LazyFunction(lambda: [Purpose.TREATMENT, Purpose.CARE_COORDINATION])
    purpose_detail = ""
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=180))
    expiration_event = ""
    signature_method = "portal"
    signed_name = factory.LazyAttribute(lambda consent: consent.client.display_name)
    signed_at = factory.LazyFunction(timezone.now)
    revocation_acknowledged = True

    class Params:
        unsigned = factory.Trait(
            signature_method="", signed_name="", signed_at=None, revocation_acknowledged=False
        )


def consent_values(**overrides) -> dict:
    """The consent's elements as the consent service takes them: the factory's, unsigned."""
    consent = ConsentFactory.build(client=ClientFactory.build(), **overrides)
    return {name: getattr(consent, name) for name in [*CONTENT_FIELDS, *overrides]}
