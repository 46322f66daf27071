"""Listings: saved, verified, and their search vectors kept current."""

import secrets

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Func, OuterRef, QuerySet, Subquery, TextField, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from continuum.audit.services import audit_change

from .. import selectors
from ..models import (
    Listing,
    ListingLocation,
    ServiceAreaKind,
)


class ArrayToString(Func):
    function = "ARRAY_TO_STRING"
    output_field = TextField()


class Unaccent(Func):
    """Lower case without Spanish and French accents, with built-in functions only (the
    unaccent extension is not on every PostgreSQL the application may run on)."""

    template = f"translate(lower(%(expressions)s), '{selectors.ACCENTED}', '{selectors.PLAIN}')"
    output_field = TextField()


def _search_vector():
    """English stems of every text field, and Spanish stems of the name and description
    without accents, so that "desintoxicacion" finds "Desintoxicación" (the query is read
    both ways too: selectors.text_query)."""

    def arr(name):
        return Coalesce(ArrayToString(name, Value(" ")), Value(""), output_field=TextField())

    return (
        SearchVector("name", weight="A", config="english")
        + SearchVector("alternate_name", weight="A", config="english")
        + SearchVector(arr("specialties"), weight="B", config="english")
        + SearchVector(arr("credentials"), weight="B", config="english")
        + SearchVector("description", weight="C", config="english")
        + SearchVector(Unaccent("name"), weight="A", config="spanish")
        + SearchVector(Unaccent("description"), weight="C", config="spanish")
    )


def listing_refresh_search(*, listing_ids) -> int:
    """Recompute what search reads of these listings: the stored full-text vector, and
    the kind and service radius copied onto their locations (one UPDATE each). A queryset
    of ids stays a subquery, so a bulk load does not pull every id into Python."""
    ids = listing_ids if isinstance(listing_ids, QuerySet) else list(listing_ids)
    listing = Listing.objects.filter(pk=OuterRef("listing_id"))
    reach = Case(
        When(service_area_kind=ServiceAreaKind.RADIUS, then=F("service_radius_miles")),
        default=Value(0),
    )
    ListingLocation.objects.filter(listing__in=ids).update(
        listing_kind=Subquery(listing.values("kind")[:1]),
        listing_reach_miles=Subquery(listing.annotate(reach=reach).values("reach")[:1]),
    )
    return Listing.objects.filter(pk__in=ids).update(search_vector=_search_vector())


LISTING_FIELDS = (
    "name",
    "alternate_name",
    "kind",
    "description",
    "credentials",
    "specialties",
    "levels_of_care",
    "languages",
    "payment_options",
    "insurers",
    "populations",
    "minimum_age",
    "maximum_age",
    "accepting_new_clients",
    "telehealth",
    "service_area_kind",
    "service_radius_miles",
    "service_zip_codes",
    "service_state",
    "contact_name",
    "email",
    "phone",
    "url",
    "hours",
    "status",
)


def _geocode_location(values: dict) -> dict:
    from ..geo import zip_lookup

    if values.get("latitude") is None and values.get("postal_code"):
        point = zip_lookup(values["postal_code"])
        if point is None:
            raise ValidationError({"postal_code": "This ZIP code is not a known US ZIP code."})
        values = {
            **values,
            "latitude": point.latitude,
            "longitude": point.longitude,
            "placed_by_zip": True,
        }
        if not values.get("state"):
            values["state"] = point.state
    values.setdefault("placed_by_zip", False)
    return values


@transaction.atomic
def listing_save(
    *, actor, organization, listing: Listing | None = None, location: dict, **values
) -> Listing:
    """Create or update a listing and its main location; saving it verifies it."""
    unknown = set(values) - set(LISTING_FIELDS)
    if unknown:
        raise ValueError(f"Not listing fields: {', '.join(sorted(unknown))}")
    location = _geocode_location(location)
    now = timezone.now()
    created = listing is None
    if created:
        listing = Listing(organization=organization, hsds_id=str(secrets.token_hex(8)))
        listing.hsds_id = str(listing.public_id)
    for name, value in values.items():
        setattr(listing, name, value)
    listing.last_verified_at, listing.last_verified_by, listing.updated_at = now, actor, now
    listing.full_clean(exclude=["search_vector", "hsds_raw", "directory_organization"])
    listing.save()
    main = listing.locations.first() if not created else None
    if main is None:
        main = ListingLocation(
            organization=organization, listing=listing, hsds_id=str(listing.public_id)
        )
    for name, value in location.items():
        setattr(main, name, value)
    main.full_clean(exclude=["hsds_raw", "listing"])
    main.save()
    listing_refresh_search(listing_ids=[listing.pk])
    audit_change(
        actor,
        organization,
        "listing.created" if created else "listing.updated",
        listing,
        detail={"fields": sorted(values)},
    )
    return listing


@transaction.atomic
def listing_verify(*, actor, listing: Listing) -> Listing:
    listing.last_verified_at, listing.last_verified_by = timezone.now(), actor
    listing.save(update_fields=["last_verified_at", "last_verified_by"])
    audit_change(actor, listing.organization, "listing.verified", listing)
    return listing
