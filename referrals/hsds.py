"""Open Referral HSDS 3.0: reading and writing services, as JSON records and as the
tabular CSV package. Pure functions over dicts: no database access here.

Reading produces `ParsedService(row, record)` items (the nested HSDS service record and
where it came from); `normalize` turns one into the directory's fields or raises
`RowRejected` with the reason. Fields HSDS has no column for (kind, credentials,
specialties, payment, populations, service area ...) travel as attributes under the
`continuum` taxonomy."""

import copy
import csv
import io
import json
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext_lazy as _

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
LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "ht": "Haitian Creole",
    "pt": "Portuguese",
    "ru": "Russian",
    "zh": "Chinese",
    "vi": "Vietnamese",
    "ko": "Korean",
    "ar": "Arabic",
    "ur": "Urdu",
    "pl": "Polish",
    "asl": "American Sign Language",
}
LANGUAGE_CODES = {name.casefold(): code for code, name in LANGUAGE_NAMES.items()}
# The same languages as families read them; the HSDS files keep the English names above.
LANGUAGE_LABELS = {
    "en": _("English"),
    "es": _("Spanish"),
    "fr": _("French"),
    "ht": _("Haitian Creole"),
    "pt": _("Portuguese"),
    "ru": _("Russian"),
    "zh": _("Chinese"),
    "vi": _("Vietnamese"),
    "ko": _("Korean"),
    "ar": _("Arabic"),
    "ur": _("Urdu"),
    "pl": _("Polish"),
    "asl": _("American Sign Language"),
}


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


# --- reading JSON ---------------------------------------------------------------------


def parse_json(payload: bytes) -> Parsed:
    parsed = Parsed()
    try:
        data = json.loads(payload.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        parsed.errors.append({"row": "file", "id": "", "reason": f"Not valid JSON: {exc}"})
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


def _read_tables(payload: bytes) -> dict[str, list[dict]]:
    tables: dict[str, list[dict]] = {}
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        for info in archive.infolist():
            name = info.filename.rsplit("/", 1)[-1]
            if not name.endswith(".csv") or info.is_dir():
                continue
            text = archive.read(info).decode("utf-8-sig")
            tables[name] = list(csv.DictReader(io.StringIO(text)))
    return tables


def _clean(row: dict) -> dict:
    return {k: v for k, v in row.items() if k and v not in (None, "")}


def parse_csv_package(payload: bytes) -> Parsed:
    parsed = Parsed()
    try:
        tables = _read_tables(payload)
    except (zipfile.BadZipFile, UnicodeDecodeError, csv.Error) as exc:
        parsed.errors.append(
            {"row": "file", "id": "", "reason": f"Not a zip of HSDS CSV files: {exc}"}
        )
        return parsed
    if "services.csv" not in tables:
        parsed.errors.append({"row": "file", "id": "", "reason": "services.csv is missing."})
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
    side = {
        name: by(f"{name}.csv", "service_id")
        for name in (
            "phones",
            "languages",
            "schedules",
            "service_areas",
            "contacts",
            "cost_options",
        )
    }
    sal_rows = by("service_at_location.csv", "service_id")
    attributes = by("attributes.csv", "link_id")

    for table, index in [
        *[(f"{n}.csv", i) for n, i in side.items()],
        ("service_at_location.csv", sal_rows),
    ]:
        for service_id in sorted(set(index) - service_ids):
            parsed.warnings.append(
                {
                    "row": table,
                    "id": service_id,
                    "reason": "Refers to a service not in services.csv; skipped.",
                }
            )
    for link_id in sorted(set(attributes) - service_ids):
        parsed.warnings.append(
            {
                "row": "attributes.csv",
                "id": link_id,
                "reason": "Linked to a record that is not a service in this file; skipped.",
            }
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


def normalize(record: dict) -> Normalized:
    """The directory's fields for one HSDS service record, or RowRejected."""
    warnings: list[str] = []
    hsds_id = _text(record.get("id"), 100)
    if not hsds_id:
        raise RowRejected("The service has no id.")
    name = _text(record.get("name"), 255)
    if not name:
        raise RowRejected("The service has no name.")
    raw_status = _text(record.get("status"), 40).casefold() or "active"
    if raw_status not in STATUS_IN:
        raise RowRejected(
            f"Status {record.get('status')!r} is not one of active, inactive, defunct, temporarily closed."
        )
    minimum_age, maximum_age = _age(record, "minimum_age"), _age(record, "maximum_age")
    if minimum_age is not None and maximum_age is not None and minimum_age > maximum_age:
        raise RowRejected(f"minimum_age {minimum_age} is above maximum_age {maximum_age}.")

    values: dict = {
        "name": name,
        "alternate_name": _text(record.get("alternate_name"), 255),
        "description": _text(record.get("description"), 20000),
        "status": STATUS_IN[raw_status],
        "minimum_age": minimum_age,
        "maximum_age": maximum_age,
    }
    email = _text(record.get("email"), 254)
    if email and not _valid(EmailValidator(), email):
        warnings.append(f"E-mail {email!r} is not valid; left out.")
        email = ""
    values["email"] = email
    url = _text(record.get("url"), 500)
    if url and not _valid(URLValidator(), url):
        warnings.append(f"URL {url!r} is not valid; left out.")
        url = ""
    values["url"] = url

    assured = record.get("assured_date")
    values["last_verified_at"] = None
    if assured:
        try:
            values["last_verified_at"] = datetime.combine(
                date.fromisoformat(str(assured)[:10]), time(12), tzinfo=UTC
            )
        except ValueError:
            warnings.append(f"assured_date {assured!r} is not a date; left out.")

    languages = []
    for lang in record.get("languages") or []:
        if isinstance(lang, dict):
            code = _text(lang.get("code"), 16).casefold() or LANGUAGE_CODES.get(
                _text(lang.get("name"), 60).casefold(), ""
            )
            if code and code not in languages:
                languages.append(code)
    values["languages"] = languages

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

    attributes = _attribute_values(record)
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
    values["kind"] = (attributes.get("kind") or [Kind.OTHER])[0]
    values["accepting_new_clients"] = (attributes.get("accepting_new_clients") or ["true"])[
        0
    ] == "true"
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
        location = _normalize_location(sal["location"], warnings)
        if location is not None:
            locations.append(location)

    organization = record.get("organization")
    if isinstance(organization, dict) and _text(organization.get("id"), 100):
        org_email = _text(organization.get("email"), 254)
        org_site = _text(organization.get("website"), 500)
        organization = {
            "hsds_id": _text(organization.get("id"), 100),
            "name": _text(organization.get("name"), 255) or name,
            "description": _text(organization.get("description"), 20000),
            "email": org_email if _valid(EmailValidator(), org_email) else "",
            "website": org_site if _valid(URLValidator(), org_site) else "",
            "hsds_raw": organization,
        }
    else:
        organization = None
    return Normalized(hsds_id, values, organization, locations, warnings)


def _normalize_location(location: dict, warnings: list[str]) -> NormalizedLocation | None:
    hsds_id = _text(location.get("id"), 100)
    if not hsds_id:
        warnings.append("A location without an id was left out.")
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
    }
    lat, lng = location.get("latitude"), location.get("longitude")
    if lat not in (None, "") or lng not in (None, ""):
        try:
            lat, lng = float(lat), float(lng)
        except (TypeError, ValueError):
            lat = lng = None
        if lat is not None and -90 <= lat <= 90 and -180 <= lng <= 180:
            values["latitude"], values["longitude"] = lat, lng
        else:
            warnings.append(
                f"Location {hsds_id}: coordinates ({location.get('latitude')}, "
                f"{location.get('longitude')}) are out of range; placed by ZIP code where known."
            )
    if values["latitude"] is None:
        point = zip_lookup(postal_code)
        if point is not None:
            values["latitude"], values["longitude"] = point.latitude, point.longitude
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
            "taxonomy": TAXONOMY,
            "taxonomy_id": TAXONOMY_ID,
        },
    }


def listing_attributes(listing) -> list[dict]:
    sid = listing.hsds_id
    attrs = [
        _attribute(sid, "kind", listing.kind),
        _attribute(
            sid, "accepting_new_clients", "true" if listing.accepting_new_clients else "false"
        ),
        _attribute(sid, "telehealth", "true" if listing.telehealth else "false"),
        _attribute(sid, "service_area", listing.service_area_kind),
    ]
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
            "location_type": record.get("location_type") or "physical",
            "name": location.name or record.get("name", ""),
        }
    )
    # Coordinates we could not trust on import stay as they came, so the file round-trips.
    if location.latitude is not None and not _raw_coordinates_invalid(location.hsds_raw):
        record["latitude"], record["longitude"] = location.latitude, location.longitude
    addresses = [a for a in record.get("addresses") or [] if isinstance(a, dict)]
    address = (
        addresses[0]
        if addresses
        else {"id": _uuid(location.hsds_id, "address"), "address_type": "physical"}
    )
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
                "description": org.description,
                "email": org.email,
                "website": org.website,
            }
        )
        record["organization"] = org_record
        record["organization_id"] = org.hsds_id
    existing_languages = {
        (lang.get("code") or "").casefold(): lang
        for lang in record.get("languages") or []
        if isinstance(lang, dict)
    }
    record["languages"] = [
        existing_languages.get(code)
        or {
            "id": _uuid(listing.hsds_id, "language", code),
            "name": LANGUAGE_NAMES.get(code, code),
            "code": code,
        }
        for code in listing.languages
    ]
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
    return record


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
        for name in (
            "phones",
            "languages",
            "schedules",
            "service_areas",
            "contacts",
            "cost_options",
        ):
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
