"""Open Referral HSDS 3.0: reading and writing services, as JSON records and as the
tabular CSV package. Pure functions over dicts: no database access here.

Reading produces `ParsedService(row, record)` items (the nested HSDS service record and
where it came from); `normalize` turns one into the directory's fields or raises
`RowRejected` with the reason. Fields HSDS has no column for (kind, credentials,
specialties, payment, populations, service area ...) travel as attributes under the
`continuum` taxonomy."""

import codecs
import copy
import csv
import io
import json
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

import charset_normalizer
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from . import languages, taxonomy
from .geo import zip_lookup
from .models import Kind, LevelOfCare, ListingStatus, Payment, Population, ServiceAreaKind

TAXONOMY = "continuum"
TAXONOMY_ID = "6f1b7c1e-8d0a-5f55-9c53-2a0b1e2f0c01"
NAMESPACE = uuid.UUID("9b7e4f0e-2c1d-4a8e-9a53-6b1f5e2c7d10")

# code -> (label, multi-valued, allowed values or None)
ATTRIBUTE_TERMS: dict[str, tuple[str, bool, frozenset | None]] = {
    "kind": ("Kind of help", False, frozenset(Kind.values)),
    "credential": ("Credential or license", True, None),
    "specialty": ("Specialty", True, None),
    "level_of_care": ("Level of care (ASAM)", True, frozenset(LevelOfCare.values)),
    "payment": ("Insurance and payment", True, frozenset(Payment.values)),
    "insurer": ("Insurer accepted", True, None),
    "population": ("Population served", True, frozenset(Population.values)),
    "accepting_new_clients": ("Accepting new clients", False, frozenset({"true", "false"})),
    # Only written when the source had no status (HSDS requires one in the file).
    "status_stated": ("Status stated in the source", False, frozenset({"false"})),
    "telehealth": ("Offers telehealth", False, frozenset({"true", "false"})),
    "service_area": ("Service area", False, frozenset(ServiceAreaKind.values)),
    "service_radius_miles": ("Service radius (miles)", False, None),
    "service_state": ("State served", False, None),
    "service_zip": ("ZIP code served", True, None),
}
MULTI_FIELDS = {
    "credential": "credentials",
    "specialty": "specialties",
    "level_of_care": "levels_of_care",
    "payment": "payment_options",
    "insurer": "insurers",
    "population": "populations",
    "service_zip": "service_zip_codes",
}
STATUS_IN = {
    "active": ListingStatus.ACTIVE,
    "inactive": ListingStatus.INACTIVE,
    "defunct": ListingStatus.INACTIVE,
    "temporarily closed": ListingStatus.TEMPORARILY_CLOSED,
    "temporarily_closed": ListingStatus.TEMPORARILY_CLOSED,
}
STATUS_OUT = {
    ListingStatus.ACTIVE: "active",
    ListingStatus.INACTIVE: "inactive",
    ListingStatus.TEMPORARILY_CLOSED: "temporarily closed",
}
# Re-exported for the forms and search reasons; the languages live in languages.py.
LANGUAGE_LABELS = languages.LANGUAGE_LABELS
# Tables that hang off a service by service_id, in the order they are read and written.
SERVICE_SIDE_TABLES = (
    "phones",
    "languages",
    "schedules",
    "service_areas",
    "contacts",
    "cost_options",
)

# Limits on what an upload may unpack to: checked from the archive's directory before
# anything is inflated, and again while reading (a directory can lie about sizes).
MAX_UNPACKED_BYTES = getattr(settings, "DIRECTORY_IMPORT_MAX_UNPACKED_BYTES", 512 * 1024 * 1024)
MAX_COMPRESSION_RATIO = getattr(settings, "DIRECTORY_IMPORT_MAX_RATIO", 100)
MAX_ARCHIVE_FILES = getattr(settings, "DIRECTORY_IMPORT_MAX_FILES", 100)

# What an import changed, defaulted or dropped, by kind: the job's report groups by these.
NOTICE_KINDS: dict[str, str] = {
    "file_encoding": "File read in a single-byte spreadsheet encoding",
    "url_repaired": "Web address without http(s)://: https:// added",
    "url_dropped": "Web address not valid: left out",
    "email_dropped": "E-mail address not valid: left out",
    "language_alias": "Language name resolved through the alias table",
    "language_guessed": "Language name matched to the nearest known language",
    "language_unknown": "Language not recognised: kept in the record, not searchable",
    "status_missing": "No status: shown as “status not stated”",
    "accepting_unknown": "Accepting new clients not stated: shown as unknown",
    "kind_mapped": "Kind of help set from a taxonomy term or the service's words",
    "kind_defaulted": "No kind of help found: listed as “Other service”",
    "payment_mapped": "Payment set from a taxonomy term or the service's words",
    "population_mapped": "Population set from a taxonomy term or the service's words",
    "date_dropped": "Date not valid: left out",
    "coordinates_out_of_range": "Coordinates out of range: placed by ZIP code where known",
    "placed_by_zip": "No coordinates: placed at the ZIP code's centre",
    "location_unplaced": "Neither coordinates nor a known ZIP code: not found by distance",
    "location_dropped": "Location without an id: left out",
    "orphan_row": "Row refers to a record not in the file: skipped",
    "text_truncated": "Text longer than the directory keeps: shortened",
}


def notice(kind: str, reason: str, *, field: str = "", value="", result="") -> dict:
    return {
        "kind": kind,
        "field": field,
        "value": "" if value is None else str(value)[:200],
        "result": "" if result is None else str(result)[:200],
        "reason": reason,
    }


class FileRefused(Exception):
    """An upload that cannot be read at all; the message names the file (and row)."""


class RowRejected(Exception):
    """A record that cannot be imported; the message says why."""


@dataclass
class ParsedService:
    row: str
    record: dict


@dataclass
class Parsed:
    services: list[ParsedService] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)


@dataclass
class NormalizedLocation:
    hsds_id: str
    values: dict
    raw: dict


@dataclass
class Normalized:
    hsds_id: str
    values: dict
    organization: dict | None
    locations: list[NormalizedLocation]
    warnings: list[str]


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


# --- reading files --------------------------------------------------------------------

SINGLE_BYTE_ENCODINGS = ["cp1252", "latin_1", "mac_roman", "cp850"]


def decode(data: bytes, name: str) -> tuple[str, str]:
    """The text of an uploaded file and the encoding it was read in: UTF-8 with or without
    a byte-order mark, else the single-byte encoding spreadsheets save in, as detected by
    charset-normalizer. Refused, naming the file and row, when it is neither."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        failed_at = exc.start
    best = charset_normalizer.from_bytes(data, cp_isolation=SINGLE_BYTE_ENCODINGS).best()
    if best is None:
        row = data[:failed_at].count(b"\n") + 1
        raise FileRefused(
            f"{name}, row {row}: not UTF-8 text nor a spreadsheet's single-byte encoding "
            "(Windows-1252, Latin-1). Save the file as \u201cCSV UTF-8\u201d and upload it again."
        )
    return str(best), best.encoding


def _encoding_notice(parsed: "Parsed", name: str, encoding: str) -> None:
    if encoding != "utf-8":
        parsed.warnings.append(
            {
                "row": name,
                "id": "",
                **notice(
                    "file_encoding",
                    f"{name} is not UTF-8; read as {encoding}.",
                    field="file",
                    value=name,
                    result=encoding,
                ),
            }
        )


def archive_members(payload: bytes, filename: str) -> dict[str, bytes]:
    """The files of a zip, refused before anything is inflated when the archive's
    directory promises more files, more bytes or a higher compression ratio than allowed."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(payload))
    except zipfile.BadZipFile:
        raise FileRefused(
            f"{filename} is not a zip archive. Upload HSDS JSON (.json), the tabular "
            "package as a .zip, or the spreadsheet template as .csv."
        ) from None
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > MAX_ARCHIVE_FILES:
            raise FileRefused(
                f"{filename} holds {len(infos)} files; an HSDS package has at most "
                f"{MAX_ARCHIVE_FILES}. Zip only the package's .csv files."
            )
        total = sum(i.file_size for i in infos)
        if total > MAX_UNPACKED_BYTES:
            raise FileRefused(
                f"{filename} would unpack to {total // 2**20} MB; the limit is "
                f"{MAX_UNPACKED_BYTES // 2**20} MB. Split the directory into several files."
            )
        for info in infos:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > 2**20 and ratio > MAX_COMPRESSION_RATIO:
                raise FileRefused(
                    f"{filename}: {info.filename} is compressed {ratio:.0f} to 1 (at most "
                    f"{MAX_COMPRESSION_RATIO} to 1 is accepted): it is not a plain table. "
                    "Export the package again."
                )
        members, read = {}, 0
        for info in infos:
            with archive.open(info) as handle:
                data = handle.read(info.file_size + 1)
            read += len(data)
            if len(data) > info.file_size or read > MAX_UNPACKED_BYTES:
                raise FileRefused(f"{filename}: {info.filename} is larger than its archive says.")
            members[info.filename] = data
    return members


def parse(payload: bytes, fmt: str, filename: str = "") -> "Parsed":
    """Services of an upload in any accepted format (ImportFormat values)."""
    readers = {"json": parse_json, "csv": parse_csv_package, "sheet": parse_sheet}
    try:
        return readers[fmt](payload, filename or "the file")
    except FileRefused as exc:
        parsed = Parsed()
        parsed.errors.append({"row": "file", "id": "", "reason": str(exc)})
        return parsed


# --- reading JSON ---------------------------------------------------------------------


def parse_json(payload: bytes, filename: str = "the file") -> Parsed:
    parsed = Parsed()
    text, encoding = decode(payload, filename)
    _encoding_notice(parsed, filename, encoding)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        parsed.errors.append(
            {
                "row": "file",
                "id": "",
                "reason": f"{filename}: not valid JSON at line {exc.lineno}, column "
                f"{exc.colno} ({exc.msg}).",
            }
        )
        return parsed
    for label, record in _json_services(data):
        if not isinstance(record, dict):
            parsed.errors.append({"row": label, "id": "", "reason": "Not an HSDS service object."})
            continue
        parsed.services.append(ParsedService(label, record))
    if not parsed.services and not parsed.errors:
        parsed.errors.append(
            {"row": "file", "id": "", "reason": "The file contains no HSDS services."}
        )
    return parsed


def _json_services(data) -> list[tuple[str, dict]]:
    if isinstance(data, list):
        return [(f"service {i + 1}", item) for i, item in enumerate(data)]
    if not isinstance(data, dict):
        return []
    if isinstance(data.get("contents"), list):  # a paginated list response
        out = []
        for i, item in enumerate(data["contents"]):
            out += [(f"contents {i + 1}: {label}", rec) for label, rec in _json_services(item)]
        return out
    if isinstance(data.get("services"), list):  # an organization with its services
        organization = {k: v for k, v in data.items() if k != "services"}
        out = []
        for i, service in enumerate(data["services"]):
            if isinstance(service, dict):
                service = {**service, "organization": service.get("organization") or organization}
            out.append((f"service {i + 1}", service))
        return out
    if isinstance(data.get("service"), dict) and "location" in data:  # service_at_location
        service = dict(data["service"])
        sal = {k: v for k, v in data.items() if k != "service"}
        service.setdefault("service_at_locations", [sal])
        return [("service 1", service)]
    if "name" in data and "id" in data and "location_type" not in data:
        return [("service 1", data)]
    return []


# --- reading the CSV package ----------------------------------------------------------


def _csv_rows(data: bytes, name: str, parsed: Parsed) -> list[dict]:
    text, encoding = decode(data, name)
    _encoding_notice(parsed, name, encoding)
    if "\0" in text:  # no database stores it; a sign of a binary file saved as .csv
        row = text[: text.index("\0")].count("\n") + 1
        raise FileRefused(
            f"{name}, row {row}: contains a NUL character, so it is not a plain-text table. "
            "Save it again as CSV from the spreadsheet program."
        )
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        return list(reader)
    except csv.Error as exc:
        raise FileRefused(f"{name}, row {reader.line_num}: {exc}.") from None


def _read_tables(payload: bytes, filename: str, parsed: Parsed) -> dict[str, list[dict]]:
    tables: dict[str, list[dict]] = {}
    for path, data in archive_members(payload, filename).items():
        name = path.rsplit("/", 1)[-1]
        if name.endswith(".csv"):
            tables[name] = _csv_rows(data, name, parsed)
    return tables


def _clean(row: dict) -> dict:
    return {k: v for k, v in row.items() if k and v not in (None, "")}


def _orphan(table: str, record_id: str, reason: str) -> dict:
    return {"row": table, "id": record_id, **notice("orphan_row", reason, field=table)}


def parse_csv_package(payload: bytes, filename: str = "the file") -> Parsed:
    parsed = Parsed()
    tables = _read_tables(payload, filename, parsed)
    if "services.csv" not in tables:
        parsed.errors.append(
            {
                "row": "file",
                "id": "",
                "reason": f"services.csv is missing from {filename}. A tabular package "
                "needs services.csv; for one table of listings use the spreadsheet template.",
            }
        )
        return parsed

    def by(table: str, key: str) -> dict[str, list[dict]]:
        index: dict[str, list[dict]] = {}
        for row in tables.get(table, []):
            if row.get(key):
                index.setdefault(row[key], []).append(_clean(row))
        return index

    organizations = {r["id"]: _clean(r) for r in tables.get("organizations.csv", []) if r.get("id")}
    addresses = by("addresses.csv", "location_id")
    locations = {r["id"]: _clean(r) for r in tables.get("locations.csv", []) if r.get("id")}
    terms = {r["id"]: _clean(r) for r in tables.get("taxonomy_terms.csv", []) if r.get("id")}
    service_ids = {r.get("id") for r in tables["services.csv"]}
    side = {name: by(f"{name}.csv", "service_id") for name in SERVICE_SIDE_TABLES}
    sal_rows = by("service_at_location.csv", "service_id")
    attributes = by("attributes.csv", "link_id")

    for table, index in [
        *[(f"{n}.csv", i) for n, i in side.items()],
        ("service_at_location.csv", sal_rows),
    ]:
        for service_id in sorted(set(index) - service_ids):
            parsed.warnings.append(
                _orphan(table, service_id, "Refers to a service not in services.csv; skipped.")
            )
    for link_id in sorted(set(attributes) - service_ids):
        parsed.warnings.append(
            _orphan(
                "attributes.csv",
                link_id,
                "Linked to a record that is not a service in this file; skipped.",
            )
        )

    for number, row in enumerate(tables["services.csv"], start=2):
        record = _clean(row)
        for key in ("minimum_age", "maximum_age"):
            if key in record:
                record[key] = _maybe_int(record[key])
        org_id = record.get("organization_id")
        if org_id and org_id in organizations:
            record["organization"] = organizations[org_id]
        sid = record.get("id", "")
        for name, index in side.items():
            if sid in index:
                record[name] = [
                    {k: v for k, v in r.items() if k != "service_id"} for r in index[sid]
                ]
        sals = []
        for sal in sal_rows.get(sid, []):
            location = dict(
                locations.get(sal.get("location_id", ""), {"id": sal.get("location_id", "")})
            )
            for key in ("latitude", "longitude"):
                if key in location:
                    location[key] = _maybe_float(location[key])
            location["addresses"] = [
                {k: v for k, v in a.items() if k != "location_id"}
                for a in addresses.get(location.get("id", ""), [])
            ]
            sals.append(
                {
                    **{k: v for k, v in sal.items() if k not in {"service_id", "location_id"}},
                    "location": location,
                }
            )
        if sals:
            record["service_at_locations"] = sals
        attrs = []
        for attr in attributes.get(sid, []):
            term = terms.get(attr.get("taxonomy_term_id", ""), {})
            attrs.append({**attr, "taxonomy_term": term})
        if attrs:
            record["attributes"] = attrs
        parsed.services.append(ParsedService(f"services.csv row {number}", record))
    if not parsed.services:
        parsed.errors.append(
            {"row": "services.csv", "id": "", "reason": "No services in the file."}
        )
    return parsed


# --- the spreadsheet template ---------------------------------------------------------
# One row per listing, for admins whose directory is a spreadsheet rather than HSDS. Each
# row becomes the HSDS record it describes and goes through the same normalizing as any
# other import. (column, what to write), in the template's order.
SHEET_COLUMNS: list[tuple[str, str]] = [
    (
        "id",
        "Optional. Your own id for the listing: importing a row with the same id again updates it.",
    ),
    ("name", "Required. The program's or the professional's name."),
    ("organization", "The organization it belongs to (blank: none)."),
    ("kind", "One of the values below. Blank: worked out from the description."),
    ("description", "What the service does, in the words families will search with."),
    ("address", "Street address."),
    ("city", "City."),
    ("state", "Two-letter state."),
    ("zip", "5-digit ZIP code: places the listing on the map when there are no coordinates."),
    ("latitude", "Optional. Decimal degrees."),
    ("longitude", "Optional. Decimal degrees."),
    ("phone", "Phone number."),
    ("email", "E-mail address for referrals."),
    ("website", "Web address (www.example.org is completed to https://)."),
    ("hours", "Opening hours, as you would write them."),
    ("languages", "Languages spoken, names or codes, separated by ; (Spanish; Haitian Creole)."),
    ("payment", "Separated by ;, each one of the values below."),
    ("population", "Separated by ;, each one of the values below."),
    ("accepting_new_clients", "yes or no; blank when you do not know (shown as unknown)."),
    ("telehealth", "yes or no."),
    ("status", "active, inactive or temporarily closed; blank: not stated."),
]
# The values a column takes, written as they are stored (the page shows them as code).
SHEET_VALUES: dict[str, list[str]] = {
    "kind": Kind.values,
    "payment": Payment.values,
    "population": Population.values,
}
YES, NO = {"yes", "y", "true", "1", "si", "sí"}, {"no", "n", "false", "0"}


def sheet_template() -> bytes:
    """The template: the header row and one example row (UTF-8 with a byte-order mark,
    so that spreadsheet programs open it in the right encoding)."""
    example = {
        "name": "Example Recovery Center",
        "organization": "Example Health",
        "kind": "detox",
        "description": "Medically supervised detox. Desintoxicación supervisada.",
        "address": "100 Main St",
        "city": "Miami",
        "state": "FL",
        "zip": "33101",
        "phone": "305-555-0100",
        "website": "www.example.org",
        "languages": "English; Spanish",
        "payment": "medicaid; private_insurance",
        "accepting_new_clients": "yes",
    }
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([c for c, _ in SHEET_COLUMNS])
    writer.writerow([example.get(c, "") for c, _ in SHEET_COLUMNS])
    return codecs.BOM_UTF8 + text.getvalue().encode()


def _split(value: str) -> list[str]:
    return [v.strip() for v in str(value or "").replace(",", ";").split(";") if v.strip()]


def sheet_record(row: dict) -> dict:
    """The HSDS service record one template row describes."""
    row = {(k or "").strip().casefold(): (v or "").strip() for k, v in row.items()}
    name = row.get("name", "")
    sid = row.get("id") or _uuid("sheet", name, row.get("address", ""), row.get("zip", ""))
    record: dict = {"id": sid, "name": name}
    for key, target in (("description", "description"), ("email", "email"), ("website", "url")):
        if row.get(key):
            record[target] = row[key]
    if row.get("status"):
        record["status"] = row["status"]
    if row.get("organization"):
        record["organization"] = {
            "id": _uuid("sheet-organization", row["organization"]),
            "name": row["organization"],
            "description": "",
        }
    if row.get("phone"):
        record["phones"] = [{"id": _uuid(sid, "phone"), "number": row["phone"]}]
    if row.get("hours"):
        record["schedules"] = [{"id": _uuid(sid, "schedule"), "description": row["hours"]}]
    record["languages"] = [
        {"id": _uuid(sid, "language", n), "name": n} for n in _split(row.get("languages", ""))
    ]
    if any(row.get(k) for k in ("address", "city", "zip", "latitude", "longitude")):
        location = {
            "id": _uuid(sid, "location"),
            "location_type": "physical",
            "addresses": [
                {
                    "id": _uuid(sid, "address"),
                    "address_1": row.get("address", ""),
                    "city": row.get("city", ""),
                    "state_province": row.get("state", ""),
                    "postal_code": row.get("zip", ""),
                    "country": "US",
                    "address_type": "physical",
                }
            ],
        }
        for key in ("latitude", "longitude"):
            if row.get(key):
                location[key] = _maybe_float(row[key])
        record["service_at_locations"] = [{"id": _uuid(sid, "sal"), "location": location}]
    attributes = []
    if row.get("kind"):
        attributes.append(_attribute(sid, "kind", row["kind"].casefold()))
    for column, code in (("payment", "payment"), ("population", "population")):
        attributes += [_attribute(sid, code, v.casefold()) for v in _split(row.get(column, ""))]
    for column in ("accepting_new_clients", "telehealth"):
        answer = row.get(column, "").casefold()
        if answer in YES | NO:
            attributes.append(_attribute(sid, column, "true" if answer in YES else "false"))
        elif answer:
            attributes.append(_attribute(sid, column, answer))
    record["attributes"] = attributes
    return record


def parse_sheet(payload: bytes, filename: str = "the file") -> Parsed:
    parsed = Parsed()
    rows = _csv_rows(payload, filename, parsed)
    header = {(k or "").strip().casefold() for k in (rows[0].keys() if rows else [])}
    if rows and "name" not in header:
        parsed.errors.append(
            {
                "row": f"{filename}, row 1",
                "id": "",
                "reason": "No \u201cname\u201d column. Start from the template: its first row names "
                "the columns (" + ", ".join(c for c, _ in SHEET_COLUMNS) + ").",
            }
        )
        return parsed
    for number, row in enumerate(rows, start=2):
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        parsed.services.append(ParsedService(f"{filename}, row {number}", sheet_record(row)))
    if not parsed.services:
        parsed.errors.append(
            {"row": filename, "id": "", "reason": f"{filename} has no rows of listings."}
        )
    return parsed


def _maybe_int(value):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return value


def _maybe_float(value):
    try:
        return float(str(value).strip())
    except (TypeError, ValueError):
        return value


# --- normalizing one service ----------------------------------------------------------


def _text(value, limit: int) -> str:
    if value is None:
        return ""
    return str(value).strip()[:limit]


def _age(record: dict, key: str) -> int | None:
    value = record.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise RowRejected(f"{key} must be a whole number of years, not {value!r}.")
    if not 0 <= value <= 130:
        raise RowRejected(f"{key} {value} is not a plausible age.")
    return int(value)


def _valid(validator, value: str) -> bool:
    try:
        validator(value)
    except ValidationError:
        return False
    return True


def _attribute_values(record: dict) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for attr in record.get("attributes") or []:
        if not isinstance(attr, dict):
            continue
        term = attr.get("taxonomy_term") or {}
        if (term.get("taxonomy") or "") != TAXONOMY:
            continue
        code = term.get("code") or ""
        if code not in ATTRIBUTE_TERMS:
            continue
        values.setdefault(code, []).append(_text(attr.get("value"), 120))
    return values


def _web_address(value, label: str, notes: list[dict]) -> str:
    """A URL as given, or repaired to https:// when it has no scheme, or left out."""
    url = _text(value, 500)
    if not url or _valid(URLValidator(), url):
        return url
    if "://" not in url:
        repaired = "https://" + url.lstrip("/")
        if _valid(URLValidator(), repaired):
            notes.append(
                notice(
                    "url_repaired",
                    f"{label} {url!r} had no http(s)://; stored as {repaired}.",
                    field=label,
                    value=url,
                    result=repaired,
                )
            )
            return repaired
    notes.append(
        notice(
            "url_dropped",
            f"{label} {url!r} is not a web address; left out.",
            field=label,
            value=url,
        )
    )
    return ""


def _email(value, label: str, notes: list[dict]) -> str:
    email = _text(value, 254)
    if email and not _valid(EmailValidator(), email):
        notes.append(
            notice(
                "email_dropped",
                f"{label} {email!r} is not valid; left out.",
                field=label,
                value=email,
            )
        )
        return ""
    return email


def _languages(record: dict, notes: list[dict]) -> list[str]:
    codes: list[str] = []
    for lang in record.get("languages") or []:
        if not isinstance(lang, dict):
            continue
        name, code = _text(lang.get("name"), 80), _text(lang.get("code"), 16)
        found = languages.resolve(name=name, code=code)
        given = name or code
        if not found.code:
            notes.append(
                notice(
                    "language_unknown",
                    f"Language {given!r} is not a language we recognise; kept in the HSDS "
                    "record, not offered in search. Add it to the alias table if it is one.",
                    field="languages",
                    value=given,
                )
            )
            continue
        if found.how in {"alias", "guess"}:
            notes.append(
                notice(
                    "language_alias" if found.how == "alias" else "language_guessed",
                    f"Language {given!r} read as {languages.english_name(found.code)}.",
                    field="languages",
                    value=given,
                    result=languages.english_name(found.code),
                )
            )
        if found.code not in codes:
            codes.append(found.code)
    return codes


def _classify(record: dict, attributes: dict, values: dict, mapping, notes: list[dict]) -> None:
    """Kind, payment and population from the taxonomy terms or words of a record that
    does not state them as the directory's own attributes."""
    found = taxonomy.classify(record, mapping)
    if "kind" in attributes:
        values["kind"] = attributes["kind"][0]
    elif found["kind"] is not None:
        values["kind"] = found["kind"].value
        notes.append(
            notice(
                "kind_mapped",
                f"Kind of help set to {Kind(values['kind']).label} from {found['kind'].source}.",
                field="kind",
                value=found["kind"].source,
                result=values["kind"],
            )
        )
    else:
        values["kind"] = Kind.OTHER
        notes.append(
            notice(
                "kind_defaulted",
                "No taxonomy term or words say what kind of help this is; listed as Other "
                "service. Map its terms (Directory \u2192 Taxonomy mapping) and re-classify.",
                field="kind",
                result=Kind.OTHER,
            )
        )
    for code, model_field, enum in (
        ("payment", "payment_options", Payment),
        ("population", "populations", Population),
    ):
        if code in attributes:
            continue
        for hit in found[code]:
            if hit.value not in values[model_field]:
                values[model_field].append(hit.value)
                notes.append(
                    notice(
                        f"{code}_mapped",
                        f"{enum(hit.value).label} from {hit.source}.",
                        field=model_field,
                        value=hit.source,
                        result=hit.value,
                    )
                )


def normalize(record: dict, mapping: dict | None = None) -> Normalized:
    """The directory's fields for one HSDS service record, or RowRejected. Every value
    changed, defaulted or left out is noted (Normalized.warnings, notice dicts)."""
    notes: list[dict] = []
    hsds_id = _text(record.get("id"), 100)
    if not hsds_id:
        raise RowRejected("The service has no id.")
    name = _text(record.get("name"), 255)
    if not name:
        raise RowRejected("The service has no name.")
    raw_status = _text(record.get("status"), 40).casefold().replace("_", " ")
    attributes = _attribute_values(record)
    if raw_status and raw_status not in STATUS_IN:
        raise RowRejected(
            f"Status {record.get('status')!r} is not one of active, inactive, defunct, temporarily closed."
        )
    if (attributes.get("status_stated") or ["true"])[0] == "false":
        status = ListingStatus.UNKNOWN
    elif raw_status:
        status = STATUS_IN[raw_status]
    else:
        status = ListingStatus.UNKNOWN
        notes.append(
            notice(
                "status_missing",
                "The record has no status; shown as \u201cstatus not stated\u201d, not as active.",
                field="status",
                result=ListingStatus.UNKNOWN,
            )
        )
    minimum_age, maximum_age = _age(record, "minimum_age"), _age(record, "maximum_age")
    if minimum_age is not None and maximum_age is not None and minimum_age > maximum_age:
        raise RowRejected(f"minimum_age {minimum_age} is above maximum_age {maximum_age}.")
    description = _text(record.get("description"), 20000)
    if len(str(record.get("description") or "").strip()) > 20000:
        notes.append(
            notice(
                "text_truncated", "Description shortened to 20,000 characters.", field="description"
            )
        )

    values: dict = {
        "name": name,
        "alternate_name": _text(record.get("alternate_name"), 255),
        "description": description,
        "status": status,
        "minimum_age": minimum_age,
        "maximum_age": maximum_age,
        "email": _email(record.get("email"), "E-mail", notes),
        "url": _web_address(record.get("url"), "URL", notes),
    }

    assured = record.get("assured_date")
    values["last_verified_at"] = None
    if assured:
        try:
            values["last_verified_at"] = datetime.combine(
                date.fromisoformat(str(assured)[:10]), time(12), tzinfo=UTC
            )
        except ValueError:
            notes.append(
                notice(
                    "date_dropped",
                    f"assured_date {assured!r} is not a date; left out.",
                    field="assured_date",
                    value=assured,
                )
            )
    values["languages"] = _languages(record, notes)

    phones = [p for p in record.get("phones") or [] if isinstance(p, dict)]
    values["phone"] = _text(phones[0].get("number"), 40).strip('"') if phones else ""
    contacts = [c for c in record.get("contacts") or [] if isinstance(c, dict)]
    values["contact_name"] = _text(contacts[0].get("name"), 200) if contacts else ""
    if not values["email"] and contacts:
        contact_email = _text(contacts[0].get("email"), 254)
        if contact_email and _valid(EmailValidator(), contact_email):
            values["email"] = contact_email
    schedules = [s for s in record.get("schedules") or [] if isinstance(s, dict)]
    values["hours"] = _text(schedules[0].get("description"), 300) if schedules else ""

    for code, items in attributes.items():
        allowed = ATTRIBUTE_TERMS[code][2]
        bad = [v for v in items if allowed is not None and v not in allowed]
        if bad:
            raise RowRejected(
                f"Attribute {code} has value {bad[0]!r}; expected one of {', '.join(sorted(allowed))}."
            )
    for code, model_field in MULTI_FIELDS.items():
        values[model_field] = list(dict.fromkeys(v for v in attributes.get(code, []) if v))
    bad_zips = [z for z in values["service_zip_codes"] if not (len(z) == 5 and z.isdigit())]
    if bad_zips:
        raise RowRejected(f"Service-area ZIP code {bad_zips[0]!r} is not a 5-digit US ZIP code.")
    _classify(record, attributes, values, mapping, notes)
    accepting = (attributes.get("accepting_new_clients") or [""])[0]
    values["accepting_new_clients"] = {"true": True, "false": False}.get(accepting)
    if values["accepting_new_clients"] is None:
        notes.append(
            notice(
                "accepting_unknown",
                "The record does not say whether it accepts new clients; shown as unknown.",
                field="accepting_new_clients",
                result="unknown",
            )
        )
    values["telehealth"] = (attributes.get("telehealth") or ["false"])[0] == "true"
    values["service_area_kind"] = (attributes.get("service_area") or [ServiceAreaKind.RADIUS])[0]
    radius = (attributes.get("service_radius_miles") or ["0"])[0]
    if not radius.isdigit() or int(radius) > 500:
        raise RowRejected(f"Service radius {radius!r} must be a whole number of miles up to 500.")
    values["service_radius_miles"] = int(radius)
    values["service_state"] = (attributes.get("service_state") or [""])[0].upper()[:2]

    locations = []
    for sal in record.get("service_at_locations") or []:
        if not isinstance(sal, dict) or not isinstance(sal.get("location"), dict):
            continue
        location = _normalize_location(sal["location"], notes)
        if location is not None:
            locations.append(location)

    organization = record.get("organization")
    if isinstance(organization, dict) and _text(organization.get("id"), 100):
        organization = {
            "hsds_id": _text(organization.get("id"), 100),
            "name": _text(organization.get("name"), 255) or name,
            "description": _text(organization.get("description"), 20000),
            "email": _email(organization.get("email"), "Organization e-mail", notes),
            "website": _web_address(organization.get("website"), "Organization website", notes),
            "hsds_raw": organization,
        }
    else:
        organization = None
    return Normalized(hsds_id, values, organization, locations, notes)


def _normalize_location(location: dict, notes: list[dict]) -> NormalizedLocation | None:
    hsds_id = _text(location.get("id"), 100)
    if not hsds_id:
        notes.append(
            notice("location_dropped", "A location without an id was left out.", field="location")
        )
        return None
    addresses = [a for a in location.get("addresses") or [] if isinstance(a, dict)]
    physical = [a for a in addresses if a.get("address_type") == "physical"]
    address = (physical or addresses or [{}])[0]
    postal_code = _text(address.get("postal_code"), 20)
    values = {
        "name": _text(location.get("name"), 255),
        "address_1": _text(address.get("address_1"), 255),
        "address_2": _text(address.get("address_2"), 255),
        "city": _text(address.get("city"), 120),
        "state": _text(address.get("state_province"), 60),
        "postal_code": postal_code,
        "country": _text(address.get("country"), 2).upper(),
        "latitude": None,
        "longitude": None,
        "placed_by_zip": False,
    }
    lat, lng = location.get("latitude"), location.get("longitude")
    has_coordinates = lat not in (None, "") or lng not in (None, "")
    if has_coordinates:
        try:
            lat, lng = float(lat), float(lng)
        except (TypeError, ValueError):
            lat = lng = None
        if lat is not None and -90 <= lat <= 90 and -180 <= lng <= 180:
            values["latitude"], values["longitude"] = lat, lng
        else:
            notes.append(
                notice(
                    "coordinates_out_of_range",
                    f"Location {hsds_id}: coordinates ({location.get('latitude')}, "
                    f"{location.get('longitude')}) are out of range; placed by ZIP code where known.",
                    field="coordinates",
                    value=f"{location.get('latitude')}, {location.get('longitude')}",
                )
            )
    if values["latitude"] is None:
        point = zip_lookup(postal_code[:5])
        if point is not None:
            values["latitude"], values["longitude"] = point.latitude, point.longitude
            values["placed_by_zip"] = True
            if not has_coordinates:
                notes.append(
                    notice(
                        "placed_by_zip",
                        f"Location {hsds_id} has no coordinates; placed at the centre of ZIP "
                        f"{postal_code[:5]} (distances are approximate).",
                        field="coordinates",
                        value=postal_code,
                    )
                )
        else:
            notes.append(
                notice(
                    "location_unplaced",
                    f"Location {hsds_id} has neither coordinates nor a known ZIP code "
                    f"({postal_code or 'none'}); it cannot be found by distance. Add a ZIP "
                    "code or coordinates to the source data.",
                    field="coordinates",
                    value=postal_code,
                )
            )
    return NormalizedLocation(hsds_id, values, location)


# --- writing --------------------------------------------------------------------------


def _attribute(service_id: str, code: str, value: str) -> dict:
    label = ATTRIBUTE_TERMS[code][0]
    return {
        "id": _uuid(service_id, code, value),
        "link_id": service_id,
        "link_type": "service",
        "link_entity": "service",
        "value": value,
        "taxonomy_term": {
            "id": _uuid("term", code),
            "code": code,
            "name": label,
            "description": f"Continuum directory field: {label.lower()}.",
            "taxonomy": TAXONOMY,
            "taxonomy_id": TAXONOMY_ID,
        },
    }


def listing_attributes(listing) -> list[dict]:
    sid = listing.hsds_id
    attrs = [
        _attribute(sid, "kind", listing.kind),
        _attribute(sid, "telehealth", "true" if listing.telehealth else "false"),
        _attribute(sid, "service_area", listing.service_area_kind),
    ]
    # Unknown stays unknown: no attribute rather than a "false" nobody said.
    if listing.accepting_new_clients is not None:
        attrs.append(
            _attribute(
                sid, "accepting_new_clients", "true" if listing.accepting_new_clients else "false"
            )
        )
    if listing.status == ListingStatus.UNKNOWN:
        attrs.append(_attribute(sid, "status_stated", "false"))
    if listing.service_radius_miles:
        attrs.append(_attribute(sid, "service_radius_miles", str(listing.service_radius_miles)))
    if listing.service_state:
        attrs.append(_attribute(sid, "service_state", listing.service_state))
    for code, model_field in MULTI_FIELDS.items():
        attrs += [_attribute(sid, code, v) for v in getattr(listing, model_field)]
    return attrs


def _service_areas(listing) -> list[dict]:
    kind = listing.service_area_kind
    if kind == ServiceAreaKind.ZIP_LIST and listing.service_zip_codes:
        return [
            {
                "id": _uuid(listing.hsds_id, "area"),
                "name": "ZIP codes served",
                "extent": ",".join(listing.service_zip_codes),
                "extent_type": "text",
            }
        ]
    if kind == ServiceAreaKind.STATEWIDE and listing.service_state:
        return [
            {"id": _uuid(listing.hsds_id, "area"), "name": f"Statewide: {listing.service_state}"}
        ]
    if kind == ServiceAreaKind.RADIUS and listing.service_radius_miles:
        return [
            {
                "id": _uuid(listing.hsds_id, "area"),
                "name": f"Within {listing.service_radius_miles} miles of our locations",
            }
        ]
    if kind == ServiceAreaKind.TELEHEALTH_ONLY:
        name = "Telehealth" + (f" in {listing.service_state}" if listing.service_state else "")
        return [{"id": _uuid(listing.hsds_id, "area"), "name": name}]
    return []


def _location_record(location) -> dict:
    record = copy.deepcopy(location.hsds_raw) if location.hsds_raw else {}
    record.update(
        {
            "id": location.hsds_id,
            "location_type": record.get("location_type")
            if record.get("location_type") in LOCATION_TYPES
            else "physical",
            "name": location.name or record.get("name", ""),
        }
    )
    # Coordinates we could not trust on import stay as they came, so the file round-trips.
    # A ZIP code's centre is not the place's coordinates: such a location is exported
    # without them (and placed by its ZIP again by whoever imports it).
    if location.placed_by_zip:
        if not _raw_coordinates_invalid(location.hsds_raw):
            record.pop("latitude", None)
            record.pop("longitude", None)
    elif location.latitude is not None and not _raw_coordinates_invalid(location.hsds_raw):
        record["latitude"], record["longitude"] = location.latitude, location.longitude
    addresses = [a for a in record.get("addresses") or [] if isinstance(a, dict)]
    address = (
        addresses[0]
        if addresses
        else {"id": _uuid(location.hsds_id, "address"), "address_type": "physical"}
    )
    address.setdefault("id", _uuid(location.hsds_id, "address"))
    if address.get("address_type") not in LOCATION_TYPES:
        address["address_type"] = "physical"
    address.update(
        {
            "address_1": location.address_1,
            "address_2": location.address_2,
            "city": location.city,
            "state_province": location.state,
            "postal_code": location.postal_code,
            "country": location.country or "US",
        }
    )
    record["addresses"] = [address, *addresses[1:]]
    return record


def _raw_coordinates_invalid(raw: dict) -> bool:
    try:
        lat, lng = float(raw.get("latitude")), float(raw.get("longitude"))
    except (TypeError, ValueError):
        return False
    return not (-90 <= lat <= 90 and -180 <= lng <= 180)


def service_record(listing) -> dict:
    """The HSDS 3.0 service record for a listing: the imported record (if any) with the
    directory's current values written over it."""
    record = copy.deepcopy(listing.hsds_raw) if listing.hsds_raw else {}
    record.update(
        {
            "id": listing.hsds_id,
            "name": listing.name,
            "alternate_name": listing.alternate_name,
            "description": listing.description,
            "url": listing.url,
            "email": listing.email,
            # HSDS requires a status; "not stated" travels as the status_stated attribute.
            "status": STATUS_OUT.get(listing.status, "active"),
            "minimum_age": listing.minimum_age,
            "maximum_age": listing.maximum_age,
            "assured_date": listing.last_verified_at.date().isoformat()
            if listing.last_verified_at
            else None,
        }
    )
    org = listing.directory_organization
    if org is not None:
        org_record = copy.deepcopy(org.hsds_raw) if org.hsds_raw else {}
        org_record.pop("services", None)
        org_record.update(
            {
                "id": org.hsds_id,
                "name": org.name,
                "description": org.description or "",
                "email": org.email,
                "website": org.website,
            }
        )
        record["organization"] = org_record
        record["organization_id"] = org.hsds_id
    existing_languages, unrecognised = {}, []
    for lang in record.get("languages") or []:
        if isinstance(lang, dict):
            code = languages.resolve(name=lang.get("name") or "", code=lang.get("code") or "").code
            if code:
                existing_languages.setdefault(code, lang)
            else:  # reported on import; kept so that the file round-trips
                unrecognised.append(lang)
    record["languages"] = [
        existing_languages.get(code)
        or {
            "id": _uuid(listing.hsds_id, "language", code),
            "name": languages.english_name(code),
            "code": code,
        }
        for code in listing.languages
    ] + unrecognised
    if listing.phone:
        phones = [p for p in record.get("phones") or [] if isinstance(p, dict)]
        if not phones or phones[0].get("number", "").strip('"') != listing.phone:
            phones = [
                {"id": _uuid(listing.hsds_id, "phone"), "number": listing.phone, "type": "voice"},
                *phones[1:],
            ]
        record["phones"] = phones
    if listing.hours and (record.get("schedules") or [{}])[0].get("description") != listing.hours:
        record["schedules"] = [
            {"id": _uuid(listing.hsds_id, "schedule"), "description": listing.hours}
        ]
    if listing.contact_name and not record.get("contacts"):
        record["contacts"] = [
            {
                "id": _uuid(listing.hsds_id, "contact"),
                "name": listing.contact_name,
                "email": listing.email,
            }
        ]
    if not record.get("service_areas"):
        record["service_areas"] = _service_areas(listing)
    foreign = [
        a
        for a in record.get("attributes") or []
        if isinstance(a, dict)
        and ((a.get("taxonomy_term") or {}).get("taxonomy") or "") != TAXONOMY
    ]
    record["attributes"] = foreign + listing_attributes(listing)
    raw_sals = {
        ((sal.get("location") or {}).get("id")): sal
        for sal in record.get("service_at_locations") or []
        if isinstance(sal, dict)
    }
    sals = []
    for location in listing.locations.all():
        sal = copy.deepcopy(raw_sals.get(location.hsds_id)) or {
            "id": _uuid(listing.hsds_id, "sal", location.hsds_id)
        }
        sal["location"] = _location_record(location)
        sals.append(sal)
    record["service_at_locations"] = sals
    return schema_clean(record)


LOCATION_TYPES = frozenset({"physical", "postal", "virtual"})
# Fields the HSDS 3.0 schemas type as numbers, and string fields with a format ("" is
# not an e-mail address or a URI). Tabular files carry numbers as text; null is neither.
NUMBER_FIELDS = frozenset(
    {"latitude", "longitude", "minimum_age", "maximum_age", "year_incorporated", "amount"}
    | {"extension", "timezone", "count", "interval"}
)
FORMAT_FIELDS = frozenset(
    {"url", "email", "assurer_email", "website", "uri", "schedule_link", "term_uri"}
    | {"last_modified"}
)
# Objects the schemas require fields of, by the key they appear under.
REQUIRED_TEXT = {
    "taxonomy_term": ("name", "description"),
    "organization": ("name", "description"),
    "program": ("name", "description"),
    "addresses": ("address_1", "city", "state_province", "postal_code", "country"),
}


def schema_clean(value, key: str = ""):
    """A record as the HSDS 3.0 schemas accept it: no nulls, numbers as numbers, no empty
    formatted strings, required text present. Values are otherwise as they came."""
    if isinstance(value, list):
        return [schema_clean(v, key) for v in value if v is not None]
    if not isinstance(value, dict):
        return value
    out = {}
    for k, v in value.items():
        if v is None:
            continue
        if k in NUMBER_FIELDS and (isinstance(v, bool) or not isinstance(v, int | float)):
            try:
                v = float(str(v).strip())
            except ValueError:
                continue
            if v.is_integer() and k not in {"latitude", "longitude"}:
                v = int(v)
        if k in FORMAT_FIELDS and isinstance(v, str) and not v.strip():
            continue
        out[k] = schema_clean(v, k)
    for field_name in REQUIRED_TEXT.get(key, ()):
        if not isinstance(out.get(field_name), str):
            out[field_name] = str(out.get(field_name) or "")
    return out


# --- the tabular package --------------------------------------------------------------

CSV_COLUMNS = {
    "organizations.csv": [
        "id",
        "name",
        "alternate_name",
        "description",
        "email",
        "website",
        "tax_status",
        "tax_id",
        "year_incorporated",
        "legal_status",
        "logo",
        "uri",
        "parent_organization_id",
    ],
    "services.csv": [
        "id",
        "organization_id",
        "program_id",
        "name",
        "alternate_name",
        "description",
        "url",
        "email",
        "status",
        "interpretation_services",
        "application_process",
        "fees_description",
        "wait_time",
        "fees",
        "accreditations",
        "eligibility_description",
        "minimum_age",
        "maximum_age",
        "assured_date",
        "assurer_email",
        "licenses",
        "alert",
        "last_modified",
    ],
    "locations.csv": [
        "id",
        "location_type",
        "url",
        "organization_id",
        "name",
        "alternate_name",
        "description",
        "transportation",
        "latitude",
        "longitude",
        "external_identifier",
        "external_identifier_type",
    ],
    "addresses.csv": [
        "id",
        "location_id",
        "attention",
        "address_1",
        "address_2",
        "city",
        "region",
        "state_province",
        "postal_code",
        "country",
        "address_type",
    ],
    "service_at_location.csv": ["id", "service_id", "location_id", "description"],
    "phones.csv": [
        "id",
        "location_id",
        "service_id",
        "organization_id",
        "contact_id",
        "service_at_location_id",
        "number",
        "extension",
        "type",
        "description",
    ],
    "languages.csv": ["id", "service_id", "location_id", "phone_id", "name", "code", "note"],
    "schedules.csv": [
        "id",
        "service_id",
        "location_id",
        "service_at_location_id",
        "valid_from",
        "valid_to",
        "dtstart",
        "timezone",
        "until",
        "count",
        "wkst",
        "freq",
        "interval",
        "byday",
        "byweekno",
        "bymonthday",
        "byyearday",
        "description",
        "opens_at",
        "closes_at",
        "schedule_link",
        "attending_type",
        "notes",
    ],
    "service_areas.csv": [
        "id",
        "service_id",
        "name",
        "description",
        "extent",
        "extent_type",
        "uri",
    ],
    "contacts.csv": [
        "id",
        "organization_id",
        "service_id",
        "service_at_location_id",
        "location_id",
        "name",
        "title",
        "department",
        "email",
    ],
    "cost_options.csv": [
        "id",
        "service_id",
        "valid_from",
        "valid_to",
        "option",
        "currency",
        "amount",
        "amount_description",
    ],
    "attributes.csv": ["id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value"],
    "taxonomy_terms.csv": [
        "id",
        "code",
        "name",
        "description",
        "parent_id",
        "taxonomy",
        "language",
        "taxonomy_id",
        "term_uri",
    ],
}


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def csv_package(records: list[dict]) -> bytes:
    """A zip of the HSDS tabular CSV files for these service records."""
    rows: dict[str, dict[str, dict]] = {name: {} for name in CSV_COLUMNS}

    def put(table: str, row: dict) -> None:
        if row.get("id"):
            rows[table][row["id"]] = row

    for record in records:
        sid = record["id"]
        org = record.get("organization")
        if isinstance(org, dict):
            put("organizations.csv", org)
        put("services.csv", record)
        for name in SERVICE_SIDE_TABLES:
            for item in record.get(name) or []:
                if isinstance(item, dict):
                    put(f"{name}.csv", {**item, "service_id": sid})
        for attr in record.get("attributes") or []:
            term = attr.get("taxonomy_term") or {}
            put(
                "attributes.csv",
                {
                    **attr,
                    "link_id": attr.get("link_id") or sid,
                    "taxonomy_term_id": term.get("id", ""),
                },
            )
            if term:
                put("taxonomy_terms.csv", term)
        for sal in record.get("service_at_locations") or []:
            location = sal.get("location") or {}
            put(
                "service_at_location.csv",
                {**sal, "service_id": sid, "location_id": location.get("id", "")},
            )
            put("locations.csv", location)
            for address in location.get("addresses") or []:
                put("addresses.csv", {**address, "location_id": location.get("id", "")})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table, columns in CSV_COLUMNS.items():
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\n")
            writer.writerow(columns)
            for row in rows[table].values():
                writer.writerow([_cell(row.get(c)) for c in columns])
            archive.writestr(table, text.getvalue())
    return buffer.getvalue()
