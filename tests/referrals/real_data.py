"""A generated 211-style HSDS tabular package with what real 211 exports carry: language
names the old importer dropped ("Creole"), websites without https://, locations with
only a ZIP or with nothing at all, no status, nothing said about new clients, 211/AIRS
taxonomy codes instead of the directory's kinds, and a Latin-1 services.csv."""

import csv
import io
import uuid
import zipfile

NS = uuid.UUID("3f1a0a3e-0000-4000-8000-000000000211")


def uid(*parts) -> str:
    return str(uuid.uuid5(NS, "/".join(map(str, parts))))


ORG = uid("org")
DETOX, MAT, CLINIC, NOWHERE, GROUP = (uid("svc", n) for n in range(5))
SERVICES = [
    {
        "id": DETOX,
        "organization_id": ORG,
        "name": "Centro de Desintoxicación Doral",
        "description": "Desintoxicación médica supervisada las 24 horas. Aceptamos Medicaid.",
        "url": "www.doral-detox.example.org",
        "status": "active",
    },
    {
        "id": MAT,
        "organization_id": ORG,
        "name": "Central Opioid Program",
        "description": "Buprenorphine and methadone for opioid use disorder.",
        "url": "https://central.example.org/mat",
        "status": "",  # real 211 rows leave it empty
    },
    {
        "id": CLINIC,
        "organization_id": ORG,
        "name": "Little Havana Counseling",
        "description": "Walk-in counseling for adults. Sliding scale fees.",
        "url": "not a url at all",
        "status": "active",
    },
    {
        "id": NOWHERE,
        "organization_id": ORG,
        "name": "Hotline Without Address",
        "description": "Phone support line.",
        "status": "active",
    },
    {
        "id": GROUP,
        "organization_id": ORG,
        "name": "Kendall Recovery Group",
        "description": "Peer meetings every evening.",
        "status": "inactive",
    },
]
LOCATIONS = [
    # (service, location id, latitude, longitude, zip)
    (DETOX, uid("loc", 0), "25.8195", "-80.3553", "33172"),
    (MAT, uid("loc", 1), "", "", "33130"),  # ZIP only
    (CLINIC, uid("loc", 2), "25.7654", "-80.2198", "33135"),
    (NOWHERE, uid("loc", 3), "", "", ""),  # neither coordinates nor ZIP
    (GROUP, uid("loc", 4), "25.6866", "-80.3525", "33183"),
]
LANGUAGES = [
    (DETOX, "Spanish", ""),
    (DETOX, "Creole", ""),
    (MAT, "english", ""),
    (MAT, "", "HT"),
    (CLINIC, "Hebrew", ""),
    (CLINIC, "Xyzzyish", ""),
    (GROUP, "ASL", ""),
]
TERMS = [
    (uid("term", "detox"), "RX-8450.1000", "Substance Use Disorder Detoxification"),
    (uid("term", "mat"), "RX-8450.5000-100", "Buprenorphine Based MAT Programs"),
    (uid("term", "group"), "PN-8100.0500-070", "Alcohol Use Disorder Support Groups"),
    (uid("term", "local"), "ZZ-1234", "Consejería local"),
]
ATTRIBUTES = [
    (DETOX, TERMS[0][0]),
    (MAT, TERMS[1][0]),
    (GROUP, TERMS[2][0]),
    (CLINIC, TERMS[3][0]),
]


def _table(columns: list[str], rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


def tables() -> dict[str, str]:
    return {
        "organizations.csv": _table(
            ["id", "name", "description", "website", "email"],
            [
                {
                    "id": ORG,
                    "name": "Miami-Dade Behavioral Network",
                    "description": "",
                    "website": "www.mdbn.example.org",
                    "email": "",
                }
            ],
        ),
        "services.csv": _table(
            ["id", "organization_id", "name", "description", "url", "status"], SERVICES
        ),
        "locations.csv": _table(
            ["id", "location_type", "name", "latitude", "longitude"],
            [
                {
                    "id": lid,
                    "location_type": "physical",
                    "name": "",
                    "latitude": la,
                    "longitude": lo,
                }
                for _, lid, la, lo, _ in LOCATIONS
            ],
        ),
        "addresses.csv": _table(
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
            [
                {
                    "id": uid("addr", lid),
                    "location_id": lid,
                    "address_1": f"{100 + i} NW 7th St" if z else "",
                    "city": "DORAL" if i == 0 else "MIAMI",
                    "state_province": "FL",
                    "postal_code": z,
                    "country": "US",
                    "address_type": "physical",
                }
                for i, (_, lid, _, _, z) in enumerate(LOCATIONS)
            ],
        ),
        "service_at_location.csv": _table(
            ["id", "service_id", "location_id"],
            [
                {"id": uid("sal", lid), "service_id": sid, "location_id": lid}
                for sid, lid, *_ in LOCATIONS
            ],
        ),
        "phones.csv": _table(
            ["id", "service_id", "number", "type"],
            [
                {
                    "id": uid("phone", s["id"]),
                    "service_id": s["id"],
                    "number": "(305) 555-0100",
                    "type": "voice",
                }
                for s in SERVICES
            ],
        ),
        "languages.csv": _table(
            ["id", "service_id", "name", "code"],
            [
                {"id": uid("lang", i), "service_id": sid, "name": n, "code": c}
                for i, (sid, n, c) in enumerate(LANGUAGES)
            ],
        ),
        "schedules.csv": _table(
            ["id", "service_id", "description"],
            [{"id": uid("sched", DETOX), "service_id": DETOX, "description": "Open 24 hours"}],
        ),
        "taxonomy_terms.csv": _table(
            ["id", "code", "name", "taxonomy"],
            [
                {"id": tid, "code": code, "name": name, "taxonomy": "AIRS"}
                for tid, code, name in TERMS
            ],
        ),
        "attributes.csv": _table(
            ["id", "link_id", "taxonomy_term_id", "link_type"],
            [
                {
                    "id": uid("attr", i),
                    "link_id": sid,
                    "taxonomy_term_id": tid,
                    "link_type": "service",
                }
                for i, (sid, tid) in enumerate(ATTRIBUTES)
            ],
        ),
    }


def package(*, services_encoding: str = "cp1252") -> bytes:
    """The package as a zip; services.csv saved as a spreadsheet would (Windows-1252)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in tables().items():
            encoding = services_encoding if name == "services.csv" else "utf-8"
            archive.writestr(name, text.encode(encoding))
    return buffer.getvalue()
