"""Every exported record passes the HSDS 3.0 JSON schemas (bundled in hsds_schema/, from
the Open Referral specification), on the demo directory, on the 211-style import and on
a generated large directory; export -> import into a second organization is lossless."""

import json
import random
from pathlib import Path

import pytest
from django.core.management import call_command
from django_scopes import scope
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from referrals import hsds, services
from referrals.management.commands.demo_directory import LISTINGS
from referrals.models import ImportFormat, ImportJob, ImportStatus, Listing, ListingLocation
from referrals.services import import_job_run, listing_refresh_search
from tests.factories import OrganizationFactory
from tests.referrals import real_data
from tests.referrals.factories import ImportJobFactory

SCHEMAS = Path(__file__).resolve().parent / "hsds_schema"
# Ids keep what the source gave (the standard asks for UUIDs; 211 sets and the demo's
# fixed ids are not always), so `uuid` is not asserted; every other format the
# validator can check is.
FORMATS = FormatChecker(formats=["email", "date", "ipv4", "ipv6"])


def _validator():
    resources = [
        (path.name, Resource.from_contents(json.loads(path.read_text()), DRAFT202012))
        for path in SCHEMAS.glob("*.json")
    ]
    registry = Registry().with_resources(resources)
    schema = json.loads((SCHEMAS / "service.json").read_text())
    return Draft202012Validator(schema, registry=registry, format_checker=FORMATS)


VALIDATOR = _validator()


def _problems(records: list[dict]) -> list[str]:
    return [
        f"{record.get('id')}: {'/'.join(map(str, error.absolute_path))}: {error.message}"
        for record in records
        for error in VALIDATOR.iter_errors(json.loads(json.dumps(record)))
    ]


def _export(org) -> list[dict]:
    with scope(organization=org.pk):
        listings = (
            Listing.objects.filter(organization=org)
            .select_related("directory_organization")
            .prefetch_related("locations")
            .order_by("pk")
        )
        return [hsds.service_record(listing) for listing in listings]


def _import(org, payload: bytes, fmt=ImportFormat.JSON) -> ImportJob:
    with scope(organization=org.pk):
        job = ImportJobFactory(organization=org, filename="f", format=fmt, payload=payload)
        return import_job_run(job_id=job.pk)


def test_the_validator_catches_what_the_old_export_wrote():
    bad = {
        "id": "x",
        "name": "X",
        "status": "active",
        "email": "",
        "minimum_age": None,
        "attributes": [{"id": "a", "taxonomy_term": {"id": "t", "name": "Kind"}}],
    }
    problems = " ".join(_problems([bad]))
    assert "'description' is a required property" in problems
    assert "None is not of type 'number'" in problems
    assert "'' is not a 'email'" in problems


def test_demo_directory_export_passes_the_schemas(db):
    demo = OrganizationFactory(slug="demo")
    call_command("demo_directory")
    records = _export(demo)
    assert len(records) == len(LISTINGS)
    assert _problems(records) == []


def test_211_import_export_passes_the_schemas(in_org):
    job = _import(in_org, real_data.package(), ImportFormat.CSV)
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    assert _problems(_export(in_org)) == []


def _large_directory(org, count: int) -> None:
    rng = random.Random(23)
    zips = ["33139", "33130", "10001", "60601", "94103", "98101", "02108", "30303"]
    kinds = ["detox", "mat", "residential", "outpatient", "sober_coach", "peer_support"]
    with scope(organization=org.pk):
        listings = Listing.objects.bulk_create(
            Listing(
                organization=org,
                hsds_id=f"gen-{i}",
                name=f"Generated Service {i}",
                kind=rng.choice(kinds),
                description=" ".join(["Servicios en español."] * rng.randint(0, 3)),
                languages=rng.sample(["en", "es", "ht", "he", "asl"], rng.randint(0, 3)),
                payment_options=rng.sample(["medicaid", "free", "self_pay"], rng.randint(0, 2)),
                accepting_new_clients=rng.choice([True, False, None]),
                status=rng.choice(["active", "inactive", "temporarily_closed", "unknown"]),
                email=rng.choice(["", f"intake{i}@example.org"]),
                url=rng.choice(["", f"https://service{i}.example.org"]),
                phone=rng.choice(["", "305-555-0100"]),
                minimum_age=rng.choice([None, 12, 18]),
            )
            for i in range(count)
        )
        ListingLocation.objects.bulk_create(
            ListingLocation(
                organization=org,
                listing=listing,
                hsds_id=f"gen-loc-{listing.pk}",
                postal_code=rng.choice(zips),
                latitude=rng.choice([None, 25.79]),
                longitude=-80.13,
            )
            for listing in listings
        )
        # Without coordinates and without a ZIP code: not placed, on either side.
        ListingLocation.objects.filter(latitude__isnull=True).update(longitude=None, postal_code="")
        listing_refresh_search(listing_ids=[listing.pk for listing in listings])


def test_a_generated_large_directory_export_passes_the_schemas(in_org):
    _large_directory(in_org, 1200)
    records = _export(in_org)
    assert len(records) == 1200
    assert _problems(records) == []


# The service's own list of writable fields: a field added there is round-tripped here too.
LISTING_FIELDS = services.LISTING_FIELDS
LOCATION_FIELDS = [
    "hsds_id",
    "name",
    "address_1",
    "address_2",
    "city",
    "state",
    "postal_code",
    "country",
    "latitude",
    "longitude",
    "placed_by_zip",
]


def _snapshot(org) -> dict:
    with scope(organization=org.pk):
        out = {}
        for listing in Listing.objects.filter(organization=org).prefetch_related("locations"):
            org_name = (
                listing.directory_organization.name if listing.directory_organization else None
            )
            out[listing.hsds_id] = {
                **{f: getattr(listing, f) for f in LISTING_FIELDS},
                "organization": org_name,
                "last_verified": listing.last_verified_at.date()
                if listing.last_verified_at
                else None,
                "locations": sorted(
                    tuple(getattr(loc, f) for f in LOCATION_FIELDS)
                    for loc in listing.locations.all()
                ),
            }
        return out


@pytest.mark.parametrize("how", ["json", "csv"])
def test_export_then_import_into_a_second_organization_is_lossless(in_org, other_org, how):
    job = _import(in_org, real_data.package(), ImportFormat.CSV)
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    records = _export(in_org)
    if how == "json":
        again = _import(other_org, json.dumps(records).encode())
    else:
        again = _import(other_org, hsds.csv_package(records), ImportFormat.CSV)
    assert again.status == ImportStatus.SUCCEEDED, again.errors
    first, second = _snapshot(in_org), _snapshot(other_org)
    assert set(first) == set(second) and len(first) == 5
    for hsds_id, fields in first.items():
        for name, value in fields.items():
            assert second[hsds_id][name] == value, (hsds_id, name)
    # What was unknown is still unknown, and nothing more was repaired the second time.
    kinds = {w["kind"] for w in again.warnings}
    assert "url_repaired" not in kinds and "kind_defaulted" not in kinds


def test_a_large_export_round_trips_through_the_importer(in_org, other_org):
    _large_directory(in_org, 400)
    records = _export(in_org)
    job = _import(other_org, json.dumps(records).encode())
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    assert job.created_count == 400
    first, second = _snapshot(in_org), _snapshot(other_org)
    for hsds_id, fields in first.items():
        for name, value in fields.items():
            if name == "locations":
                continue  # generated without addresses; compared below by place
            assert second[hsds_id][name] == value, (hsds_id, name)
        assert [loc[8:10] for loc in second[hsds_id]["locations"]] == [
            loc[8:10] for loc in fields["locations"]
        ]
