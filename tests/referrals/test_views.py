"""Staff pages of the directory and of referrals: what an admin or a staff member sees and
changes, what a bad form leaves behind (nothing), and how many queries each page costs."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from continuum.audit.models import AuditEvent
from continuum.consent.services import PART2_NOTICE
from continuum.tenancy.models import Role
from referrals.models import (
    ImportJob,
    ImportStatus,
    Listing,
    ListingLocation,
    ListingStatus,
    ReferralStatus,
    ReferralStatusChange,
)
from referrals.services import import_job_run
from tests.consent.factories import ConsentFactory
from tests.people.factories import ClientFactory
from tests.queries import assert_queries
from tests.referrals.factories import (
    ImportJobFactory,
    ListingFactory,
    ListingLocationFactory,
    ReferralFactory,
)

EXAMPLES = Path(__file__).resolve().parent / "hsds_examples"
NOW = timezone.make_aware(timezone.datetime(2026, 11, 12, 15, 0))


def url(name, org, **kwargs):
    return reverse(name, kwargs={"org": org.slug, **kwargs})


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return client


def _listing_form(**overrides) -> dict:
    data = {
        "name": "Key Biscayne Recovery Coaching",
        "kind": "sober_coach",
        "description": "Sober companions for executives returning home.",
        "credentials": "CPRS, CADC",
        "specialties": "executive coaching",
        "languages": ["en", "es"],
        "payment_options": ["self_pay", "sliding_scale"],
        "insurers": "",
        "populations": ["professionals"],
        "minimum_age": "18",
        "maximum_age": "",
        "accepting_new_clients": "on",
        "telehealth": "on",
        "service_area_kind": "radius",
        "service_radius_miles": "30",
        "service_zip_codes": "",
        "service_state": "",
        "contact_name": "Dana Cole",
        "email": "dana@kbcoaching.example.com",
        "phone": "305-555-0142",
        "url": "kbcoaching.example.com",
        "hours": "Mon-Fri 9-5",
        "status": "active",
        "address_1": "1 Crandon Blvd",
        "city": "Key Biscayne",
        "postal_code": "33149",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- manage the directory ---------------------------------------------------------------


def test_manage_page_lists_listings_and_flags_the_ones_due_for_review(admin, org, in_org):
    ListingFactory(organization=in_org, name="Fresh Coaching")
    ListingFactory(
        organization=in_org,
        name="Stale Outpatient",
        last_verified_at=timezone.now() - timedelta(days=200),
    )
    body = admin.get(url("staff:directory_manage", org)).content.decode()
    assert "Fresh Coaching" in body and "Stale Outpatient" in body
    assert "1 listing need review" in body
    reviewing = admin.get(url("staff:directory_manage", org) + "?review=1").content.decode()
    assert "Stale Outpatient" in reviewing and "Fresh Coaching" not in reviewing


def _manage_queries(admin, org):
    # 1 session, 2 membership with organization and user (tenant middleware);
    # 3 count of listings (paginator), 4 count of listings due for review,
    # 5 the member's organizations (switcher in the page header),
    # 6 the page of listings, 7 the five latest imports.
    with assert_queries(7, label="directory manage"):
        response = admin.get(url("staff:directory_manage", org))
    assert response.status_code == 200
    return response


def test_manage_page_query_count_does_not_grow_with_listings(admin, org, in_org):
    ListingFactory(organization=in_org, name="One")
    _manage_queries(admin, org)
    for n in range(6):
        ListingFactory(organization=in_org, name=f"More {n}")
    ImportJobFactory(organization=org, filename="a.json", format="json", payload=b"[]")
    assert _manage_queries(admin, org).content.decode().count('<th scope="row">') == 7


# --- create and edit a listing ----------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_admin_adds_a_listing_that_search_then_finds(admin, org, admin_user):
    response = admin.post(url("staff:listing_new", org), _listing_form())
    with scope(organization=org.pk):
        listing = Listing.objects.get()
        location = listing.locations.get()
        assert response.status_code == 302
        assert response["Location"] == url(
            "staff:listing_detail", org, listing_id=listing.public_id
        )
        assert listing.credentials == ["CPRS", "CADC"]
        assert listing.languages == ["en", "es"]
        assert listing.url == "https://kbcoaching.example.com"
        assert listing.last_verified_at == NOW and listing.last_verified_by == admin_user
        # The ZIP code alone places it on the map.
        assert location.postal_code == "33149" and location.state == "FL"
        assert location.latitude == pytest.approx(25.69, abs=0.1)
        assert AuditEvent.objects.filter(action="listing.created", actor=admin_user).exists()
    found = admin.get(
        url("staff:directory_search", org), {"zip_code": "33139", "distance": 25, "q": "executive"}
    ).content.decode()
    # Placed by its ZIP code: the distance says so and is rounded, never "0.0 miles".
    assert "Key Biscayne Recovery Coaching" in found and "miles away, by ZIP" in found
    assert "0.0 miles" not in found


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"postal_code": "00000"}, "postal_code", "Enter a 5-digit US ZIP code."),
        ({"name": ""}, "name", "This field is required."),
        ({"service_area_kind": "zip_list"}, "service_zip_codes", "List the ZIP codes"),
        ({"service_area_kind": "statewide"}, "service_state", "Give the state it serves"),
        ({"service_radius_miles": "900"}, "service_radius_miles", "At most 500 miles."),
        ({"service_zip_codes": "33139, 9999x"}, "service_zip_codes", "Not a US ZIP code: 9999x"),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"languages": ["xx"]}, "languages", "Select a valid choice."),
    ],
)
def test_bad_listing_form_shows_the_field_error_and_saves_nothing(
    admin, org, overrides, field, message
):
    response = admin.post(url("staff:listing_new", org), _listing_form(**overrides))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert message.split(":")[0] in response.content.decode()
    with scope(organization=org.pk):
        assert not Listing.objects.exists()
        assert not ListingLocation.objects.exists()
        assert not AuditEvent.objects.filter(action="listing.created").exists()


def test_age_range_upside_down_is_refused_with_nothing_saved(admin, org):
    response = admin.post(
        url("staff:listing_new", org), _listing_form(minimum_age="40", maximum_age="18")
    )
    assert response.status_code == 400
    assert response.context["form"].errors
    with scope(organization=org.pk):
        assert not Listing.objects.exists() and not ListingLocation.objects.exists()


def test_edit_form_shows_current_values_and_saves_changes(admin, org, in_org):
    listing = ListingFactory(organization=in_org, name="Old Name", zip_code="33139")
    edit_url = url("staff:listing_edit", org, listing_id=listing.public_id)
    page = admin.get(edit_url).content.decode()
    assert 'value="Old Name"' in page and 'value="33139"' in page
    response = admin.post(
        edit_url, _listing_form(name="New Name", postal_code="02115", status="temporarily_closed")
    )
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.name == "New Name" and listing.status == ListingStatus.TEMPORARILY_CLOSED
    # The main location moved; no second one was added.
    [location] = listing.locations.all()
    assert (location.postal_code, location.state) == ("02115", "MA")


def test_bad_edit_leaves_the_listing_as_it_was(admin, org, in_org):
    listing = ListingFactory(organization=in_org, name="Steady Name", zip_code="33139")
    before = listing.last_verified_at
    response = admin.post(
        url("staff:listing_edit", org, listing_id=listing.public_id),
        _listing_form(name="Changed", postal_code="1234"),
    )
    assert response.status_code == 400
    assert "Enter a 5-digit US ZIP code." in response.context["form"].errors["postal_code"]
    listing.refresh_from_db()
    assert listing.name == "Steady Name" and listing.last_verified_at == before
    assert listing.locations.get().postal_code == "33139"


# --- verify -----------------------------------------------------------------------------


def test_verify_marks_the_listing_verified_today(admin, org, in_org, admin_user):
    listing = ListingFactory(
        organization=in_org, last_verified_at=timezone.now() - timedelta(days=400)
    )
    assert listing.needs_review()
    with time_machine.travel(NOW, tick=False):
        response = admin.post(url("staff:listing_verify", org, listing_id=listing.public_id))
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.last_verified_at == NOW and listing.last_verified_by == admin_user
    detail = admin.get(response["Location"]).content.decode()
    assert "Marked Harbor Coaching as verified today." in detail


def test_verify_needs_a_post(admin, org, in_org):
    stale = timezone.now() - timedelta(days=400)
    listing = ListingFactory(organization=in_org, last_verified_at=stale)
    response = admin.get(url("staff:listing_verify", org, listing_id=listing.public_id))
    assert response.status_code == 405
    listing.refresh_from_db()
    assert listing.last_verified_at == stale


# --- HSDS import upload and progress ----------------------------------------------------


def test_upload_queues_one_import_and_progress_shows_the_result(
    admin, org, django_capture_on_commit_callbacks
):
    payload = (EXAMPLES / "service_full.json").read_bytes()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin.post(
            url("staff:import_new", org),
            {"file": SimpleUploadedFile("services.json", payload, "application/json")},
        )
    assert len(callbacks) == 1  # the import task, sent once the upload is committed
    with scope(organization=org.pk):
        job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("staff:import_detail", org, import_id=job.public_id)
    assert (job.status, job.filename, bytes(job.payload)) == (
        ImportStatus.QUEUED,
        "services.json",
        payload,
    )

    queued = admin.get(response["Location"]).content.decode()
    assert "Queued" in queued and 'value="0"' in queued and 'hx-trigger="every 2s"' in queued

    with scope(organization=org.pk):
        import_job_run(job_id=job.pk)
        assert Listing.objects.filter(name="Community Counselling").exists()
    done = admin.get(response["Location"], headers={"HX-Request": "true"})
    body = done.content.decode()
    # htmx gets only the progress fragment, which stops polling once finished.
    assert "<html" not in body and 'id="import-progress"' in body
    assert "Imported" in body and 'value="100"' in body and "1 created, 0 updated." in body
    assert "hx-trigger" not in body


@pytest.mark.parametrize(
    ("name", "payload", "message"),
    [
        ("listings.txt", b"hello", "Upload HSDS JSON (.json), the HSDS tabular package (.zip)"),
        ("empty.json", b"", "The submitted file is empty."),
    ],
)
def test_bad_upload_shows_the_field_error_and_queues_nothing(
    admin, org, name, payload, message, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin.post(
            url("staff:import_new", org), {"file": SimpleUploadedFile(name, payload)}
        )
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["file"])
    assert callbacks == []
    with scope(organization=org.pk):
        assert not ImportJob.objects.exists()


def test_upload_without_a_file_is_refused(admin, org):
    response = admin.post(url("staff:import_new", org), {})
    assert response.context["form"].errors["file"] == ["This field is required."]
    with scope(organization=org.pk):
        assert not ImportJob.objects.exists()


def test_progress_page_lists_every_rejected_record(admin, org, in_org):
    records = [
        {"id": "svc-1", "name": "Good"},
        {"id": "svc-2", "name": ""},
    ]
    job = ImportJobFactory(
        organization=org, filename="bad.json", format="json", payload=json.dumps(records).encode()
    )
    import_job_run(job_id=job.pk)
    body = admin.get(url("staff:import_detail", org, import_id=job.public_id)).content.decode()
    assert "Not imported" in body and "Rejected records (nothing was imported)" in body
    assert "svc-2" in body
    assert not Listing.objects.exists()


# --- staff search -----------------------------------------------------------------------


@pytest.fixture
def directory(in_org):
    return {
        "beach": ListingFactory(
            organization=in_org, name="South Beach Sober Coaching", zip_code="33139"
        ),
        "closed": ListingFactory(
            organization=in_org,
            name="Coral Gables Coaching",
            zip_code="33134",
            status=ListingStatus.TEMPORARILY_CLOSED,
        ),
        "inactive": ListingFactory(
            organization=in_org,
            name="Retired Coaching",
            zip_code="33139",
            status=ListingStatus.INACTIVE,
        ),
        "boston": ListingFactory(organization=in_org, name="Back Bay Coaching", zip_code="02115"),
        "other_kind": ListingFactory(
            organization=in_org, name="Miami Outpatient", zip_code="33139", kind="outpatient"
        ),
    }


def test_staff_search_shows_nearby_listings_with_distance_and_why(client, org, members, directory):
    client.force_login(members[Role.CASE_MANAGER])
    body = client.get(
        url("staff:directory_search", org),
        {"zip_code": "33139", "distance": "25", "kind": "sober_coach"},
    ).content.decode()
    assert "2 results near 33139" in body
    # Staff also see temporarily closed programs, marked as such; families do not.
    assert "South Beach Sober Coaching" in body and "Coral Gables Coaching" in body
    assert "Temporarily closed" in body
    assert "Retired Coaching" not in body and "Back Bay Coaching" not in body
    assert "Miami Outpatient" not in body
    assert "miles away" in body and "Last verified:" in body
    assert body.index("South Beach Sober Coaching") < body.index("Coral Gables Coaching")


def test_staff_search_with_an_unknown_zip_says_so(client, org, members, directory):
    client.force_login(members[Role.CASE_MANAGER])
    response = client.get(url("staff:directory_search", org), {"zip_code": "99999"})
    assert response.status_code == 200
    assert response.context["form"].errors["zip_code"] == [
        "Enter a 5-digit US ZIP code, e.g. 33139."
    ]
    assert response.context["page"] is None


def test_staff_search_with_nothing_found_suggests_widening(client, org, members, directory):
    client.force_login(members[Role.CASE_MANAGER])
    body = client.get(
        url("staff:directory_search", org), {"zip_code": "33139", "kind": "detox"}
    ).content.decode()
    assert "0 results" in body and "Try a larger distance" in body


def _search_queries(client, org):
    # 1 session, 2 membership with organization and user;
    # 3 the page of listings with their directory organization, nearest distance and
    # the total of matches, 4 the member's organizations (switcher).
    with assert_queries(4, label="staff search"):
        response = client.get(
            url("staff:directory_search", org),
            {"zip_code": "33139", "distance": "50", "kind": "sober_coach", "q": "coaching"},
        )
    return response.content.decode()


def test_staff_search_query_count_does_not_grow_with_results(client, org, members, in_org):
    client.force_login(members[Role.CASE_MANAGER])
    ListingFactory(organization=in_org, name="First Coaching", zip_code="33139")
    assert "1 result near" in _search_queries(client, org)
    for n in range(8):
        ListingFactory(organization=in_org, name=f"Coaching {n}", zip_code="33134")
    assert "9 results near" in _search_queries(client, org)


# --- referrals: list, detail, packet ----------------------------------------------------


def test_referral_list_shows_referrals_and_filters_by_status(admin, org, in_org):
    client_record = ClientFactory(organization=in_org, first_name="Jordan", last_name="Reyes")
    ReferralFactory(
        organization=in_org,
        client=client_record,
        listing=ListingFactory(organization=in_org, name="Bayside IOP"),
    )
    ReferralFactory(
        organization=in_org,
        listing=ListingFactory(organization=in_org, name="Harbor Sober Living"),
        status=ReferralStatus.DRAFT,
    )
    body = admin.get(url("staff:referral_list", org)).content.decode()
    assert "Bayside IOP" in body and "Jordan Reyes" in body
    assert "Harbor Sober Living" in body and "Pat Family (family request)" in body
    drafts = admin.get(url("staff:referral_list", org), {"status": "draft"}).content.decode()
    assert "Harbor Sober Living" in drafts and "Bayside IOP" not in drafts


def test_referral_list_shows_a_coach_only_their_clients_referrals(client, org, members, in_org):
    ReferralFactory(
        organization=in_org,
        client=ClientFactory(organization=in_org, first_name="Jordan", last_name="Reyes"),
        listing=ListingFactory(organization=in_org, name="Bayside"),
    )
    client.force_login(members[Role.SOBER_COACH])
    body = client.get(url("staff:referral_list", org)).content.decode()
    assert "Bayside" not in body and "No referrals yet." in body


def _referral_list_queries(admin, org):
    # 1 session, 2 membership with organization and user;
    # 3 count (paginator), 4 the member's organizations (switcher),
    # 5 the page of referrals with listing, client and author.
    with assert_queries(5, label="referral list"):
        response = admin.get(url("staff:referral_list", org))
    return response.content.decode()


def test_referral_list_query_count_does_not_grow_with_rows(admin, org, in_org):
    ReferralFactory(
        organization=in_org,
        client=ClientFactory(organization=in_org, first_name="Jordan", last_name="Reyes"),
    )
    assert _referral_list_queries(admin, org).count('<th scope="row">') == 1
    for _ in range(5):
        ReferralFactory(
            organization=in_org,
            client=ClientFactory(organization=in_org, first_name="Sam", last_name="Reyes"),
        )
        ReferralFactory(organization=in_org)
    assert _referral_list_queries(admin, org).count('<th scope="row">') == 11


def test_referral_detail_shows_the_history_and_records_the_read(admin, org, in_org, admin_user):
    client_record = ClientFactory(organization=in_org, first_name="Jordan", last_name="Reyes")
    referral = ReferralFactory(
        organization=in_org,
        client=client_record,
        listing=ListingFactory(organization=in_org, name="Bayside IOP"),
    )
    ReferralStatusChange.objects.create(
        organization=org,
        referral=referral,
        from_status="draft",
        to_status="requested",
        changed_by=admin_user,
    )
    body = admin.get(url("staff:referral_detail", org, referral_id=referral.public_id))
    text = body.content.decode()
    assert "Referral to Bayside IOP" in text and "Jordan Reyes" in text
    assert "Draft → Requested" in text and admin_user.email in text
    with scope(organization=org.pk):
        assert AuditEvent.objects.filter(
            action="referral.viewed", client_id=client_record.public_id, actor=admin_user
        ).exists()


def test_staff_moves_a_referral_on_from_the_detail_page(admin, org, in_org, admin_user):
    referral = ReferralFactory(
        organization=in_org,
        client=ClientFactory(organization=in_org, first_name="Jordan", last_name="Reyes"),
    )
    detail = url("staff:referral_detail", org, referral_id=referral.public_id)
    response = admin.post(detail, {"to_status": "accepted", "reason": ""})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED and referral.accepted_at is not None
    change = ReferralStatusChange.objects.get(referral=referral)
    assert (change.from_status, change.to_status, change.changed_by) == (
        "requested",
        "accepted",
        admin_user,
    )
    assert "Status updated." in admin.get(detail).content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"to_status": "rejected", "reason": " "}, "reason", "Give a reason for this change."),
        ({"to_status": "completed"}, "to_status", "A requested referral cannot become completed."),
        ({"to_status": "nonsense"}, "to_status", "Select a valid choice."),
    ],
)
def test_bad_status_change_shows_the_field_error_and_changes_nothing(
    admin, org, in_org, data, field, message
):
    referral = ReferralFactory(
        organization=in_org,
        client=ClientFactory(organization=in_org, first_name="Jordan", last_name="Reyes"),
    )
    response = admin.post(url("staff:referral_detail", org, referral_id=referral.public_id), data)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REQUESTED
    assert not ReferralStatusChange.objects.filter(referral=referral).exists()


def _referral_detail_queries(admin, org, referral):
    # 1 session, 2 membership with organization and user;
    # 3 the referral with listing, client and author;
    # 4 the audit event for reading a client's record;
    # 5 the member's organizations (switcher), 6 the status history with who changed it.
    with assert_queries(6, label="referral detail"):
        response = admin.get(url("staff:referral_detail", org, referral_id=referral.public_id))
    return response.content.decode()


def test_referral_detail_query_count_does_not_grow_with_history(admin, org, in_org, admin_user):
    referral = ReferralFactory(
        organization=in_org,
        client=ClientFactory(organization=in_org, first_name="Jordan", last_name="Reyes"),
    )
    ReferralStatusChange.objects.create(
        organization=org, referral=referral, to_status="draft", changed_by=admin_user
    )
    assert _referral_detail_queries(admin, org, referral).count(admin_user.email) >= 1
    for status in ["requested", "received", "accepted", "in_progress", "on_hold"]:
        ReferralStatusChange.objects.create(
            organization=org, referral=referral, to_status=status, changed_by=admin_user
        )
    assert "On hold" in _referral_detail_queries(admin, org, referral)


def test_packet_carries_the_part2_notice_and_is_audited(admin, org, in_org, admin_user):
    client_record = ClientFactory(organization=in_org, first_name="Jordan", last_name="Reyes")
    referral = ReferralFactory(
        organization=in_org,
        client=client_record,
        listing=ListingFactory(organization=in_org, name="Bayside IOP"),
        note="Prefers evening groups.",
        includes_client_information=True,
        consent=ConsentFactory(client=client_record),
    )
    response = admin.get(url("staff:referral_packet", org, referral_id=referral.public_id))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Bayside IOP" in body and "Prefers evening groups." in body
    assert PART2_NOTICE.split("\n")[0].split(".")[0] in body
    assert AuditEvent.objects.filter(
        action="referral.viewed", client_id=client_record.public_id, actor=admin_user
    ).exists()


def test_packet_of_another_coachs_client_is_not_found(client, org, members, in_org):
    referral = ReferralFactory(
        organization=in_org,
        client=ClientFactory(organization=in_org, first_name="Jordan", last_name="Reyes"),
    )
    client.force_login(members[Role.SOBER_COACH])
    response = client.get(url("staff:referral_packet", org, referral_id=referral.public_id))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="referral.viewed").exists()


# --- listing detail ---------------------------------------------------------------------


def test_listing_detail_shows_facts_and_admin_actions_only_to_admins(client, org, members, in_org):
    listing = ListingFactory(
        organization=in_org,
        name="Bayside IOP",
        kind="iop_php",
        description="Evening groups.",
        last_verified_at=timezone.now() - timedelta(days=200),
    )
    detail = url("staff:listing_detail", org, listing_id=listing.public_id)
    client.force_login(members[Role.ORG_ADMIN])
    body = client.get(detail).content.decode()
    assert "Bayside IOP" in body and "Evening groups." in body
    assert "Not verified in the last 180 days" in body and "Mark verified today" in body
    client.force_login(members[Role.CASE_MANAGER])
    body = client.get(detail).content.decode()
    assert "Bayside IOP" in body and "Mark verified today" not in body


def _listing_detail_queries(admin, org, listing):
    # 1 session, 2 membership with organization and user;
    # 3 the listing with its directory organization, 4 its locations (prefetch),
    # 5 the member's organizations (switcher).
    with assert_queries(5, label="listing detail"):
        response = admin.get(url("staff:listing_detail", org, listing_id=listing.public_id))
    return response.content.decode()


def test_listing_detail_query_count_does_not_grow_with_locations(admin, org, in_org):
    listing = ListingFactory(organization=in_org, name="Bayside IOP", zip_code="33139")
    assert "33139" in _listing_detail_queries(admin, org, listing)
    for n, zip_code in enumerate(["33134", "02115", "32801"]):
        ListingLocationFactory(listing=listing, hsds_id=f"extra-{n}", postal_code=zip_code)
    assert "32801" in _listing_detail_queries(admin, org, listing)


# --- the family portal: my referral requests --------------------------------------------


def test_family_member_sees_the_requests_they_made_and_their_status(client, org, members, in_org):
    family = members[Role.FAMILY_MEMBER]
    listing = ListingFactory(organization=in_org, name="Bayside Sober Coaching")
    client.force_login(family)
    response = client.post(
        reverse("public:listing_public", kwargs={"org": org.slug, "listing_id": listing.public_id}),
        {"requester_name": "Ana Reyes", "requester_phone": "305-555-0100", "note": "For my son"},
    )
    assert response.status_code == 302
    ReferralFactory(
        organization=in_org,
        listing=ListingFactory(organization=in_org, name="Someone Else's Pick"),
        status=ReferralStatus.DRAFT,
        created_by=members[Role.CLIENT],
    )
    body = client.get(url("portal:referrals", org)).content.decode()
    assert "Bayside Sober Coaching" in body and "Someone Else&#x27;s Pick" not in body
    assert "Draft" in body and "will contact you within one business day" in body
    assert 'aria-current="page">Referral requests' in body

    referral = listing.referrals.get()
    referral.status = ReferralStatus.ACCEPTED
    referral.save(update_fields=["status"])
    body = client.get(url("portal:referrals", org)).content.decode()
    assert "Accepted" in body and "The provider can help and will contact you." in body


def test_request_tied_to_a_client_leaves_the_family_list(client, org, members, in_org):
    family = members[Role.FAMILY_MEMBER]
    referral = ReferralFactory(
        organization=in_org,
        listing=ListingFactory(organization=in_org, name="Bayside IOP"),
        created_by=family,
    )
    client.force_login(family)
    assert "Bayside IOP" in client.get(url("portal:referrals", org)).content.decode()
    referral.client = ClientFactory(organization=in_org, first_name="Jordan", last_name="Reyes")
    referral.save(update_fields=["client"])
    client.force_login(family)
    body = client.get(url("portal:referrals", org)).content.decode()
    assert "Bayside IOP" not in body
    assert "You have not asked to be put in touch with anyone yet." in body


def test_portal_referrals_with_a_bad_page_number_shows_the_first_page(client, org, members, in_org):
    ReferralFactory(
        organization=in_org, status=ReferralStatus.DRAFT, created_by=members[Role.FAMILY_MEMBER]
    )
    client.force_login(members[Role.FAMILY_MEMBER])
    response = client.get(url("portal:referrals", org), {"page": "nonsense"})
    assert response.status_code == 200 and response.context["page"].number == 1
    assert response.content.decode().count('<th scope="row">') == 1


def _portal_queries(client, org):
    # 1 session, 2 membership with organization and user;
    # 3 count (paginator), 4 the member's organizations (switcher),
    # 5 the page of requests with their listing.
    with assert_queries(5, label="portal referrals"):
        response = client.get(url("portal:referrals", org))
    return response.content.decode()


def test_portal_referrals_query_count_does_not_grow_with_rows(client, org, members, in_org):
    family = members[Role.FAMILY_MEMBER]
    client.force_login(family)
    ReferralFactory(organization=in_org, status=ReferralStatus.DRAFT, created_by=family)
    assert _portal_queries(client, org).count('<th scope="row">') == 1
    for _ in range(5):
        ReferralFactory(organization=in_org, status=ReferralStatus.REQUESTED, created_by=family)
    assert _portal_queries(client, org).count('<th scope="row">') == 6
