"""Providers and the coordination with them, within the client's consent."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from continuum import directory
from continuum.consent.models import InformationCategory, Purpose, RecipientKind
from continuum.consent.services import ConsentRequired, consent_require, disclosure_record
from continuum.people.models import Client

from ..models import (
    PROVIDER_CONTACT_DISCLOSURE,
    PROVIDER_CONTACT_KINDS,
    Contact,
    ContactKind,
    Direction,
    Provider,
    ProviderKind,
)
from ._shared import _audit
from .gaps import _gaps_refresh


@transaction.atomic
def provider_add(
    *,
    actor,
    client: Client,
    kind: str,
    name: str,
    practice: str = "",
    phone: str = "",
    email: str = "",
    address: str = "",
    listing_id=None,
) -> Provider:
    errors = {}
    if kind not in ProviderKind.values:
        errors["kind"] = "Choose the kind of provider."
    if not name.strip():
        errors["name"] = "Name the provider."
    if listing_id is not None and not directory.listing_pick(
        organization=client.organization, listing_id=listing_id
    ):
        errors["listing_id"] = (
            "That directory listing is not in this organization's directory: search "
            "the directory again, or add the provider without a listing."
        )
    if errors:
        raise ValidationError(errors)
    provider = Provider.objects.create(
        organization=client.organization,
        client=client,
        kind=kind,
        name=name.strip(),
        practice=practice.strip(),
        phone=phone.strip(),
        email=email.strip(),
        address=address.strip(),
        listing_id=listing_id,
    )
    _audit(actor, "provider.added", provider, client, kind=kind)
    _gaps_refresh(client)
    return provider


def _consent_for(*, client: Client, provider: Provider, information: list[str]):
    """A consent naming the provider, else one covering the client's treating providers."""
    named_kind = (
        RecipientKind.NAMED_ORGANIZATION if provider.practice else RecipientKind.NAMED_INDIVIDUAL
    )
    attempts = [(named_kind, provider.recipient_name), (RecipientKind.TREATING_PROVIDERS, "")]
    first_error = None
    for recipient_kind, recipient_name in attempts:
        try:
            return consent_require(
                organization=client.organization,
                client=client,
                recipient_kind=recipient_kind,
                recipient_name=recipient_name or provider.recipient_name,
                purpose=Purpose.CARE_COORDINATION,
                information=information,
            )
        except ConsentRequired as exc:
            first_error = first_error or exc
    raise first_error


@transaction.atomic
def contact_record(
    *,
    actor,
    client: Client,
    kind: str,
    summary: str,
    provider: Provider | None = None,
    direction: str = Direction.OUTBOUND,
    information: list[str] | None = None,
    occurred_at: datetime | None = None,
) -> Contact:
    """Log a contact. A communication with a provider passes the consent gate; an
    outbound one is a disclosure: it carries the 42 CFR 2.32 notice and is counted in
    the accounting of disclosures."""
    information = sorted(set(information or []))
    errors = {}
    if kind not in ContactKind.values:
        errors["kind"] = "Choose the kind of contact."
    if direction not in Direction.values:
        errors["direction"] = "Choose inbound or outbound."
    if not summary.strip():
        errors["summary"] = "Summarise the contact."
    if occurred_at is not None and occurred_at > timezone.now() + timedelta(minutes=5):
        errors["occurred_at"] = "A contact cannot be in the future."
    if set(information) - set(InformationCategory.values):
        errors["information"] = "Choose what was shared from the list."
    with_provider = kind in PROVIDER_CONTACT_KINDS
    if with_provider and provider is None:
        errors["provider"] = "Choose the provider."
    if not with_provider and provider is not None:
        errors["provider"] = "Support contacts are with the client, not a provider."
    if provider is not None and provider.client_id != client.pk:
        errors["provider"] = "Choose one of this client's providers."
    if with_provider and direction == Direction.OUTBOUND and not information:
        errors["information"] = "Say what information was shared."
    if errors:
        raise ValidationError(errors)
    disclosure = None
    notice = ""
    if with_provider:
        consent = _consent_for(
            client=client,
            provider=provider,
            information=information or [InformationCategory.CONTACT],
        )
        if direction == Direction.OUTBOUND:
            disclosure = disclosure_record(
                actor=actor,
                consent=consent,
                recipient=provider.recipient_name,
                kind=PROVIDER_CONTACT_DISCLOSURE,
                facts={"contact_kind": kind, "information": information},
                purpose=Purpose.CARE_COORDINATION,
            )
            notice = disclosure.notice
    contact = Contact.objects.create(
        organization=client.organization,
        client=client,
        provider=provider,
        kind=kind,
        direction=direction if with_provider else Direction.OUTBOUND,
        summary=summary.strip(),
        information=information,
        occurred_at=occurred_at or timezone.now(),
        author=actor,
        disclosure=disclosure,
        notice=notice,
    )
    _audit(actor, "contact.recorded", contact, client, kind=kind, disclosed=bool(disclosure))
    _gaps_refresh(client)
    return contact
