"""HSDS imports: a job created from an upload and run by a worker, with its progress."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from continuum.audit.services import SYSTEM_ACTOR, audit_change

from .. import hsds, selectors
from ..models import (
    DirectoryOrganization,
    ImportFormat,
    ImportJob,
    ImportStatus,
    Listing,
    ListingLocation,
)
from .listings import listing_refresh_search

# Large enough for the directory's own export of a big directory (the JSON of 10,000
# listings is about 50 MB); what a zip may unpack to is limited separately (hsds.py).
MAX_IMPORT_BYTES = getattr(settings, "DIRECTORY_IMPORT_MAX_BYTES", 256 * 1024 * 1024)


IMPORT_FORMATS = {".json": ImportFormat.JSON, ".zip": ImportFormat.CSV, ".csv": ImportFormat.SHEET}


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
    audit_change(actor, organization, "import_job.created", job)
    if not enqueue:
        return job
    from ..tasks import import_job_run_task

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
            audit_change(
                SYSTEM_ACTOR,
                job.organization,
                "import_job.succeeded",
                job,
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


# Records written per statement (a few thousand parameters each), and between the job's
# progress updates.
PROGRESS_BATCH = 500


def _upsert(model, rows: list, *, unique: list[str]) -> None:
    """INSERT ... ON CONFLICT DO UPDATE of these unsaved rows, which then carry their
    primary keys. Only the fields each row was given are updated, as update_or_create's
    defaults are: rows are grouped by the fields they set."""
    groups: dict[tuple, list] = {}
    for fields, row in rows:
        groups.setdefault(tuple(sorted(fields)), []).append(row)
    for fields, group in groups.items():
        model.objects.bulk_create(
            group,
            batch_size=PROGRESS_BATCH,
            update_conflicts=True,
            unique_fields=unique,
            update_fields=[f for f in fields if f not in unique],
        )


def _existing(model, organization, hsds_ids: list[str]) -> set[str]:
    return set(
        model.objects.filter(organization=organization, hsds_id__in=hsds_ids).values_list(
            "hsds_id", flat=True
        )
    )


def _import_write(job: ImportJob, normalized, progress: _Progress) -> tuple[int, int]:
    """Write the normalized records in batches of PROGRESS_BATCH, each a few statements
    (which of them exist, one upsert of the listings, one of their locations, one delete of
    the locations they no longer have) instead of several per record."""
    organization = job.organization
    created = updated = 0
    touched: list[int] = []
    # Each HSDS organization as its first service in the file gives it.
    org_values: dict[str, dict] = {}
    for _, result in normalized:
        if result.organization is not None:
            org_values.setdefault(result.organization["hsds_id"], result.organization)
    org_ids: dict[str, int] = {}
    keys = list(org_values)
    for start in range(0, len(keys), PROGRESS_BATCH):
        rows = [
            (
                org_values[key],
                DirectoryOrganization(organization=organization, **org_values[key]),
            )
            for key in keys[start : start + PROGRESS_BATCH]
        ]
        _upsert(DirectoryOrganization, rows, unique=["organization", "hsds_id"])
        org_ids.update((row.hsds_id, row.pk) for _, row in rows)
    for start in range(0, len(normalized), PROGRESS_BATCH):
        batch = normalized[start : start + PROGRESS_BATCH]
        existing = _existing(Listing, organization, [result.hsds_id for _, result in batch])
        now = timezone.now()
        listings = []
        for item, result in batch:
            key = result.organization["hsds_id"] if result.organization is not None else None
            values = {
                **result.values,
                "directory_organization_id": org_ids.get(key),
                "hsds_raw": {k: v for k, v in item.record.items() if k != "organization"},
                "updated_at": now,
            }
            listing = Listing(organization=organization, hsds_id=result.hsds_id, **values)
            listings.append(([*values, "hsds_id"], listing))
        _upsert(Listing, listings, unique=["organization", "hsds_id"])
        created += sum(result.hsds_id not in existing for _, result in batch)
        updated += sum(result.hsds_id in existing for _, result in batch)
        locations = []
        for (_, listing), (_, result) in zip(listings, batch, strict=True):
            # A location named twice for one service: its last values, in its first place.
            by_id = {location.hsds_id: location for location in result.locations}
            for location in by_id.values():
                values = {**location.values, "hsds_raw": location.raw}
                row = ListingLocation(
                    organization=organization, listing=listing, hsds_id=location.hsds_id, **values
                )
                locations.append(([*values, "listing", "hsds_id"], row))
        _upsert(ListingLocation, locations, unique=["organization", "listing", "hsds_id"])
        batch_ids = [listing.pk for _, listing in listings]
        ListingLocation.objects.filter(organization=organization, listing_id__in=batch_ids).exclude(
            pk__in=[row.pk for _, row in locations]
        ).delete()
        touched += batch_ids
        progress.write(start + len(batch))
    listing_refresh_search(listing_ids=touched)
    return created, updated
