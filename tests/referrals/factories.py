"""Directory and referral objects for tests. Listings are created with the search vector
refreshed, as the services do."""

import secrets
from datetime import timedelta

import factory
from django.utils import timezone
from django_scopes import scope

from referrals.geo import zip_lookup
from referrals.models import (
    ImportFormat,
    ImportJob,
    Listing,
    ListingLocation,
    Referral,
    ReferralSource,
    ReferralStatus,
    TaxonomyMapping,
)
from referrals.services import listing_capacity_link, listing_refresh_search, referral_link_token
from tests.factories import OrganizationFactory, TenantFactory


def _hsds_id() -> str:
    return secrets.token_hex(8)


class ListingLocationFactory(TenantFactory):
    """A location placed at its ZIP code's centre."""

    class Meta:
        model = ListingLocation

    listing = factory.SubFactory("tests.referrals.factories.ListingFactory", with_location=False)
    organization = factory.SelfAttribute("listing.organization")
    hsds_id = factory.LazyFunction(_hsds_id)
    postal_code = "33139"
    state = factory.LazyAttribute(lambda loc: zip_lookup(loc.postal_code).state)
    latitude = factory.LazyAttribute(lambda loc: zip_lookup(loc.postal_code).latitude)
    longitude = factory.LazyAttribute(lambda loc: zip_lookup(loc.postal_code).longitude)


class ListingFactory(TenantFactory):
    """A sober coach verified ten days ago, with one location at `zip_code` unless
    `with_location=False`, and searchable."""

    class Meta:
        model = Listing

    organization = factory.SubFactory(OrganizationFactory)
    hsds_id = factory.LazyFunction(_hsds_id)
    name = "Harbor Coaching"
    kind = "sober_coach"
    email = "intake@provider.example.com"
    last_verified_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))

    @classmethod
    def _create(cls, model_class, *args, zip_code="33139", with_location=True, **kwargs):
        listing = super()._create(model_class, *args, **kwargs)
        if with_location:
            ListingLocationFactory(listing=listing, postal_code=zip_code)
        with scope(organization=listing.organization_id):
            listing_refresh_search(listing_ids=[listing.pk])
        return listing


class ReferralFactory(TenantFactory):
    """A referral sent to a new listing: by staff for `client`, or else by a family."""

    class Meta:
        model = Referral

    organization = factory.SubFactory(OrganizationFactory)
    listing = factory.SubFactory(
        ListingFactory,
        organization=factory.SelfAttribute("..organization"),
        name=factory.Sequence(lambda n: f"Provider {n}"),
    )
    client = None
    status = ReferralStatus.REQUESTED
    source = factory.LazyAttribute(
        lambda r: ReferralSource.STAFF if r.client else ReferralSource.FAMILY
    )
    requester_name = factory.LazyAttribute(lambda r: "" if r.client else "Pat Family")
    requester_email = factory.LazyAttribute(lambda r: "" if r.client else "pat@family.example.com")
    link_nonce = factory.LazyAttribute(
        lambda r: "" if r.status == ReferralStatus.DRAFT else secrets.token_hex(8)
    )
    sent_at = factory.LazyAttribute(
        lambda r: None if r.status == ReferralStatus.DRAFT else timezone.now()
    )


class ImportJobFactory(TenantFactory):
    class Meta:
        model = ImportJob

    organization = factory.SubFactory(OrganizationFactory)
    filename = "x.json"
    format = ImportFormat.JSON
    payload = b"[]"


class TaxonomyMappingFactory(TenantFactory):
    class Meta:
        model = TaxonomyMapping

    organization = factory.SubFactory(OrganizationFactory)
    term = "RX-9999"
    term_key = "RX-9999"
    field = "kind"
    value = "detox"


# --- tokens for the isolation matrix ------------------------------------------------------


def response_token(org) -> str:
    return referral_link_token(ReferralFactory(organization=org))


def capacity_token(org) -> str:
    return listing_capacity_link(actor=None, listing=ListingFactory(organization=org))
