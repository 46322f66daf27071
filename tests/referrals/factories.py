"""Directory and referral objects for tests. Listings are created through the model with
the search vector refreshed, as the services do."""

import secrets
from datetime import timedelta

from django.utils import timezone

from referrals.geo import zip_lookup
from referrals.models import (
    ImportFormat,
    ImportJob,
    Listing,
    ListingLocation,
    Referral,
    ReferralSource,
    ReferralStatus,
)
from referrals.services import listing_refresh_search, referral_link_token


def make_listing(org, *, name="Harbor Coaching", zip_code="33139", with_location=True, **fields):
    fields.setdefault("kind", "sober_coach")
    fields.setdefault("email", "intake@provider.example.com")
    fields.setdefault("last_verified_at", timezone.now() - timedelta(days=10))
    listing = Listing.objects.create(
        organization=org, hsds_id=secrets.token_hex(8), name=name, **fields
    )
    if with_location:
        point = zip_lookup(zip_code)
        ListingLocation.objects.create(
            organization=org,
            listing=listing,
            hsds_id=secrets.token_hex(8),
            postal_code=zip_code,
            state=point.state,
            latitude=point.latitude,
            longitude=point.longitude,
        )
    listing_refresh_search(listing_ids=[listing.pk])
    return listing


def make_referral(org, *, listing=None, client=None, status=ReferralStatus.REQUESTED, **fields):
    listing = listing or make_listing(org, name=f"Provider {secrets.token_hex(3)}")
    referral = Referral.objects.create(
        organization=org,
        listing=listing,
        client=client,
        source=ReferralSource.STAFF if client else ReferralSource.FAMILY,
        status=status,
        requester_name="" if client else "Pat Family",
        requester_email="" if client else "pat@family.example.com",
        link_nonce=secrets.token_hex(8) if status != ReferralStatus.DRAFT else "",
        sent_at=timezone.now() if status != ReferralStatus.DRAFT else None,
        **fields,
    )
    return referral


def response_token(org) -> str:
    return referral_link_token(make_referral(org))


def import_job(org) -> ImportJob:
    return ImportJob.objects.create(
        organization=org, filename="x.json", format=ImportFormat.JSON, payload=b"[]"
    )


def taxonomy_mapping(org):
    from referrals.models import TaxonomyMapping

    return TaxonomyMapping.objects.create(
        organization=org, term="RX-9999", term_key="RX-9999", field="kind", value="detox"
    )


def capacity_token(org) -> str:
    from referrals.services import listing_capacity_link

    return listing_capacity_link(actor=None, listing=make_listing(org))
