"""Search "in your area": distance, service areas, filters, text, and the indexes."""

import pytest
import time_machine
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from referrals.models import Listing, ListingLocation
from referrals.selectors import SearchParams, listing_search, match_reasons
from tests.queries import assert_queries
from tests.referrals.factories import ListingFactory


def _search(org, **kwargs):
    params = SearchParams(**kwargs)
    params.resolve()
    return list(listing_search(organization=org, params=params)), params


@pytest.fixture
def world(in_org):
    return {
        "beach": ListingFactory(
            organization=in_org,
            name="South Beach Sober Coaching",
            zip_code="33139",
            languages=["en", "es"],
            payment_options=["self_pay"],
        ),
        "coral": ListingFactory(
            organization=in_org,
            name="Coral Gables Outpatient",
            zip_code="33134",
            kind="outpatient",
            payment_options=["medicaid"],
            description="Evening intensive outpatient groups",
        ),
        "boston": ListingFactory(organization=in_org, name="Back Bay Coaching", zip_code="02115"),
        "orlando_zip": ListingFactory(
            organization=in_org,
            name="Orlando Home Visits",
            zip_code="32801",
            service_area_kind="zip_list",
            service_zip_codes=["33139"],
        ),
        "tampa_state": ListingFactory(
            organization=in_org,
            name="Florida Statewide Case Management",
            zip_code="33602",
            kind="case_manager",
            service_area_kind="statewide",
            service_state="FL",
        ),
        "radius": ListingFactory(
            organization=in_org,
            name="Palm Beach Mobile Detox",
            zip_code="33401",
            kind="detox",
            service_area_kind="radius",
            service_radius_miles=120,
        ),
        "closed": ListingFactory(
            organization=in_org, name="Closed Miami Program", zip_code="33139", status="inactive"
        ),
    }


def test_results_near_a_zip_sorted_by_distance_with_distance_shown(world, in_org):
    results, params = _search(in_org, zip_code="33139", distance=10)
    names = [r.name for r in results]
    assert names[:2] == ["South Beach Sober Coaching", "Coral Gables Outpatient"]
    assert "Back Bay Coaching" not in names
    assert "Closed Miami Program" not in names
    assert results[0].distance < 1.0
    assert 5 < results[1].distance < 10
    # Rounded as the result's distance is shown beside it, not truncated.
    assert match_reasons(results[1], params)[0] == f"{results[1].distance:.1f} miles away"


def test_service_area_includes_listings_whose_office_is_far(world, in_org):
    results, params = _search(in_org, zip_code="33139", distance=10)
    by_name = {r.name: r for r in results}
    # ZIP list: Orlando is ~200 miles away but lists 33139.
    assert "Orlando Home Visits" in by_name
    assert match_reasons(by_name["Orlando Home Visits"], params)[0] == "Serves ZIP 33139"
    # Statewide Florida.
    assert (
        match_reasons(by_name["Florida Statewide Case Management"], params)[0] == "Serves all of FL"
    )
    # 120-mile radius around West Palm Beach covers Miami Beach (~70 miles).
    assert "Serves within 120 miles" in match_reasons(by_name["Palm Beach Mobile Detox"], params)[0]
    # ...but not Boston.
    boston, _ = _search(in_org, zip_code="02115", distance=10)
    assert [r.name for r in boston] == ["Back Bay Coaching"]


def test_every_service_area_kind_keeps_to_the_filters(world, in_org):
    ListingFactory(
        organization=in_org,
        name="Closed Statewide Coaching",
        zip_code="33602",
        service_area_kind="statewide",
        service_state="FL",
        status="inactive",
    )
    ListingFactory(
        organization=in_org,
        name="Telehealth Anywhere",
        zip_code="02115",
        service_area_kind="telehealth_only",
        service_state="",
    )
    ListingFactory(
        organization=in_org,
        name="Jupiter Spanish Detox",
        zip_code="33458",
        kind="detox",
        service_area_kind="radius",
        service_radius_miles=120,
        languages=["es"],
    )
    results, _ = _search(in_org, zip_code="33139", distance=10)
    names = [r.name for r in results]
    assert "Telehealth Anywhere" in names
    assert "Closed Statewide Coaching" not in names
    # Both detox programs' radii reach Miami Beach; only one speaks Spanish.
    results, _ = _search(in_org, zip_code="33139", distance=10, kind="detox", language="es")
    assert [r.name for r in results] == ["Jupiter Spanish Detox"]
    # Boston is beyond both radii.
    results, _ = _search(in_org, zip_code="02115", distance=10, kind="detox")
    assert results == []


def test_reasons_are_in_the_visitors_language(world, in_org):
    results, params = _search(in_org, zip_code="33139", distance=25, language="es")
    with translation.override("es"):
        reasons = match_reasons(results[0], params)
    assert reasons[0].startswith("A ") and reasons[0].endswith(" millas")
    assert "Habla Español" in reasons
    results, params = _search(in_org, zip_code="33139", distance=10)
    by_name = {r.name: r for r in results}
    with translation.override("es"):
        reasons = match_reasons(by_name["Orlando Home Visits"], params)
    assert reasons[0] == "Atiende el código postal 33139"


def test_filters_narrow_results(world, in_org):
    results, params = _search(in_org, zip_code="33139", distance=25, payment="medicaid")
    assert [r.name for r in results] == ["Coral Gables Outpatient"]
    assert "Accepts Medicaid" in match_reasons(results[0], params)
    results, _ = _search(in_org, zip_code="33139", distance=25, language="es")
    assert [r.name for r in results] == ["South Beach Sober Coaching"]
    results, _ = _search(in_org, zip_code="33139", distance=500, kind="detox")
    assert [r.name for r in results] == ["Palm Beach Mobile Detox"]


def test_text_matches_names_and_descriptions(world, in_org):
    results, _ = _search(in_org, q="intensive evening")
    assert [r.name for r in results] == ["Coral Gables Outpatient"]
    results, _ = _search(in_org, zip_code="02115", distance=10, q="coaching")
    assert [r.name for r in results] == ["Back Bay Coaching"]


def test_other_organizations_listings_never_appear(world, in_org, other_org):
    from django_scopes import scope

    with scope(organization=other_org.pk):
        ListingFactory(organization=other_org, name="Lear Beach Coaching", zip_code="33139")
    results, _ = _search(in_org, zip_code="33139", distance=5)
    assert "Lear Beach Coaching" not in [r.name for r in results]


def test_public_find_page_shows_results_and_empty_state(client, org, world):
    url = reverse("public:find", kwargs={"org": org.slug})
    response = client.get(url, {"zip_code": "33139", "distance": 10})
    body = response.content.decode()
    assert "South Beach Sober Coaching" in body and "Last verified" in body
    assert "Back Bay Coaching" not in body
    response = client.get(url, {"zip_code": "59001", "distance": 5, "kind": "psychiatrist"})
    assert "Try a larger distance" in response.content.decode()


def test_find_page_bad_zip_is_a_field_error(client, org, world):
    response = client.get(reverse("public:find", kwargs={"org": org.slug}), {"zip_code": "00000"})
    assert "Enter a 5-digit US ZIP code" in response.content.decode()


def test_find_page_query_count_does_not_grow(client, org, in_org, world):
    url = reverse("public:find", kwargs={"org": org.slug})
    # organization, page of listings (distance and total computed in the same query)
    with assert_queries(2, label="find"):
        client.get(url, {"zip_code": "33139", "distance": 500})
    for i in range(10):
        ListingFactory(organization=in_org, name=f"Extra {i}", zip_code="33139")
    with assert_queries(2, label="find with more rows"):
        client.get(url, {"zip_code": "33139", "distance": 500})


def test_public_search_api_is_open_and_rate_limited(client, org, world, settings):
    url = reverse("public:find_api", kwargs={"org": org.slug})
    data = client.get(url, {"zip_code": "33139", "distance": 10}).json()
    assert data["results"][0]["name"] == "South Beach Sober Coaching"
    assert data["results"][0]["distance_miles"] < 1
    assert client.get(url, {"zip_code": "abc"}).status_code == 400
    # The clock stands still so all 70 fall in one rate window however slow the machine is.
    with time_machine.travel(timezone.now(), tick=False):
        statuses = {client.get(url, {"zip_code": "33139"}).status_code for _ in range(70)}
    assert 429 in statuses


@pytest.mark.django_db(transaction=True)
def test_search_uses_the_indexes(in_org, analyze_as_owner):
    # A few thousand listings spread over the country, then the planner's own statistics.
    import random

    from referrals.services import listing_refresh_search

    rng = random.Random(7)
    listings = Listing.objects.bulk_create(
        Listing(
            organization=in_org,
            hsds_id=f"bench-{i}",
            name=f"Program {i}",
            description="naltrexone clinic"
            if i % 500 == 0
            else rng.choice(["detox", "family group"]),
        )
        for i in range(3000)
    )
    ListingLocation.objects.bulk_create(
        ListingLocation(
            organization=in_org,
            listing=listing,
            hsds_id="loc",
            latitude=rng.uniform(25, 48),
            longitude=rng.uniform(-123, -70),
        )
        for listing in listings
    )
    listing_refresh_search(listing_ids=[x.pk for x in listings])
    # Only the owner may ANALYZE, from its own connection: so the rows are committed.
    analyze_as_owner("referrals_listing", "referrals_listinglocation")
    with transaction.atomic(), connection.cursor() as cursor:
        # SSD-like costs, as production is configured; the default assumes spinning disks.
        cursor.execute("SET LOCAL random_page_cost = 1.1")
        # Near a ZIP the area's few listings are read from the geo index and tested for
        # the text one by one.
        params = SearchParams(zip_code="33139", distance=25, q="naltrexone")
        params.resolve()
        plan = listing_search(organization=in_org, params=params).explain()
        assert "referrals_location_geo" in plan, plan

        # Text alone goes through the GIN index, inside the search function (whose plan
        # EXPLAIN does not show): the index's scan counter of this transaction moves.
        def gin_scans():
            cursor.execute("SELECT pg_stat_get_xact_numscans('referrals_listing_search'::regclass)")
            return cursor.fetchone()[0]

        before = gin_scans()
        found = listing_search(organization=in_org, params=SearchParams(q="naltrexone"))
        assert sorted(x.name for x in found) == sorted(f"Program {i}" for i in range(0, 3000, 500))
        assert gin_scans() == before + 1


def test_search_pages_carry_their_total(world, in_org, client, org):
    """The total comes with the page (one query); past the last page the last page is
    shown, and a page that is not a number is the first."""
    from referrals.selectors import SearchPaginator

    for i in range(5):
        ListingFactory(organization=in_org, name=f"Miami Extra {i}", zip_code="33139")
    params = SearchParams(zip_code="33139", distance=10)
    params.resolve()
    qs = listing_search(organization=in_org, params=params)
    everything = list(qs.all())  # a clone: qs itself stays unevaluated
    first = SearchPaginator(qs, 4).get_page("1")
    # Five in the world serve Miami Beach (near, ZIP list, statewide, radius), plus five.
    assert first.paginator.count == len(everything) == 10
    assert list(first.object_list) == everything[:4] and first.paginator.num_pages == 3
    # The empty page asked for, a COUNT to find the last page, then the last page.
    with assert_queries(3, label="page past the end") as ctx:
        last = SearchPaginator(qs, 4).get_page(9)
    assert last.number == 3 and list(last.object_list) == everything[8:]
    assert "COUNT(*)" in ctx.captured_queries[1]["sql"].upper()
    assert SearchPaginator(qs, 4).get_page("x").number == 1
    empty = listing_search(organization=in_org, params=SearchParams(q="nothing-matches-this"))
    page = SearchPaginator(empty, 4).get_page(1)
    assert page.paginator.count == 0 and list(page.object_list) == []
    url = reverse("public:find_api", kwargs={"org": org.slug})
    data = client.get(url, {"zip_code": "33139", "distance": 10, "page": 2}).json()
    assert (data["count"], data["page"], data["pages"]) == (10, 1, 1)


def test_a_listings_new_kind_and_radius_reach_its_locations(world, in_org, admin_user):
    """Search reads kind and radius from the locations' copies: saving the listing (or
    importing it) keeps them in step."""
    from referrals.services import listing_save

    boston = world["boston"]
    location = {"postal_code": "02115", "city": "Boston", "state": "MA"}
    listing_save(
        actor=admin_user,
        organization=in_org,
        listing=boston,
        location=location,
        kind="detox",
        service_area_kind="radius",
        service_radius_miles=60,
    )
    # Worcester (01608) is ~40 miles from Back Bay: beyond 10 miles, within the radius.
    results, params = _search(in_org, zip_code="01608", distance=10, kind="detox")
    assert [r.name for r in results] == ["Back Bay Coaching"]
    assert "Serves within 60 miles" in match_reasons(results[0], params)[0]
    assert _search(in_org, zip_code="02115", distance=10, kind="sober_coach")[0] == []
    listing_save(
        actor=admin_user,
        organization=in_org,
        listing=boston,
        location=location,
        service_area_kind="statewide",
        service_state="MA",
    )
    assert _search(in_org, zip_code="01608", distance=10, kind="detox")[0] == [boston]
    listing_save(
        actor=admin_user,
        organization=in_org,
        listing=boston,
        location=location,
        service_area_kind="radius",
        service_state="",
        service_radius_miles=20,
    )
    assert _search(in_org, zip_code="01608", distance=10, kind="detox")[0] == []
    assert _search(in_org, zip_code="01608", distance=50, kind="detox")[0] == [boston]
