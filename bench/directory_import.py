"""Import throughput of an HSDS 3.0 tabular package the size of a state's 211 export.

    DATABASE_URL=postgres://... .venv/bin/python bench/directory_import.py --services 4000

Builds a package of `--services` services (organizations, services, locations,
addresses, phones, schedules, languages, taxonomy terms and attributes) with what real
exports carry: services.csv saved as Windows-1252 with accented names, blank fields,
language names that only the alias table knows ("Creole", "Espanol"), websites without
https://, locations with only a ZIP, AIRS taxonomy codes instead of the directory's kinds,
and a few rows that refer to services not in the file. The upload goes through
`import_job_create` as the admin page's does, and the import runs through the Celery task
the worker runs (`referrals.import_job_run`, applied in this process so its memory can be
read), once into an empty organization (every listing created) and once again (every
listing updated). Prints a Markdown table: seconds, rows per second, the peak Python heap
during the import (tracemalloc) and the process's peak resident size (getrusage).
Not part of the test suite."""

import argparse
import csv
import io
import random
import resource
import time
import tracemalloc
import uuid
import zipfile

from _django import setup

NS = uuid.UUID("5d2c8a61-0000-4000-8000-00000000b211")
WORDS = ["Harbor", "Bridge", "Summit", "Pathway", "Beacon", "Cedar", "Lighthouse", "Nueva Vida"]
PROGRAMS = [
    ("Centro de Desintoxicación", "Desintoxicación médica supervisada las 24 horas."),
    ("Recovery Counseling", "Outpatient counseling for adults with alcohol use disorder."),
    ("Opioid Treatment Program", "Buprenorphine and methadone for opioid use disorder."),
    ("Sober Living Home", "Peer-run recovery residence, café and job support."),
    ("Family Support Group", "Meetings for families of people in recovery."),
    ("Intensive Outpatient", "IOP three evenings a week; sliding scale fees."),
]
# Real exports' language cells: names, aliases, codes in any case, and blanks.
LANGUAGE_CELLS = [
    ("English", ""),
    ("Spanish", ""),
    ("Espanol", ""),
    ("Creole", ""),
    ("", "HT"),
    ("english", ""),
    ("Vietnamese", ""),
    ("ASL", ""),
]
TERMS = [
    ("RX-8450.1000", "Substance Use Disorder Detoxification"),
    ("RX-8450.5000-100", "Buprenorphine Based MAT Programs"),
    ("PN-8100.0500-070", "Alcohol Use Disorder Support Groups"),
    ("RP-1400.8000-020", "Outpatient Substance Use Disorder Treatment"),
    ("ZZ-1234", "Consejería local"),
]


def uid(*parts) -> str:
    return str(uuid.uuid5(NS, "/".join(map(str, parts))))


def _table(columns: list[str], rows: list[dict], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def _zips() -> list[dict]:
    import zipcodes

    return [
        z
        for z in zipcodes.list_all()
        if z.get("lat") and z.get("long") and z.get("zip_code_type") == "STANDARD"
    ]


def build_package(*, services: int, seed_value: int) -> tuple[bytes, dict[str, int]]:
    """The zip and the number of rows in each of its tables."""
    rng = random.Random(seed_value)  # noqa: S311 - reproducible benchmark data, not secrets
    places = _zips()
    organizations, service_rows, locations, addresses, sals = [], [], [], [], []
    phones, languages, schedules, attributes = [], [], [], []
    org_count = max(1, services // 5)
    for n in range(org_count):
        organizations.append(
            {
                "id": uid("org", n),
                "name": f"{rng.choice(WORDS)} Behavioral Network {n}",
                "description": "" if n % 3 else "A network of recovery programs.",
                "website": f"www.network{n}.example.org" if n % 2 else "",
                "email": f"intake@network{n}.example.org" if n % 4 == 0 else "",
            }
        )
    terms = [
        {"id": uid("term", code), "code": code, "name": name, "taxonomy": "AIRS"}
        for code, name in TERMS
    ]
    for n in range(services):
        sid = uid("svc", n)
        program, description = rng.choice(PROGRAMS)
        place = rng.choice(places)
        service_rows.append(
            {
                "id": sid,
                "organization_id": uid("org", n % org_count),
                "name": f"{rng.choice(WORDS)} {program} {n}",
                "description": f"{description} {place['city'].title()}, {place['state']}.",
                "url": rng.choice(
                    [f"https://svc{n}.example.org", f"www.svc{n}.example.org", "", "see website"]
                ),
                "email": f"referrals@svc{n}.example.org" if n % 3 == 0 else "",
                "status": rng.choice(["active", "active", "active", "", "inactive"]),
            }
        )
        for k in range(1 + (n % 4 == 0)):  # a quarter of the services have two sites
            lid = uid("loc", n, k)
            has_point = rng.random() < 0.8
            locations.append(
                {
                    "id": lid,
                    "location_type": "physical",
                    "name": "" if k == 0 else "Satellite office",
                    "latitude": place["lat"] if has_point else "",
                    "longitude": place["long"] if has_point else "",
                }
            )
            addresses.append(
                {
                    "id": uid("addr", lid),
                    "location_id": lid,
                    "address_1": f"{100 + n % 900} Main St" if rng.random() < 0.9 else "",
                    "city": place["city"],
                    "state_province": place["state"],
                    "postal_code": place["zip_code"],
                    "country": "US",
                    "address_type": "physical",
                }
            )
            sals.append({"id": uid("sal", lid), "service_id": sid, "location_id": lid})
        phones.append(
            {
                "id": uid("phone", sid),
                "service_id": sid,
                "number": f"({rng.randint(201, 989)}) 555-{n % 10000:04d}",
                "type": "voice",
            }
        )
        for i, (name, code) in enumerate(rng.sample(LANGUAGE_CELLS, rng.randint(1, 3))):
            languages.append(
                {"id": uid("lang", sid, i), "service_id": sid, "name": name, "code": code}
            )
        if n % 2 == 0:
            schedules.append(
                {
                    "id": uid("sched", sid),
                    "service_id": sid,
                    "description": rng.choice(["Open 24 hours", "Mon-Fri 9-5", ""]),
                }
            )
        term = rng.choice(terms)
        attributes.append(
            {
                "id": uid("attr", sid),
                "link_id": sid,
                "taxonomy_term_id": term["id"],
                "link_type": "service",
            }
        )
    # Rows a real export carries for services it no longer lists: reported, skipped.
    for n in range(5):
        phones.append(
            {"id": uid("gone", n), "service_id": uid("gone-svc", n), "number": "(305) 555-0199"}
        )
    tables = {
        "organizations.csv": (["id", "name", "description", "website", "email"], organizations),
        "services.csv": (
            ["id", "organization_id", "name", "description", "url", "email", "status"],
            service_rows,
        ),
        "locations.csv": (["id", "location_type", "name", "latitude", "longitude"], locations),
        "addresses.csv": (
            [
                "id",
                "location_id",
                "address_1",
                "city",
                "state_province",
                "postal_code",
                "country",
                "address_type",
            ],
            addresses,
        ),
        "service_at_location.csv": (["id", "service_id", "location_id"], sals),
        "phones.csv": (["id", "service_id", "number", "type"], phones),
        "languages.csv": (["id", "service_id", "name", "code"], languages),
        "schedules.csv": (["id", "service_id", "description"], schedules),
        "taxonomy_terms.csv": (["id", "code", "name", "taxonomy"], terms),
        "attributes.csv": (["id", "link_id", "taxonomy_term_id", "link_type"], attributes),
    }
    buffer = io.BytesIO()
    counts = {}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (columns, rows) in tables.items():
            # services.csv as a spreadsheet saves it; the rest as the export tool writes.
            encoding = "cp1252" if name == "services.csv" else "utf-8"
            archive.writestr(name, _table(columns, rows, encoding))
            counts[name] = len(rows)
    return buffer.getvalue(), counts


def import_once(*, organization, payload: bytes, trace: bool) -> dict:
    """Upload as the admin page does and run the worker's task; time, and with `trace`
    the peak Python heap (tracing slows Python down, so it gets a round of its own)."""
    from continuum.tenancy.scoping import organization_scope
    from referrals.models import ImportJob
    from referrals.services import import_job_create
    from referrals.tasks import import_job_run_task

    with organization_scope(organization):
        job = import_job_create(
            actor=None,
            organization=organization,
            filename="state-211-export.zip",
            payload=payload,
            enqueue=False,
        )
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    status = import_job_run_task.apply(
        kwargs={"organization_id": organization.pk, "job_id": job.pk}
    ).get()
    elapsed = time.perf_counter() - started
    peak_heap = None
    if trace:
        peak_heap = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    with organization_scope(organization):
        job = ImportJob.objects.get(pk=job.pk)
    return {
        "status": status,
        "seconds": elapsed,
        "peak_heap_mb": peak_heap,
        "created": job.created_count,
        "updated": job.updated_count,
        "errors": len(job.errors),
        "warnings": len(job.warnings),
    }


def run(*, services: int, org_slug: str, seed_value: int, rounds: int, trace: bool) -> None:
    from django.db import connection

    from continuum.tenancy.models import Organization
    from continuum.tenancy.scoping import organization_scope
    from referrals.models import ImportJob, Listing, ListingLocation

    payload, counts = build_package(services=services, seed_value=seed_value)
    organization, _ = Organization.objects.get_or_create(
        slug=org_slug, defaults={"name": "Directory import benchmark", "staff_mfa_required": False}
    )

    def empty() -> None:
        # Raw deletes: the ORM's cascade collector would load every old row first.
        with organization_scope(organization):
            ListingLocation.objects.filter(organization=organization)._raw_delete(connection.alias)
            Listing.objects.filter(organization=organization)._raw_delete(connection.alias)
            ImportJob.objects.filter(organization=organization).delete()

    rows = sum(counts.values())
    print(
        f"HSDS tabular package: {services:,} services, {rows:,} rows in {len(counts)} tables, "
        f"{len(payload) / 2**20:.1f} MB zipped\n"
        f"({', '.join(f'{n} {c:,}' for n, c in counts.items())})\n"
    )
    print(
        "| import | status | seconds | services/s | created | updated | warnings | errors "
        "| peak heap MB | peak RSS MB |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    plan = [(n, False) for n in range(rounds)] + ([(0, True)] if trace else [])
    for number, traced in plan:
        if number == 0:
            empty()  # the first import of a round creates every listing
        result = import_once(organization=organization, payload=payload, trace=traced)
        # ru_maxrss (KiB on Linux) is the process's peak so far, package building included.
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        label = "first (all new)" if number == 0 else "again (all updates)"
        heap = "-" if result["peak_heap_mb"] is None else f"{result['peak_heap_mb']:.0f}"
        print(
            f"| {label}{', traced' if traced else ''} | {result['status']} | "
            f"{result['seconds']:.1f} | {services / result['seconds']:.0f} | "
            f"{result['created']:,} | {result['updated']:,} | {result['warnings']:,} | "
            f"{result['errors']:,} | {heap} | {rss:.0f} |",
            flush=True,
        )
    empty()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=4000)
    parser.add_argument("--org", default="bench-import")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--rounds", type=int, default=2, help="1: the first import only")
    parser.add_argument(
        "--no-trace", action="store_true", help="skip the extra round that traces the heap"
    )
    args = parser.parse_args()
    setup()
    run(
        services=args.services,
        org_slug=args.org,
        seed_value=args.seed,
        rounds=args.rounds,
        trace=not args.no_trace,
    )


if __name__ == "__main__":
    main()
