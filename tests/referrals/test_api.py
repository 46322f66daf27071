"""The directory and referrals in the REST API: search parameters, detail, referrals,
HSDS export, bad input, and query counts that do not grow with rows."""

import json

import pytest
from django.urls import reverse

from continuum.tenancy.models import Role
from referrals.models import ListingStatus, ReferralStatus
from tests.people.factories import ClientFactory
from tests.queries import assert_queries
from tests.referrals.factories import ListingFactory, ListingLocationFactory, ReferralFactory


def api(name, org, **kwargs):
    return reverse(f"api:{name}", kwargs={"org": org.slug, **kwargs})


@pytest.fixture
def staff(client, members):
    client.force_login(members[Role.CASE_MANAGER])
    return client


@pytest.fixture
def directory(in_org):
    return {
        "beach": ListingFactory(
            organization=in_org,
            name="South Beach Sober Coaching",
            zip_code="33139",
            languages=["en", "es"],
            payment_options=["medicaid"],
            specialties=["executive coaching"],
        ),
        "gables": ListingFactory(
            organization=in_org,
            name="Coral Gables Coaching",
            zip_code="33134",
            languages=["en"],
            payment_options=["medicaid"],
        ),
        "closed": ListingFactory(
            organization=in_org,
            name="Little Havana Coaching",
            zip_code="33135",
            languages=["es"],
            payment_options=["medicaid"],
            status=ListingStatus.TEMPORARILY_CLOSED,
        ),
        "boston": ListingFactory(organization=in_org, name="Back Bay Coaching", zip_code="02115"),
        "outpatient": ListingFactory(
            organization=in_org, name="Miami Outpatient", zip_code="33139", kind="outpatient"
        ),
    }


def test_listings_search_by_zip_distance_and_filters(staff, org, directory):
    body = staff.get(
        api("listing_list", org),
        {"zip_code": "33139", "distance": "25", "kind": "sober_coach", "payment": "medicaid"},
    ).json()
    names = [r["name"] for r in body["results"]]
    # Nearest first; staff see temporarily closed listings too.
    assert names == [
        "South Beach Sober Coaching",
        "Little Havana Coaching",
        "Coral Gables Coaching",
    ]
    assert body["count"] == 3
    distances = [r["distance_miles"] for r in body["results"]]
    assert distances[0] == 0.0 and 0 < distances[1] < distances[2] <= 25
    assert body["results"][1]["status"] == "temporarily_closed"

    spanish = staff.get(
        api("listing_list", org), {"zip_code": "33139", "language": "es", "q": "executive"}
    ).json()
    assert [r["name"] for r in spanish["results"]] == ["South Beach Sober Coaching"]
    assert spanish["results"][0]["specialties"] == ["executive coaching"]


def test_listings_without_parameters_list_the_whole_directory(staff, org, directory):
    body = staff.get(api("listing_list", org)).json()
    assert body["count"] == 5
    assert all(r["distance_miles"] is None for r in body["results"])


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"zip_code": "99999"}, "zip_code", "Enter a 5-digit US ZIP code, e.g. 33139."),
        ({"distance": "7"}, "distance", "Select a valid choice."),
        ({"kind": "wizard"}, "kind", "Select a valid choice."),
        ({"latitude": "120"}, "latitude", "less than or equal to 90"),
    ],
)
def test_listings_with_bad_parameters_name_the_field(staff, org, directory, params, field, message):
    response = staff.get(api("listing_list", org), params)
    assert response.status_code == 400
    errors = response.json()[field]
    assert any(message in e["message"] for e in errors), errors


def _listing_queries(staff, org):
    # 1 session, 2 membership with organization and user (IsOrganizationMember reads it);
    # 3 the page of listings with directory organization, distance and the total.
    with assert_queries(3, label="api listings"):
        response = staff.get(api("listing_list", org), {"zip_code": "33139", "distance": "50"})
    return response.json()


def test_listings_query_count_does_not_grow_with_rows(staff, org, in_org):
    ListingFactory(organization=in_org, name="First", zip_code="33139")
    assert _listing_queries(staff, org)["count"] == 1
    for n in range(8):
        ListingFactory(organization=in_org, name=f"More {n}", zip_code="33134")
    assert _listing_queries(staff, org)["count"] == 9


def test_listing_detail(staff, org, directory):
    listing = directory["beach"]
    body = staff.get(api("listing_detail", org, listing_id=listing.public_id)).json()
    assert body["id"] == str(listing.public_id)
    assert body["name"] == "South Beach Sober Coaching"
    assert body["languages"] == ["en", "es"] and body["payment_options"] == ["medicaid"]
    assert body["distance_miles"] is None


def test_listing_detail_of_an_unknown_listing_is_not_found(staff, org, directory):
    missing = "00000000-0000-0000-0000-000000000000"
    assert staff.get(api("listing_detail", org, listing_id=missing)).status_code == 404


def test_referrals_list_what_the_member_may_see(client, org, members, in_org):
    client_record = ClientFactory(organization=in_org)
    referral = ReferralFactory(
        organization=in_org,
        client=client_record,
        listing=ListingFactory(organization=in_org, name="Bayside IOP"),
    )
    family = ReferralFactory(organization=in_org, status=ReferralStatus.DRAFT)
    client.force_login(members[Role.INTAKE_COORDINATOR])
    body = client.get(api("referral_list", org)).json()
    by_id = {r["id"]: r for r in body["results"]}
    assert set(by_id) == {str(referral.public_id), str(family.public_id)}
    assert by_id[str(referral.public_id)]["client"] == str(client_record.public_id)
    assert by_id[str(referral.public_id)]["listing"] == str(referral.listing.public_id)
    assert by_id[str(referral.public_id)]["status"] == "requested"
    family_row = by_id[str(family.public_id)]
    assert (family_row["client"], family_row["source"], family_row["status"]) == (
        None,
        "family",
        "draft",
    )
    # A coach who is on no one's care team sees none of them.
    client.force_login(members[Role.SOBER_COACH])
    assert client.get(api("referral_list", org)).json()["count"] == 0


def _referral_queries(client, org):
    # 1 session, 2 membership with organization and user;
    # 3 count (pagination), 4 the page of referrals with listing, client and author.
    with assert_queries(4, label="api referrals"):
        response = client.get(api("referral_list", org))
    return response.json()


def test_referrals_query_count_does_not_grow_with_rows(client, org, members, in_org):
    client.force_login(members[Role.ORG_ADMIN])
    ReferralFactory(organization=in_org, client=ClientFactory(organization=in_org))
    assert _referral_queries(client, org)["count"] == 1
    for _ in range(4):
        ReferralFactory(organization=in_org, client=ClientFactory(organization=in_org))
        ReferralFactory(organization=in_org)
    assert _referral_queries(client, org)["count"] == 9


def test_hsds_export_returns_every_listing_as_a_service_record(client, org, members, directory):
    ListingLocationFactory(listing=directory["beach"], hsds_id="second", postal_code="33140")
    client.force_login(members[Role.ORG_ADMIN])
    # 1 session, 2 membership with organization and user; then, as the response streams,
    # 3 a batch of listings with directory organization, 4 their locations (prefetch).
    with assert_queries(4, label="hsds export"):
        response = client.get(api("directory_hsds", org))
        body = b"".join(response.streaming_content)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    records = {r["name"]: r for r in json.loads(body)}
    assert set(records) == {listing.name for listing in directory.values()}
    beach = records["South Beach Sober Coaching"]
    assert beach["id"] == directory["beach"].hsds_id
    assert len(beach["service_at_locations"]) == 2
