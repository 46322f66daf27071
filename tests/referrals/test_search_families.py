"""Search that serves families: Spanish words, honest distances, what a card shows, and
openings first."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from referrals.models import DirectoryOrganization, ListingLocation
from referrals.selectors import SearchParams, listing_search
from tests.queries import assert_queries
from tests.referrals.factories import ListingFactory

NOW = timezone.make_aware(timezone.datetime(2026, 11, 20, 12, 0))


def _search(org, **kwargs):
    params = SearchParams(**kwargs)
    params.resolve()
    return [r.name for r in listing_search(organization=org, params=params)]


@pytest.fixture
def places(in_org):
    network = DirectoryOrganization.objects.create(
        organization=in_org, hsds_id="net", name="Miami-Dade Behavioral Network"
    )
    detox = ListingFactory(
        organization=in_org,
        name="Centro Doral",
        kind="detox",
        zip_code="33172",
        description="Desintoxicación médica supervisada las 24 horas.",
        directory_organization=network,
        hours="Abierto 24 horas",
        languages=["es", "ht"],
        phone="(305) 555-0100",
        accepting_new_clients=True,
    )
    ListingLocation.objects.filter(listing=detox).update(
        address_1="8200 NW 41st St", city="Doral", placed_by_zip=True
    )
    english = ListingFactory(
        organization=in_org,
        name="Bay Detox",
        kind="detox",
        zip_code="33139",
        description="Medical detox, open all day.",
        accepting_new_clients=False,
    )
    return {"detox": detox, "english": english}


@pytest.mark.parametrize("words", ["desintoxicación", "desintoxicacion", "DESINTOXICACIÓN médica"])
def test_spanish_words_find_spanish_descriptions(in_org, places, words):
    assert _search(in_org, q=words) == ["Centro Doral"]
    assert _search(in_org, q=words, zip_code="33139", distance=50) == ["Centro Doral"]


def test_english_words_still_find_english_descriptions(in_org, places):
    assert _search(in_org, q="opening all days") == ["Bay Detox"]  # English stems


def test_card_shows_what_the_data_has(client, org, places):
    body = client.get(
        reverse("public:find", kwargs={"org": org.slug}), {"zip_code": "33139", "distance": 50}
    ).content.decode()
    assert "Miami-Dade Behavioral Network" in body
    assert "8200 NW 41st St, Doral" in body
    assert "miles away, by ZIP" in body and "0.0 miles" not in body
    assert "Abierto 24 horas" in body
    assert "Spanish, Haitian Creole" in body and ">es<" not in body
    assert 'href="tel:+13055550100"' in body


def test_a_listing_in_the_searched_zip_placed_by_zip_is_not_zero_miles(client, org, places):
    body = client.get(
        reverse("public:find", kwargs={"org": org.slug}), {"zip_code": "33172", "distance": 5}
    ).content.decode()
    assert "in ZIP code 33172 (placed by ZIP code)" in body
    assert "0.0 miles" not in body


def test_detail_page_has_languages_by_name_and_nothing_invented(client, org, in_org, places):
    unknown = ListingFactory(
        organization=in_org, name="Quiet Place", zip_code="33139", accepting_new_clients=None
    )
    body = client.get(
        reverse("public:listing_public", kwargs={"org": org.slug, "listing_id": unknown.public_id})
    ).content.decode()
    assert "Not known: call to ask" in body
    # The data says nothing of telehealth or of a service radius: neither is shown.
    assert "Telehealth" not in body and "Within a radius of its locations" not in body
    body = client.get(
        reverse(
            "public:listing_public",
            kwargs={"org": org.slug, "listing_id": places["detox"].public_id},
        )
    ).content.decode()
    assert "Spanish, Haitian Creole" in body and "placed on the map by ZIP code" in body


@time_machine.travel(NOW, tick=False)
def test_openings_first_and_stale_capacity_ages_out(in_org, places):
    # Without the preference: nearest first (Bay Detox is in the searched ZIP).
    assert _search(in_org, zip_code="33139", distance=50) == ["Bay Detox", "Centro Doral"]
    assert _search(in_org, zip_code="33139", distance=50, openings_first=True) == [
        "Centro Doral",
        "Bay Detox",
    ]
    with scope(organization=in_org.pk):
        detox = places["detox"]
        detox.capacity_updated_at = NOW - timedelta(days=45)
        detox.save(update_fields=["capacity_updated_at"])
        assert detox.capacity_state() == "unknown"
    assert _search(in_org, zip_code="33139", distance=50, openings_first=True) == [
        "Bay Detox",
        "Centro Doral",
    ]
    # Nor does the "accepting new clients" filter count openings that aged out.
    assert _search(in_org, zip_code="33139", distance=50, accepting=True) == []
    with scope(organization=in_org.pk):
        detox.capacity_updated_at = NOW - timedelta(days=2)
        detox.save(update_fields=["capacity_updated_at"])
    assert _search(in_org, zip_code="33139", distance=50, accepting=True) == ["Centro Doral"]


def test_find_page_query_count_with_cards(client, org, in_org, places):
    url = reverse("public:find", kwargs={"org": org.slug})
    # organization, page of listings with their nearest location and total (one query).
    with assert_queries(2, label="find"):
        client.get(url, {"zip_code": "33139", "distance": 50, "q": "detox"})
    for i in range(5):
        ListingFactory(
            organization=in_org,
            name=f"Detox {i}",
            kind="detox",
            zip_code="33139",
            description="detox",
        )
    with assert_queries(2, label="find with more rows"):
        client.get(url, {"zip_code": "33139", "distance": 50, "q": "detox"})
