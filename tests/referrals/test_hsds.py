"""HSDS 3.0 import and export, with the standard's own examples."""

import io
import json
import zipfile
from pathlib import Path

import pytest

from referrals import hsds
from referrals.models import ImportFormat, ImportJob, ImportStatus, Listing, ListingLocation
from referrals.services import import_job_run
from tests.referrals.factories import ImportJobFactory, ListingFactory

EXAMPLES = Path(__file__).resolve().parent / "hsds_examples"
SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _examples_csv_zip() -> bytes:
    return _zip({p.name: p.read_text() for p in (EXAMPLES / "csv").glob("*.csv")})


def _run(org, payload: bytes, fmt=ImportFormat.JSON) -> ImportJob:
    job = ImportJobFactory(organization=org, filename="f", format=fmt, payload=payload)
    return import_job_run(job_id=job.pk)


def _export(org) -> list[dict]:
    listings = Listing.objects.filter(organization=org).prefetch_related("locations")
    return [hsds.service_record(listing) for listing in listings]


@pytest.mark.parametrize(
    "name", ["service_full.json", "service_list.json", "organization_full.json"]
)
def test_standard_json_examples_import(in_org, name):
    job = _run(in_org, (EXAMPLES / name).read_bytes())
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    listing = Listing.objects.get(hsds_id=SERVICE_ID)
    assert listing.name == "Community Counselling"
    assert (listing.minimum_age, listing.maximum_age) == (12, 100)


def test_full_example_keeps_details_and_reports_impossible_coordinates(in_org):
    job = _run(in_org, (EXAMPLES / "service_full.json").read_bytes())
    listing = Listing.objects.get(hsds_id=SERVICE_ID)
    assert listing.languages == ["ur"]
    assert listing.directory_organization.name == "Example Organization Inc."
    location = ListingLocation.objects.get(listing=listing)
    assert location.city == "MyCity"
    # The example's latitude 100 is impossible: imported without coordinates, with a warning.
    assert location.latitude is None
    assert any("out of range" in w["reason"] for w in job.warnings)
    assert str(listing.last_verified_at.date()) == "2005-01-01"


def test_json_round_trip_returns_the_standard_record(in_org):
    original = json.loads((EXAMPLES / "service_full.json").read_bytes())
    _run(in_org, json.dumps(original).encode())
    [exported] = _export(in_org)
    for key in (
        "id",
        "name",
        "alternate_name",
        "description",
        "url",
        "email",
        "status",
        "minimum_age",
        "maximum_age",
        "assured_date",
        "fees_description",
        "funding",
        "required_documents",
        "cost_options",
        "program",
        "languages",
        "phones",
        "schedules",
    ):
        want = original[key].strip() if isinstance(original[key], str) else original[key]
        assert exported[key] == want, key
    assert exported["organization"]["id"] == original["organization"]["id"]
    sal = exported["service_at_locations"][0]
    assert sal["location"]["latitude"] == 100  # kept as it came
    assert sal["location"]["addresses"][0]["postal_code"] == "ABC 1234"
    # Importing the export changes nothing and creates nothing.
    again = _run(in_org, json.dumps([exported]).encode())
    assert (again.created_count, again.updated_count) == (0, 1)
    assert Listing.objects.count() == 1
    assert _export(in_org)[0]["attributes"] == exported["attributes"]


def test_tabular_package_imports_and_round_trips(in_org):
    job = _run(in_org, _examples_csv_zip(), ImportFormat.CSV)
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    listing = Listing.objects.get(hsds_id=SERVICE_ID)
    assert listing.phone == "+44 1234 234567"
    assert listing.languages == ["ur"]
    # attributes.csv in the example links to no service in the file: reported, not fatal.
    assert any(w["row"] == "attributes.csv" for w in job.warnings)
    package = hsds.csv_package(_export(in_org))
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        services = archive.read("services.csv").decode()
        assert SERVICE_ID in services and "Community Counselling" in services
        assert "3a19ff88-4620-4d17-9830-ac1d859eb5d5" in archive.read("locations.csv").decode()
    again = _run(in_org, package, ImportFormat.CSV)
    assert again.status == ImportStatus.SUCCEEDED, again.errors
    assert (again.created_count, again.updated_count) == (0, 1)
    assert Listing.objects.count() == 1


def test_directory_fields_travel_as_attributes(in_org):

    ListingFactory(
        organization=in_org,
        name="Dr. Kim",
        kind="psychiatrist",
        credentials=["MD", "ABPN"],
        specialties=["executive coaching"],
        payment_options=["medicaid"],
        service_area_kind="zip_list",
        service_zip_codes=["33139", "33140"],
    )
    records = _export(in_org)
    Listing.objects.all().delete()
    ListingLocation.objects.all().delete()
    _run(in_org, json.dumps(records).encode())
    listing = Listing.objects.get()
    assert listing.credentials == ["MD", "ABPN"]
    assert listing.specialties == ["executive coaching"]
    assert listing.kind == "psychiatrist"
    assert listing.service_zip_codes == ["33139", "33140"]


def test_rejected_rows_are_all_reported_and_nothing_is_imported(in_org):
    records = [
        {"id": "ok-1", "name": "Fine Service", "status": "active"},
        {"id": "bad-1", "name": "", "status": "active"},
        {"id": "bad-2", "name": "Odd", "status": "open sometimes"},
        {"id": "bad-3", "name": "Ages", "status": "active", "minimum_age": 30, "maximum_age": 20},
    ]
    job = _run(in_org, json.dumps(records).encode())
    assert job.status == ImportStatus.FAILED
    reasons = {e["id"]: e["reason"] for e in job.errors}
    assert set(reasons) == {"bad-1", "bad-2", "bad-3"}
    assert "no name" in reasons["bad-1"]
    assert "open sometimes" in reasons["bad-2"]
    assert "above maximum_age" in reasons["bad-3"]
    assert not Listing.objects.exists()


def test_unreadable_file_is_reported(in_org):
    job = _run(in_org, b"{not json")
    assert job.status == ImportStatus.FAILED
    assert "f: not valid JSON at line 1, column 2" in job.errors[0]["reason"]
    assert not Listing.objects.exists()


def test_demo_directory_is_idempotent(db):
    from django.core.management import call_command
    from django_scopes import scope

    from referrals.management.commands.demo_directory import LISTINGS
    from tests.factories import OrganizationFactory

    demo = OrganizationFactory(slug="demo")
    call_command("demo_directory")
    call_command("demo_directory")
    with scope(organization=demo.pk):
        assert Listing.objects.filter(organization=demo).count() == len(LISTINGS)
        assert Listing.objects.get(hsds_id="demo-mia-coach").locations.get().postal_code == "33139"
