"""Every change to the directory and to referrals: one function per use case."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, transaction
from django.db.models import Case, F, Func, OuterRef, QuerySet, Subquery, TextField, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from continuum.audit.services import audit_record
from continuum.consent.models import InformationCategory, Purpose, RecipientKind
from continuum.consent.services import consent_require, disclosure_record

from . import hsds, selectors, taxonomy
from .models import (
    ALLOWED_TRANSITIONS,
    STALE_AFTER_DAYS,
    DirectoryOrganization,
    ImportFormat,
    ImportJob,
    ImportStatus,
    Kind,
    Listing,
    ListingLocation,
    MappingField,
    Payment,
    Population,
    ProviderAction,
    ProviderResponse,
    Referral,
    ReferralSource,
    ReferralStatus,
    ReferralStatusChange,
    ServiceAreaKind,
    TaxonomyMapping,
)

SYSTEM_ACTOR = "system"
LINK_SALT = "referrals.provider-response"
LINK_MAX_AGE = getattr(settings, "REFERRAL_LINK_MAX_AGE", 14 * 24 * 3600)
PROVIDER_LABEL = "Receiving provider (response link)"
PROGRESS_BATCH = 25
# Large enough for the directory's own export of a big directory (the JSON of 10,000
# listings is about 50 MB); what a zip may unpack to is limited separately (hsds.py).
MAX_IMPORT_BYTES = getattr(settings, "DIRECTORY_IMPORT_MAX_BYTES", 256 * 1024 * 1024)
IMPORT_FORMATS = {".json": ImportFormat.JSON, ".zip": ImportFormat.CSV, ".csv": ImportFormat.SHEET}


class ArrayToString(Func):
    function = "ARRAY_TO_STRING"
    output_field = TextField()


class Unaccent(Func):
    """Lower case without Spanish and French accents, with built-in functions only (the
    unaccent extension is not on every PostgreSQL the application may run on)."""

    template = f"translate(lower(%(expressions)s), '{selectors.ACCENTED}', '{selectors.PLAIN}')"
    output_field = TextField()


# --- listings -------------------------------------------------------------------------


def _search_vector():
    """English stems of every text field, and Spanish stems of the name and description
    without accents, so that "desintoxicacion" finds "Desintoxicación" (the query is read
    both ways too: selectors.text_query)."""

    def arr(name):
        return Coalesce(ArrayToString(name, Value(" ")), Value(""), output_field=TextField())

    return (
        SearchVector("name", weight="A", config="english")
        + SearchVector("alternate_name", weight="A", config="english")
        + SearchVector(arr("specialties"), weight="B", config="english")
        + SearchVector(arr("credentials"), weight="B", config="english")
        + SearchVector("description", weight="C", config="english")
        + SearchVector(Unaccent("name"), weight="A", config="spanish")
        + SearchVector(Unaccent("description"), weight="C", config="spanish")
    )


def listing_refresh_search(*, listing_ids) -> int:
    """Recompute what search reads of these listings: the stored full-text vector, and
    the kind and service radius copied onto their locations (one UPDATE each). A queryset
    of ids stays a subquery, so a bulk load does not pull every id into Python."""
    ids = listing_ids if isinstance(listing_ids, QuerySet) else list(listing_ids)
    listing = Listing.objects.filter(pk=OuterRef("listing_id"))
    reach = Case(
        When(service_area_kind=ServiceAreaKind.RADIUS, then=F("service_radius_miles")),
        default=Value(0),
    )
    ListingLocation.objects.filter(listing__in=ids).update(
        listing_kind=Subquery(listing.values("kind")[:1]),
        listing_reach_miles=Subquery(listing.annotate(reach=reach).values("reach")[:1]),
    )
    return Listing.objects.filter(pk__in=ids).update(search_vector=_search_vector())


LISTING_FIELDS = (
    "name",
    "alternate_name",
    "kind",
    "description",
    "credentials",
    "specialties",
    "levels_of_care",
    "languages",
    "payment_options",
    "insurers",
    "populations",
    "minimum_age",
    "maximum_age",
    "accepting_new_clients",
    "telehealth",
    "service_area_kind",
    "service_radius_miles",
    "service_zip_codes",
    "service_state",
    "contact_name",
    "email",
    "phone",
    "url",
    "hours",
    "status",
)


def _geocode_location(values: dict) -> dict:
    from .geo import zip_lookup

    if values.get("latitude") is None and values.get("postal_code"):
        point = zip_lookup(values["postal_code"])
        if point is None:
            raise ValidationError({"postal_code": "This ZIP code is not a known US ZIP code."})
        values = {
            **values,
            "latitude": point.latitude,
            "longitude": point.longitude,
            "placed_by_zip": True,
        }
        if not values.get("state"):
            values["state"] = point.state
    values.setdefault("placed_by_zip", False)
    return values


@transaction.atomic
def listing_save(
    *, actor, organization, listing: Listing | None = None, location: dict, **values
) -> Listing:
    """Create or update a listing and its main location; saving it verifies it."""
    unknown = set(values) - set(LISTING_FIELDS)
    if unknown:
        raise ValueError(f"Not listing fields: {', '.join(sorted(unknown))}")
    location = _geocode_location(location)
    now = timezone.now()
    created = listing is None
    if created:
        listing = Listing(organization=organization, hsds_id=str(secrets.token_hex(8)))
        listing.hsds_id = str(listing.public_id)
    for name, value in values.items():
        setattr(listing, name, value)
    listing.last_verified_at, listing.last_verified_by, listing.updated_at = now, actor, now
    listing.full_clean(exclude=["search_vector", "hsds_raw", "directory_organization"])
    listing.save()
    main = listing.locations.first() if not created else None
    if main is None:
        main = ListingLocation(
            organization=organization, listing=listing, hsds_id=str(listing.public_id)
        )
    for name, value in location.items():
        setattr(main, name, value)
    main.full_clean(exclude=["hsds_raw", "listing"])
    main.save()
    listing_refresh_search(listing_ids=[listing.pk])
    audit_record(
        actor=actor,
        organization=organization,
        action="listing.created" if created else "listing.updated",
        obj=listing,
        detail={"fields": sorted(values)},
    )
    return listing


@transaction.atomic
def listing_verify(*, actor, listing: Listing) -> Listing:
    listing.last_verified_at, listing.last_verified_by = timezone.now(), actor
    listing.save(update_fields=["last_verified_at", "last_verified_by"])
    audit_record(
        actor=actor, organization=listing.organization, action="listing.verified", obj=listing
    )
    return listing


# --- HSDS import ----------------------------------------------------------------------


def import_format(filename: str) -> str:
    lower = filename.lower()
    for ending, fmt in IMPORT_FORMATS.items():
        if lower.endswith(ending):
            return fmt
    raise ValidationError(
        {
            "file": f"{filename} is not a file the directory reads. Upload HSDS JSON (.json), "
            "the HSDS tabular package (.zip), or the spreadsheet template (.csv)."
        }
    )


@transaction.atomic
def import_job_create(
    *, actor, organization, filename: str, payload: bytes, enqueue: bool = True
) -> ImportJob:
    """An import of an uploaded file, from the page, the API or the command alike; the
    worker runs it (import_job_run), or the caller does (`enqueue=False`: the command,
    which shows its own progress)."""
    if not payload:
        raise ValidationError({"file": f"{filename} is empty. Choose the file again."})
    if len(payload) > MAX_IMPORT_BYTES:
        raise ValidationError(
            {
                "file": f"{filename} is {len(payload) // 2**20} MB; the limit is "
                f"{MAX_IMPORT_BYTES // 2**20} MB. Split the directory into several files."
            }
        )
    fmt = import_format(filename)
    job = ImportJob.objects.create(
        organization=organization,
        created_by=actor,
        filename=filename[:255],
        format=fmt,
        payload=payload,
    )
    audit_record(actor=actor, organization=organization, action="import_job.created", obj=job)
    if not enqueue:
        return job
    from .tasks import import_job_run_task

    transaction.on_commit(
        lambda: import_job_run_task.delay(organization_id=organization.pk, job_id=job.pk)
    )
    return job


class _Progress:
    """Writes the job's progress through a connection of its own, so the counts are
    visible while the data transaction is still open (and lost with nothing else)."""

    def __init__(self, job: ImportJob, on_progress=None):
        self.job_id, self.total = job.pk, job.total
        self.connection = connections.create_connection("default")
        self.on_progress = on_progress

    def write(self, processed: int) -> None:
        if self.on_progress is not None:
            self.on_progress(processed, self.total)
        table = ImportJob._meta.db_table
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET processed = %s WHERE id = %s",  # noqa: S608 - table name from the model
                [processed, self.job_id],
            )

    def close(self) -> None:
        self.connection.close()


def _finish(job: ImportJob, **fields) -> ImportJob:
    for name, value in fields.items():
        setattr(job, name, value)
    job.finished_at = timezone.now()
    job.save(update_fields=[*fields, "finished_at"])
    return job


def import_job_run(*, job_id: int, on_progress=None) -> ImportJob:
    """Validate every record, then write them all in one transaction, or none.

    Re-running a finished job does nothing; re-importing a file updates listings by
    their HSDS id."""
    job = ImportJob.objects.get(pk=job_id)
    if job.is_finished:
        return job
    parsed = hsds.parse(bytes(job.payload), job.format, job.filename)
    errors, warnings = list(parsed.errors), list(parsed.warnings)
    normalized = []
    seen: dict[str, str] = {}
    mapping = selectors.taxonomy_mapping_rules(organization=job.organization)
    organization_notes: set[tuple] = set()
    for item in parsed.services:
        try:
            result = hsds.normalize(item.record, mapping)
        except hsds.RowRejected as exc:
            errors.append(
                {"row": item.row, "id": str(item.record.get("id", "")), "reason": str(exc)}
            )
            continue
        if result.hsds_id in seen:
            errors.append(
                {
                    "row": item.row,
                    "id": result.hsds_id,
                    "reason": f"Same id as {seen[result.hsds_id]}.",
                }
            )
            continue
        seen[result.hsds_id] = item.row
        for note in result.warnings:
            # An organization's values come with each of its services: report them once.
            if note["field"].startswith("Organization"):
                key = (note["kind"], note["field"], note["value"])
                if key in organization_notes:
                    continue
                organization_notes.add(key)
            warnings.append({"row": item.row, "id": result.hsds_id, **note})
        normalized.append((item, result))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, total=len(normalized))
    job.refresh_from_db()
    if errors:
        return _finish(job, status=ImportStatus.FAILED, errors=errors, warnings=warnings)
    progress = _Progress(job, on_progress)
    try:
        with transaction.atomic():
            created, updated = _import_write(job, normalized, progress)
            job.errors, job.warnings = [], warnings
            _finish(
                job,
                status=ImportStatus.SUCCEEDED,
                processed=len(normalized),
                created_count=created,
                updated_count=updated,
                errors=[],
                warnings=warnings,
            )
            audit_record(
                actor=None,
                actor_email=SYSTEM_ACTOR,
                organization=job.organization,
                action="import_job.succeeded",
                obj=job,
                detail={"created": created, "updated": updated},
            )
    except (IntegrityError, ValidationError, ValueError) as exc:
        return _finish(
            job,
            status=ImportStatus.FAILED,
            errors=[{"row": "file", "id": "", "reason": f"Nothing was imported: {exc}"}],
            warnings=warnings,
        )
    finally:
        progress.close()
    return job


def _import_write(job: ImportJob, normalized, progress: _Progress) -> tuple[int, int]:
    organization = job.organization
    created = updated = 0
    touched = []
    orgs: dict[str, DirectoryOrganization] = {}
    for index, (item, result) in enumerate(normalized, start=1):
        directory_org = None
        if result.organization is not None:
            key = result.organization["hsds_id"]
            if key not in orgs:
                orgs[key], _ = DirectoryOrganization.objects.update_or_create(
                    organization=organization,
                    hsds_id=key,
                    defaults={k: v for k, v in result.organization.items() if k != "hsds_id"},
                )
            directory_org = orgs[key]
        raw = {k: v for k, v in item.record.items() if k != "organization"}
        listing, was_created = Listing.objects.update_or_create(
            organization=organization,
            hsds_id=result.hsds_id,
            defaults={
                **result.values,
                "directory_organization": directory_org,
                "hsds_raw": raw,
                "updated_at": timezone.now(),
            },
        )
        created += was_created
        updated += not was_created
        keep = []
        for location in result.locations:
            ListingLocation.objects.update_or_create(
                organization=organization,
                listing=listing,
                hsds_id=location.hsds_id,
                defaults={**location.values, "hsds_raw": location.raw},
            )
            keep.append(location.hsds_id)
        listing.locations.exclude(hsds_id__in=keep).delete()
        touched.append(listing.pk)
        if index % PROGRESS_BATCH == 0:
            progress.write(index)
    listing_refresh_search(listing_ids=touched)
    return created, updated


# --- taxonomy mapping and re-classifying ----------------------------------------------

MAPPING_VALUES = {
    MappingField.KIND: Kind,
    MappingField.PAYMENT: Payment,
    MappingField.POPULATION: Population,
}


@transaction.atomic
def taxonomy_mapping_add(
    *, actor, organization, term: str, field: str, value: str
) -> TaxonomyMapping:
    """The organization reads a taxonomy term (code or name) as a kind, payment or
    population; used by every later import and by re-classifying."""
    term = " ".join((term or "").split())[:120]
    errors = {}
    if not term:
        errors["term"] = "Give the term's code (RX-8450.1000) or its name (Detox)."
    if field not in MAPPING_VALUES:
        errors["field"] = "Choose one of: " + ", ".join(MappingField.values) + "."
    elif value not in MAPPING_VALUES[field].values:
        errors["value"] = f"For {field}, choose one of: " + ", ".join(MAPPING_VALUES[field].values)
    if errors:
        raise ValidationError(errors)
    mapping, created = TaxonomyMapping.objects.get_or_create(
        organization=organization,
        term_key=taxonomy.term_key(term),
        field=field,
        value=value,
        defaults={"term": term, "created_by": actor},
    )
    if created:
        audit_record(
            actor=actor,
            organization=organization,
            action="taxonomy_mapping.created",
            obj=mapping,
            detail={"term": term, "field": field, "value": value},
        )
    return mapping


@transaction.atomic
def taxonomy_mapping_delete(*, actor, mapping: TaxonomyMapping) -> None:
    audit_record(
        actor=actor,
        organization=mapping.organization,
        action="taxonomy_mapping.deleted",
        obj=mapping,
        detail={"term": mapping.term, "field": mapping.field, "value": mapping.value},
    )
    mapping.delete()


@transaction.atomic
def listing_reclassify(*, actor, organization, only_other: bool = True) -> dict:
    """Read the kind, payment and population of imported listings again from their HSDS
    records, with the shipped rules and the organization's mapping as they are now.

    Listings whose record states the directory's own kind keep it, and so do listings a
    person has saved or verified since (what staff set is not overwritten)."""
    rules = selectors.taxonomy_mapping_rules(organization=organization)
    qs = (
        Listing.objects.filter(organization=organization, last_verified_by__isnull=True)
        .exclude(hsds_raw={})
        .order_by("pk")
    )
    if only_other:
        qs = qs.filter(kind=Kind.OTHER)
    examined, changed, by_kind = 0, [], {}
    for listing in qs.iterator(chunk_size=500):
        examined += 1
        stated = hsds._attribute_values(listing.hsds_raw)
        found = taxonomy.classify(listing.hsds_raw, rules)
        fields = []
        if (
            "kind" not in stated
            and found["kind"] is not None
            and found["kind"].value != listing.kind
        ):
            listing.kind = found["kind"].value
            by_kind[listing.kind] = by_kind.get(listing.kind, 0) + 1
            fields.append("kind")
        for code, model_field in (("payment", "payment_options"), ("population", "populations")):
            current = list(getattr(listing, model_field))
            new = [h.value for h in found[code] if h.value not in current]
            if code not in stated and new:
                setattr(listing, model_field, current + new)
                fields.append(model_field)
        if fields:
            listing.updated_at = timezone.now()
            listing.save(update_fields=[*fields, "updated_at"])
            changed.append(listing.pk)
    if changed:
        listing_refresh_search(listing_ids=changed)
    result = {"examined": examined, "changed": len(changed), "by_kind": by_kind}
    audit_record(
        actor=actor,
        organization=organization,
        action="directory.reclassified",
        detail={**result, "only_other": only_other},
    )
    return result


# --- referrals ------------------------------------------------------------------------


def _change(
    referral: Referral, *, to_status: str, actor=None, label: str = "", reason: str = ""
) -> None:
    from_status = referral.status
    now = timezone.now()
    referral.status, referral.status_changed_at = to_status, now
    fields = ["status", "status_changed_at"]
    if to_status == ReferralStatus.ACCEPTED and referral.accepted_at is None:
        referral.accepted_at = now
        fields.append("accepted_at")
    if to_status == ReferralStatus.COMPLETED:
        referral.completed_at = now
        fields.append("completed_at")
    if referral.pk:
        referral.save(update_fields=fields)
    ReferralStatusChange.objects.create(
        organization_id=referral.organization_id,
        referral=referral,
        from_status=from_status if from_status != to_status else "",
        to_status=to_status,
        reason=reason,
        changed_by=actor if getattr(actor, "is_authenticated", False) else None,
        changed_by_label=label,
    )


def _client_id(referral: Referral):
    return referral.client.public_id if referral.client_id else None


@transaction.atomic
def referral_request_family(
    *,
    organization,
    listing: Listing,
    requester_name: str,
    requester_email: str = "",
    requester_phone: str = "",
    requester_zip: str = "",
    note: str = "",
    actor=None,
) -> Referral:
    """A family member asks to be put in touch with a listing. Staff review it before
    anything is sent, so it starts as a draft."""
    errors = {}
    if not requester_name.strip():
        errors["requester_name"] = _("Tell us your name.")
    if not requester_email.strip() and not requester_phone.strip():
        errors["requester_email"] = _(
            "Give an e-mail address or a phone number so we can reach you."
        )
    if errors:
        raise ValidationError(errors)
    referral = Referral(
        organization=organization,
        listing=listing,
        source=ReferralSource.FAMILY,
        status=ReferralStatus.DRAFT,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        requester_name=requester_name.strip()[:200],
        requester_email=requester_email.strip(),
        requester_phone=requester_phone.strip()[:40],
        requester_zip=requester_zip.strip()[:10],
        note=note.strip(),
    )
    referral.full_clean(exclude=["client", "consent", "listing"])
    referral.save()
    _change(
        referral,
        to_status=ReferralStatus.DRAFT,
        actor=actor,
        label="" if actor else "Family request",
    )
    audit_record(
        actor=actor,
        actor_email="" if getattr(actor, "is_authenticated", False) else "public",
        organization=organization,
        action="referral.requested_by_family",
        obj=referral,
    )
    from .tasks import referral_alert_staff_task

    transaction.on_commit(
        lambda: referral_alert_staff_task.delay(
            organization_id=organization.pk, referral_id=referral.pk
        )
    )
    return referral


@transaction.atomic
def referral_create(
    *,
    actor,
    organization,
    client,
    listing: Listing,
    note: str = "",
    includes_client_information: bool = True,
    send: bool = True,
) -> Referral:
    """Staff refer a client to a listing. Sending it passes the consent gate."""
    if client is None and note.strip():
        raise ValidationError(
            {
                "note": "A referral that names no client goes without a note: the provider "
                "would read it with no consent behind it. Choose the client to refer, or "
                "leave the note empty."
            }
        )
    referral = Referral.objects.create(
        organization=organization,
        listing=listing,
        client=client,
        source=ReferralSource.STAFF,
        created_by=actor,
        note=note.strip(),
        includes_client_information=includes_client_information,
    )
    _change(referral, to_status=ReferralStatus.DRAFT, actor=actor)
    audit_record(
        actor=actor,
        organization=organization,
        action="referral.created",
        obj=referral,
        client_id=client.public_id if client else None,
    )
    if send:
        referral = referral_send(actor=actor, referral=referral)
    return referral


def _packet_description(referral: Referral) -> str:
    parts = ["that the client is referred"]
    if referral.includes_client_information:
        parts.append("name and contact details")
    if referral.note:
        parts.append("the referral note")
    return f"Referral packet to {referral.listing.name}: {', '.join(parts)}."


def referral_packet_information(referral: Referral) -> list[str]:
    """The consent categories a referral about a client discloses. The referral itself
    tells the provider that this person is being referred for care, and the free-text
    note can say anything about them, so both need consent whatever boxes are ticked."""
    categories = [InformationCategory.APPOINTMENTS]
    if referral.includes_client_information:
        categories.append(InformationCategory.CONTACT)
    return categories


@transaction.atomic
def referral_send(*, actor, referral: Referral) -> Referral:
    """Send the referral to the listing's contact. A referral about a client is a
    disclosure to someone outside the organization: it needs a consent naming the
    listing, and it is accounted with the 42 CFR 2.32 notice. A referral that names no
    client (a family's request) goes without its free-text note."""
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("listing", "client")
        .get(pk=referral.pk)
    )
    if referral.status != ReferralStatus.DRAFT:
        raise ValidationError({"status": "Only a draft referral can be sent."})
    if not referral.listing.email:
        raise ValidationError(
            {"listing": f"{referral.listing.name} has no e-mail address to send the referral to."}
        )
    if referral.client_id:
        consent = consent_require(
            organization=referral.organization,
            client=referral.client,
            recipient_kind=RecipientKind.NAMED_ORGANIZATION,
            recipient_name=referral.listing.name,
            purpose=Purpose.CARE_COORDINATION,
            information=referral_packet_information(referral),
        )
        disclosure_record(
            actor=actor,
            consent=consent,
            recipient=referral.listing.name,
            description=_packet_description(referral),
            purpose=Purpose.CARE_COORDINATION,
        )
        referral.consent = consent
    referral.sent_at = timezone.now()
    referral.link_nonce = secrets.token_hex(8)
    referral.save(update_fields=["consent", "sent_at", "link_nonce"])
    _change(referral, to_status=ReferralStatus.REQUESTED, actor=actor)
    audit_record(
        actor=actor,
        organization=referral.organization,
        action="referral.sent",
        obj=referral,
        client_id=_client_id(referral),
    )
    from .tasks import referral_email_task

    transaction.on_commit(
        lambda: referral_email_task.delay(
            organization_id=referral.organization_id, referral_id=referral.pk
        )
    )
    return referral


@transaction.atomic
def referral_set_status(
    *, actor, referral: Referral, to_status: str, reason: str = "", label: str = ""
) -> Referral:
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("client")
        .get(pk=referral.pk)
    )
    if to_status not in ReferralStatus.values:
        raise ValidationError({"to_status": "Choose a status."})
    if to_status == ReferralStatus.REQUESTED and referral.status == ReferralStatus.DRAFT:
        return referral_send(actor=actor, referral=referral)
    if to_status not in ALLOWED_TRANSITIONS.get(referral.status, ()):
        raise ValidationError(
            {
                "to_status": f"A {referral.status_label().lower()} referral cannot become "
                f"{ReferralStatus(to_status).label.lower()}."
            }
        )
    if (
        to_status
        in {
            ReferralStatus.REJECTED,
            ReferralStatus.CANCELLED,
            ReferralStatus.FAILED,
            ReferralStatus.ON_HOLD,
        }
        and not reason.strip()
    ):
        raise ValidationError({"reason": "Give a reason for this change."})
    _change(referral, to_status=to_status, actor=actor, label=label, reason=reason.strip())
    audit_record(
        actor=actor,
        actor_email=""
        if getattr(actor, "is_authenticated", False)
        else (label or SYSTEM_ACTOR)[:254],
        organization=referral.organization,
        action="referral.status_changed",
        obj=referral,
        client_id=_client_id(referral),
        detail={"to": to_status},
    )
    return referral


# --- the receiving provider's link ----------------------------------------------------


class LinkRefused(Exception):
    """The response link cannot be used; the message is shown to the provider."""


def referral_link_token(referral: Referral) -> str:
    return signing.dumps(
        {"o": referral.organization_id, "r": str(referral.public_id), "n": referral.link_nonce},
        salt=LINK_SALT,
    )


def referral_from_token(*, organization, token: str) -> Referral:
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise LinkRefused(
            _("This link has expired. Please contact the referring organization.")
        ) from None
    except signing.BadSignature:
        raise LinkRefused(
            _("This link is not valid. Please use the link from the e-mail as sent.")
        ) from None
    referral = (
        Referral.objects.filter(
            organization=organization, public_id=data.get("r"), link_nonce=data.get("n")
        )
        .exclude(link_nonce="")
        .select_related("listing")
        .first()
    )
    if referral is None or data.get("o") != organization.pk:
        raise LinkRefused(
            _("This link is no longer valid. Please contact the referring organization.")
        )
    return referral


PROVIDER_TRANSITIONS = {
    ProviderAction.ACCEPT: ReferralStatus.ACCEPTED,
    ProviderAction.DECLINE: ReferralStatus.REJECTED,
    ProviderAction.SCHEDULED: ReferralStatus.IN_PROGRESS,
    ProviderAction.COMPLETED: ReferralStatus.COMPLETED,
}


@transaction.atomic
def referral_provider_respond(
    *, organization, token: str, action: str, reason: str = "", scheduled_for=None
) -> Referral:
    referral = referral_from_token(organization=organization, token=token)
    if action not in PROVIDER_TRANSITIONS:
        raise ValidationError({"action": "Choose what to tell us."})
    if ProviderResponse.objects.filter(
        referral=referral, link_nonce=referral.link_nonce, action=action
    ).exists():
        raise LinkRefused(_("This link has already been used for that answer. Thank you."))
    if action == ProviderAction.DECLINE and not reason.strip():
        raise ValidationError({"reason": _("Please tell us why you cannot take this referral.")})
    if action == ProviderAction.SCHEDULED and scheduled_for is None:
        raise ValidationError({"scheduled_for": _("Give the date of the first appointment.")})
    to_status = PROVIDER_TRANSITIONS[action]
    # A provider who schedules or completes without accepting first has accepted.
    if to_status in {ReferralStatus.IN_PROGRESS, ReferralStatus.COMPLETED} and referral.status in {
        ReferralStatus.REQUESTED,
        ReferralStatus.RECEIVED,
    }:
        referral = referral_set_status(
            actor=None, referral=referral, to_status=ReferralStatus.ACCEPTED, label=PROVIDER_LABEL
        )
    if to_status not in ALLOWED_TRANSITIONS.get(referral.status, ()):
        raise LinkRefused(
            _("This referral is %(status)s; it can no longer be changed here.")
            % {"status": referral.status_label().lower()}
        )
    if scheduled_for is not None:
        referral.scheduled_for = scheduled_for
        referral.save(update_fields=["scheduled_for"])
        reason = reason or f"First appointment on {scheduled_for:%Y-%m-%d}"
    referral = referral_set_status(
        actor=None, referral=referral, to_status=to_status, reason=reason, label=PROVIDER_LABEL
    )
    try:
        with transaction.atomic():
            ProviderResponse.objects.create(
                organization=organization,
                referral=referral,
                link_nonce=referral.link_nonce,
                action=action,
            )
    except IntegrityError:
        raise LinkRefused(
            _("This link has already been used for that answer. Thank you.")
        ) from None
    return referral


# --- openings: the provider's capacity link --------------------------------------------

CAPACITY_SALT = "referrals.capacity"
CAPACITY_LINK_MAX_AGE = getattr(settings, "DIRECTORY_CAPACITY_LINK_MAX_AGE", 60 * 24 * 3600)
CAPACITY_LABEL = "Provider (openings link)"
CAPACITY_STATES = ("accepting", "waitlist", "not_accepting")


def capacity_token(listing: Listing) -> str:
    """The openings link's token for the listing's current nonce (a fresh signature of
    the same link: every one is valid until the nonce is rotated or it expires)."""
    return signing.dumps(
        {
            "o": listing.organization_id,
            "l": str(listing.public_id),
            "n": listing.capacity_link_nonce,
        },
        salt=CAPACITY_SALT,
    )


@transaction.atomic
def listing_capacity_link(*, actor, listing: Listing, send: bool = False) -> str:
    """A signed, expiring link for the listing's provider to tell us their openings.
    Issuing one invalidates the links issued before; `send` e-mails it to the listing."""
    if send and not listing.email:
        raise ValidationError(
            {"email": f"{listing.name} has no e-mail address: add one, or copy the link."}
        )
    listing.capacity_link_nonce = secrets.token_hex(8)
    listing.save(update_fields=["capacity_link_nonce"])
    audit_record(
        actor=actor,
        organization=listing.organization,
        action="listing.capacity_link_issued",
        obj=listing,
        detail={"sent_to_listing": send},
    )
    if send:
        from .tasks import listing_capacity_email_task

        transaction.on_commit(
            lambda: listing_capacity_email_task.delay(
                organization_id=listing.organization_id,
                listing_id=listing.pk,
                nonce=listing.capacity_link_nonce,
            )
        )
    return capacity_token(listing)


def listing_from_capacity_token(*, organization, token: str) -> Listing:
    try:
        data = signing.loads(token, salt=CAPACITY_SALT, max_age=CAPACITY_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise LinkRefused(
            _("This link has expired. Ask %(organization)s for a new one.")
            % {"organization": organization.name}
        ) from None
    except signing.BadSignature:
        raise LinkRefused(
            _("This link is not valid. Please use the link exactly as you received it.")
        ) from None
    listing = (
        Listing.objects.filter(
            organization=organization, public_id=data.get("l"), capacity_link_nonce=data.get("n")
        )
        .exclude(capacity_link_nonce="")
        .first()
    )
    if listing is None or data.get("o") != organization.pk:
        raise LinkRefused(
            _(
                "This link has been replaced by a newer one. Use the latest link from %(organization)s."
            )
            % {"organization": organization.name}
        )
    return listing


@transaction.atomic
def listing_capacity_update(
    *, organization, token: str, state: str, waitlist_weeks: int | None = None
) -> Listing:
    """The provider says whether they take new clients now, after a wait, or not."""
    listing = listing_from_capacity_token(organization=organization, token=token)
    if state not in CAPACITY_STATES:
        raise ValidationError({"state": _("Choose whether you are taking new clients.")})
    if state == "waitlist" and not (waitlist_weeks and 1 <= waitlist_weeks <= 52):
        raise ValidationError({"waitlist_weeks": _("Give the wait in weeks, from 1 to 52.")})
    listing.accepting_new_clients = state != "not_accepting"
    listing.waitlist_weeks = waitlist_weeks if state == "waitlist" else None
    listing.capacity_updated_at = timezone.now()
    listing.save(update_fields=["accepting_new_clients", "waitlist_weeks", "capacity_updated_at"])
    audit_record(
        actor=None,
        actor_email=CAPACITY_LABEL,
        organization=organization,
        action="listing.capacity_updated",
        obj=listing,
        detail={"state": state, "waitlist_weeks": listing.waitlist_weeks},
    )
    return listing


@transaction.atomic
def directory_settings_update(*, actor, organization, capacity_fresh_days: int):
    from .models import DirectorySettings

    if not 1 <= int(capacity_fresh_days) <= 365:
        raise ValidationError({"capacity_fresh_days": "Give a number of days from 1 to 365."})
    row, _created = DirectorySettings.objects.update_or_create(
        organization=organization, defaults={"capacity_fresh_days": capacity_fresh_days}
    )
    audit_record(
        actor=actor,
        organization=organization,
        action="directory.settings_updated",
        obj=row,
        detail={"capacity_fresh_days": capacity_fresh_days},
    )
    return row


# --- follow-up of referrals that wait too long ----------------------------------------


def referral_scan_stale(*, organization, now=None) -> int:
    """Create one follow-up task per referral per status it has sat in too long."""
    from continuum.care.services import task_create
    from continuum.tenancy.models import Role

    now = now or timezone.now()
    created = 0
    for status, days in STALE_AFTER_DAYS.items():
        stale = Referral.objects.filter(
            organization=organization,
            status=status,
            status_changed_at__lte=now - timedelta(days=days),
        ).select_related("listing", "client", "created_by")
        for referral in stale:
            key = (
                f"referral:{referral.public_id}:{status}:{referral.status_changed_at:%Y%m%d%H%M%S}"
            )
            task = task_create(
                actor=None,
                organization=organization,
                title=f"Follow up: referral to {referral.listing.name} is {referral.status_label().lower()} "
                f"for over {days} days",
                queue_role=Role.INTAKE_COORDINATOR,
                client=referral.client,
                due_at=now + timedelta(days=1),
                source="referrals.stale_scan",
                dedup_key=key,
            )
            created += task.created_at >= now
    return created
