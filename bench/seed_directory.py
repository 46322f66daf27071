"""Bulk-create N directory listings across US ZIP codes for search benchmarks.

    DATABASE_URL=postgres://... .venv/bin/python bench/seed_directory.py --count 100000
    DATABASE_URL=postgres://... .venv/bin/python bench/seed_directory.py --count 1000000 \
        --grow


Listings go into the organization `--org` (created if missing) with HSDS ids
`bench-<n>`; existing bench listings of that organization are replaced. Rows are written
with bulk_create in batches, then the full-text vectors and the locations' copies of kind
and radius are computed (services.listing_refresh_search) and the tables vacuumed and
analyzed, so the planner sees the real sizes.

`--grow` adds listings to a directory already seeded (a copy of a smaller one, e.g.
`CREATE DATABASE big TEMPLATE small`) until it holds `--count`, in SQL: each new
listing takes its attributes (kind, text, languages, payment, service area, status) from
one seeded listing and its place from another, both drawn at random, so the sizes share
one distribution; about ten times faster than writing the rows from Python. Not part of
the test suite."""

import argparse
import random
import sys
import time

from _django import setup

KIND_WEIGHTS = {
    "sober_coach": 12,
    "interventionist": 6,
    "case_manager": 8,
    "therapist": 18,
    "psychiatrist": 5,
    "residential": 6,
    "detox": 4,
    "iop_php": 8,
    "outpatient": 14,
    "mat": 6,
    "sober_living": 6,
    "family_support": 4,
    "peer_support": 3,
}
LANGUAGES = [("en", 100), ("es", 35), ("ht", 4), ("pt", 4), ("zh", 4), ("vi", 3), ("fr", 3)]
PAYMENTS = [
    ("private_insurance", 60),
    ("medicaid", 45),
    ("medicare", 25),
    ("self_pay", 70),
    ("sliding_scale", 30),
    ("free", 8),
]
POPULATIONS = ["adults", "young_adults", "adolescents", "women", "men", "veterans", "lgbtq"]
SPECIALTIES = [
    "executive coaching",
    "trauma",
    "family systems",
    "co-occurring disorders",
    "opioid use disorder",
    "alcohol use disorder",
    "young adults",
    "relapse prevention",
    "chronic pain",
    "gambling",
]
WORDS = ["Harbor", "Bridge", "Summit", "Pathway", "Beacon", "Cedar", "Lighthouse", "New Dawn"]
BATCH = 5000


def _pick(rng: random.Random, weighted) -> list[str]:
    return [value for value, percent in weighted if rng.randrange(100) < percent]


def _zips() -> list[dict]:
    import zipcodes

    return [
        z
        for z in zipcodes.list_all()
        if z.get("lat") and z.get("long") and z.get("zip_code_type") == "STANDARD"
    ]


def seed(*, count: int, org_slug: str, seed_value: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from continuum.tenancy.models import Organization
    from continuum.tenancy.scoping import organization_scope
    from referrals.models import Listing, ListingLocation
    from referrals.services import listing_refresh_search

    rng = random.Random(seed_value)  # noqa: S311 - reproducible benchmark data, not secrets
    zips = _zips()
    kinds = list(KIND_WEIGHTS)
    kind_weights = list(KIND_WEIGHTS.values())
    organization, _ = Organization.objects.get_or_create(
        slug=org_slug, defaults={"name": "Directory benchmark", "staff_mfa_required": False}
    )
    started = time.perf_counter()
    phase = started
    now = timezone.now()
    with organization_scope(organization), transaction.atomic():
        # Raw deletes: the ORM's cascade collector would load every old row first.
        old = Listing.objects.filter(organization=organization, hsds_id__startswith="bench-")
        ListingLocation.objects.filter(listing__in=old.values("pk"))._raw_delete(connection.alias)
        old._raw_delete(connection.alias)
        for start in range(0, count, BATCH):
            listings, places = [], []
            for n in range(start, min(start + BATCH, count)):
                kind = rng.choices(kinds, kind_weights)[0]
                place = rng.choice(zips)
                specialties = rng.sample(SPECIALTIES, rng.randint(0, 3))
                name = f"{rng.choice(WORDS)} {kind.replace('_', ' ').title()} {n}"
                area = rng.choices(
                    ["radius", "zip_list", "statewide", "telehealth_only"], [85, 8, 4, 3]
                )[0]
                listings.append(
                    Listing(
                        organization=organization,
                        hsds_id=f"bench-{n}",
                        name=name,
                        kind=kind,
                        description=f"{name} in {place['city']}, {place['state']}: "
                        + (", ".join(specialties) or "general recovery support")
                        + ".",
                        specialties=specialties,
                        languages=_pick(rng, LANGUAGES) or ["en"],
                        payment_options=_pick(rng, PAYMENTS) or ["self_pay"],
                        populations=rng.sample(POPULATIONS, rng.randint(1, 3)),
                        accepting_new_clients=rng.random() < 0.8,
                        telehealth=rng.random() < 0.4,
                        service_area_kind=area,
                        service_radius_miles=rng.choice([0, 10, 25, 50]) if area == "radius" else 0,
                        service_zip_codes=[place["zip_code"]] if area == "zip_list" else [],
                        service_state=place["state"]
                        if area in ("statewide", "telehealth_only")
                        else "",
                        status=rng.choices(
                            ["active", "inactive", "temporarily_closed"], [90, 6, 4]
                        )[0],
                        last_verified_at=now,
                        created_at=now,
                        updated_at=now,
                    )
                )
                places.append(place)
            Listing.objects.bulk_create(listings, batch_size=BATCH)
            ListingLocation.objects.bulk_create(
                [
                    ListingLocation(
                        organization=organization,
                        listing=listing,
                        hsds_id=f"{listing.hsds_id}-loc",
                        city=place["city"],
                        state=place["state"],
                        postal_code=place["zip_code"],
                        latitude=float(place["lat"]),
                        longitude=float(place["long"]),
                    )
                    for listing, place in zip(listings, places, strict=True)
                ],
                batch_size=BATCH,
            )
            print(f"  {min(start + BATCH, count):>7} listings written", file=sys.stderr)
        print(f"  rows written in {time.perf_counter() - phase:.1f} s", file=sys.stderr)
        phase = time.perf_counter()
        listing_refresh_search(
            listing_ids=Listing.objects.filter(
                organization=organization, hsds_id__startswith="bench-"
            ).values("pk")
        )
    print(f"  search vectors in {time.perf_counter() - phase:.1f} s", file=sys.stderr)
    with connection.cursor() as cursor:
        # VACUUM too: search reads locations from an index alone, which needs the pages
        # marked all-visible, as autovacuum would have done by the time anyone searches.
        cursor.execute(f"VACUUM ANALYZE {Listing._meta.db_table}")
        cursor.execute(f"VACUUM ANALYZE {ListingLocation._meta.db_table}")
    elapsed = time.perf_counter() - started
    print(f"Seeded {count} listings into '{org_slug}' in {elapsed:.1f} s")


def grow(*, count: int, org_slug: str, seed_value: int) -> None:
    from django.db import connection, transaction

    from continuum.tenancy.models import Organization
    from continuum.tenancy.scoping import organization_scope
    from referrals.models import Listing, ListingLocation
    from referrals.services import listing_refresh_search

    organization = Organization.objects.get(slug=org_slug)
    listing_table, location_table = Listing._meta.db_table, ListingLocation._meta.db_table
    fixed = {"id", "public_id", "hsds_id", "name"}
    columns = [f.column for f in Listing._meta.concrete_fields if f.column not in fixed]
    started = time.perf_counter()
    with organization_scope(organization), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [(seed_value % 1000) / 1000])
        cursor.execute(
            f"SELECT count(*) FROM {listing_table} WHERE organization_id = %s"  # noqa: S608
            " AND hsds_id LIKE 'bench-%%'",
            [organization.pk],
        )
        (have,) = cursor.fetchone()
        if have >= count:
            print(f"'{org_slug}' already holds {have} listings")
            return
        # Numbered copies of the seeded rows, and one random pair of them per new listing.
        cursor.execute(
            f"CREATE TEMP TABLE bench_src ON COMMIT DROP AS SELECT row_number() OVER"  # noqa: S608
            f" (ORDER BY id) AS n, * FROM {listing_table} WHERE organization_id = %s"
            " AND hsds_id LIKE 'bench-%%'",
            [organization.pk],
        )
        cursor.execute(
            f"CREATE TEMP TABLE bench_place ON COMMIT DROP AS SELECT row_number() OVER"  # noqa: S608
            " (ORDER BY id) AS n, city, state, postal_code, latitude, longitude"
            f" FROM {location_table} WHERE organization_id = %s",
            [organization.pk],
        )
        cursor.execute("SELECT count(*) FROM bench_place")
        (places,) = cursor.fetchone()
        cursor.execute(
            "CREATE TEMP TABLE bench_pick ON COMMIT DROP AS SELECT g,"
            " 1 + floor(random() * %s)::bigint AS src, 1 + floor(random() * %s)::bigint AS place"
            " FROM generate_series(%s, %s) AS g",
            [have, places, have, count - 1],
        )
        names = ", ".join(columns)
        picked = ", ".join(f"s.{c}" for c in columns)
        cursor.execute(
            f"INSERT INTO {listing_table} (public_id, hsds_id, name, {names})"  # noqa: S608
            " SELECT gen_random_uuid(), 'bench-' || p.g,"
            " regexp_replace(s.name, '[0-9]+$', p.g::text), " + picked + " FROM bench_pick p"
            " JOIN bench_src s ON s.n = p.src"
        )
        print(f"  {count - have} listings drawn in {time.perf_counter() - started:.1f} s")
        cursor.execute(
            f"INSERT INTO {location_table} (organization_id, public_id, listing_id, hsds_id,"  # noqa: S608
            " name, address_1, address_2, city, state, postal_code, country, latitude, longitude,"
            " placed_by_zip, hsds_raw, listing_kind, listing_reach_miles)"
            " SELECT %s, gen_random_uuid(), l.id, l.hsds_id || '-loc', '', '', '', c.city,"
            " c.state, c.postal_code, 'US', c.latitude, c.longitude, false, '{}', '', 0"
            f" FROM bench_pick p JOIN {listing_table} l ON l.organization_id = %s"
            " AND l.hsds_id = 'bench-' || p.g JOIN bench_place c ON c.n = p.place",
            [organization.pk, organization.pk],
        )
        print(f"  locations placed in {time.perf_counter() - started:.1f} s")
        listing_refresh_search(
            listing_ids=Listing.objects.filter(
                organization=organization, hsds_id__startswith="bench-"
            ).values("pk")
        )
    print(f"  search vectors in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {listing_table}")
        cursor.execute(f"VACUUM ANALYZE {location_table}")
    print(f"Grew '{org_slug}' to {count} listings in {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--org", default="bench-directory")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--grow",
        action="store_true",
        help="add listings drawn from the ones already seeded, up to --count (see above)",
    )
    args = parser.parse_args()
    setup()
    (grow if args.grow else seed)(count=args.count, org_slug=args.org, seed_value=args.seed)


if __name__ == "__main__":
    main()
