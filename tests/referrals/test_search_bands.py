"""Search near a place reads the geo indexes by latitude band: every location inside the
radius is still found, whichever band it sits in, at the bands' edges too."""

import pytest

from referrals.geo import (
    LATITUDE_BANDS_PER_DEGREE,
    Point,
    haversine_miles,
    latitude_bands,
    zip_lookup,
)
from referrals.models import ListingLocation
from referrals.selectors import SearchParams, listing_search
from referrals.services import listing_refresh_search
from tests.referrals.factories import ListingFactory

# Offsets in degrees of latitude from the searched ZIP's centre: the nearest band edges on
# either side, a hair either side of them, and points just inside and outside 25 miles.
OFFSETS = [
    -0.37,
    -0.36,
    -0.3,
    -0.251,
    -0.25,
    -0.249,
    -0.01,
    0.0,
    0.01,
    0.249,
    0.25,
    0.251,
    0.3,
    0.36,
    0.37,
]


def test_latitude_bands_cover_the_box():
    assert latitude_bands(40.0, 40.0) == [160]
    assert latitude_bands(39.99, 40.26) == [159, 160, 161]
    assert latitude_bands(-0.1, 0.1) == [-1, 0]
    assert latitude_bands(89.9, 95.0) == [359, 360]  # clamped at the pole


@pytest.mark.parametrize("kind", ["", "therapist"])
def test_a_search_finds_every_location_within_the_radius_across_bands(in_org, kind):
    centre = zip_lookup("10001")
    # A latitude on a band edge, so the offsets land on and beside the edges.
    edge = round(centre.latitude * LATITUDE_BANDS_PER_DEGREE) / LATITUDE_BANDS_PER_DEGREE
    expected = set()
    for n, offset in enumerate(OFFSETS):
        listing = ListingFactory(
            organization=in_org,
            name=f"Band {n}",
            kind="therapist",
            with_location=False,
        )
        latitude, longitude = edge + offset, centre.longitude
        ListingLocation.objects.create(
            organization=in_org,
            listing=listing,
            hsds_id="loc",
            latitude=latitude,
            longitude=longitude,
        )
        if haversine_miles(centre, Point(latitude, longitude)) <= 25:
            expected.add(listing.name)
    listing_refresh_search(listing_ids=ListingLocation.objects.values("listing_id"))
    # The generated column is what the index reads: a band per quarter degree.
    bands = set(ListingLocation.objects.values_list("latitude_band", flat=True))
    assert len(bands) >= 3
    params = SearchParams(zip_code="10001", distance=25, kind=kind)
    params.resolve()
    found = {listing.name for listing in listing_search(organization=in_org, params=params)}
    assert found == expected
    assert 0 < len(expected) < len(OFFSETS)
