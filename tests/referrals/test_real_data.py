"""The directory on real 211 data: a generated 211-style package imported with every
value that changed, defaulted or was dropped reported; encodings; zip limits; the
spreadsheet template; taxonomy mapping and re-classifying."""

import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError

from referrals import hsds
from referrals.models import (
    ImportFormat,
    ImportJob,
    ImportStatus,
    Kind,
    Listing,
    ListingLocation,
    ListingStatus,
    TaxonomyMapping,
)
from referrals.selectors import import_report
from referrals.services import (
    MAX_IMPORT_BYTES,
    import_job_create,
    import_job_run,
    listing_reclassify,
    taxonomy_mapping_add,
)
from tests.referrals import real_data
from tests.referrals.factories import ImportJobFactory


def _run(org, payload: bytes, fmt=ImportFormat.CSV, filename="miami-211.zip") -> ImportJob:
    job = ImportJobFactory(organization=org, filename=filename, format=fmt, payload=payload)
    return import_job_run(job_id=job.pk)


def _by_kind(job) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for item in job.warnings:
        out.setdefault(item["kind"], []).append(item)
    return out


@pytest.fixture
def imported(in_org):
    job = _run(in_org, real_data.package())
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    return job


def test_211_package_lands_with_nothing_lost_silently(in_org, imported):
    notes = _by_kind(imported)
    detox = Listing.objects.get(hsds_id=real_data.DETOX)
    # Latin-1 / Windows-1252 services.csv: read, and the encoding is named in the report.
    assert detox.name == "Centro de Desintoxicación Doral"
    [encoding] = notes["file_encoding"]
    assert encoding["value"] == "services.csv" and encoding["result"] in {"cp1252", "latin_1"}
    # Aliases and registry names: "Creole" is Haitian Creole, codes in any case.
    assert detox.languages == ["es", "ht"]
    mat = Listing.objects.get(hsds_id=real_data.MAT)
    assert mat.languages == ["en", "ht"]
    clinic = Listing.objects.get(hsds_id=real_data.CLINIC)
    assert clinic.languages == ["he"]
    assert [n["value"] for n in notes["language_alias"]] == ["Creole", "ASL"]
    assert [n["value"] for n in notes["language_unknown"]] == ["Xyzzyish"]
    group = Listing.objects.get(hsds_id=real_data.GROUP)
    assert group.languages == ["asl"]
    # Schemeless web addresses are repaired; a non-address is dropped, and both reported.
    assert detox.url == "https://www.doral-detox.example.org"
    assert detox.directory_organization.website == "https://www.mdbn.example.org"
    # The organization's website is reported once, not with each of its five services.
    assert sorted(n["value"] for n in notes["url_repaired"]) == [
        "www.doral-detox.example.org",
        "www.mdbn.example.org",
    ]
    assert clinic.url == "" and notes["url_dropped"][0]["value"] == "not a url at all"
    # Unknown stays unknown: no status, nothing said about new clients.
    assert mat.status == ListingStatus.UNKNOWN
    assert [n["id"] for n in notes["status_missing"]] == [real_data.MAT]
    assert detox.accepting_new_clients is None and detox.capacity_state() == "unknown"
    assert len(notes["accepting_unknown"]) == 5
    # Kinds and payment from the 211 taxonomy codes and the service's own words.
    assert detox.kind == Kind.DETOX and "medicaid" in detox.payment_options
    assert mat.kind == Kind.MAT  # RX-8450.5000-100, a code below the shipped RX-8450.5000
    assert group.kind == Kind.PEER_SUPPORT
    assert clinic.kind == Kind.OUTPATIENT  # "counseling ... adults" words; ZZ-1234 unknown
    assert "sliding_scale" in clinic.payment_options
    assert Listing.objects.get(hsds_id=real_data.NOWHERE).kind == Kind.OTHER
    assert [n["id"] for n in notes["kind_defaulted"]] == [real_data.NOWHERE]
    # Locations: placed by ZIP (approximate, and said to be), or not at all, reported.
    by_zip = ListingLocation.objects.get(listing=mat)
    assert by_zip.placed_by_zip and by_zip.latitude == pytest.approx(25.77, abs=0.1)
    nowhere = ListingLocation.objects.get(listing__hsds_id=real_data.NOWHERE)
    assert nowhere.latitude is None
    assert [n["id"] for n in notes["location_unplaced"]] == [real_data.NOWHERE]
    assert [n["id"] for n in notes["placed_by_zip"]] == [real_data.MAT]


def test_report_groups_by_kind_with_counts_and_examples(imported):
    report = import_report(imported)
    groups = {g["kind"]: g for g in report}
    assert groups["accepting_unknown"]["count"] == 5
    assert len(groups["accepting_unknown"]["examples"]) == 3
    assert groups["url_repaired"]["label"] == hsds.NOTICE_KINDS["url_repaired"]
    # Largest group first.
    assert report[0]["count"] == max(g["count"] for g in report)


def test_reimport_is_safe_and_reports_the_same(in_org, imported):
    again = _run(in_org, real_data.package())
    assert (again.created_count, again.updated_count) == (0, 5)
    assert Listing.objects.count() == 5
    assert {g["kind"]: g["count"] for g in import_report(again)} == {
        g["kind"]: g["count"] for g in import_report(imported)
    }


def test_utf8_with_bom_reads_without_an_encoding_note(in_org):
    tables = real_data.tables()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in tables.items():
            archive.writestr(name, b"\xef\xbb\xbf" + text.encode())
    job = _run(in_org, buffer.getvalue())
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    assert "file_encoding" not in _by_kind(job)
    assert Listing.objects.get(hsds_id=real_data.DETOX).name.startswith("Centro de Desintox")


def test_a_table_that_cannot_be_read_names_the_file_and_row(in_org):
    tables = real_data.tables()
    lines = tables["services.csv"].split("\r\n")
    lines[2] = lines[2].replace("Central", "Cen\0tral")
    tables["services.csv"] = "\r\n".join(lines)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in tables.items():
            archive.writestr(name, text)
    job = _run(in_org, buffer.getvalue())
    assert job.status == ImportStatus.FAILED
    assert job.errors[0]["reason"].startswith("services.csv, row 3:")
    assert not Listing.objects.exists()


def test_a_zip_bomb_is_refused_before_it_is_inflated(in_org, monkeypatch):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("services.csv", b"id,name\n" + b"0" * (30 * 2**20))
    payload = buffer.getvalue()
    assert len(payload) < 100 * 1024  # a small upload that would unpack to 30 MB

    def never(*args, **kwargs):
        raise AssertionError("a member was inflated")

    monkeypatch.setattr(zipfile.ZipFile, "open", never)
    job = _run(in_org, payload, filename="bomb.zip")
    assert job.status == ImportStatus.FAILED
    reason = job.errors[0]["reason"]
    assert "bomb.zip: services.csv is compressed" in reason and "to 1" in reason
    assert not Listing.objects.exists()


def test_total_unpacked_size_and_file_count_are_limited(in_org, monkeypatch):
    monkeypatch.setattr(hsds, "MAX_UNPACKED_BYTES", 1000)
    job = _run(in_org, real_data.package(), filename="big.zip")
    assert job.status == ImportStatus.FAILED
    assert "big.zip would unpack to" in job.errors[0]["reason"]
    monkeypatch.setattr(hsds, "MAX_UNPACKED_BYTES", 10**9)
    monkeypatch.setattr(hsds, "MAX_ARCHIVE_FILES", 3)
    job = _run(in_org, real_data.package(), filename="many.zip")
    assert "many.zip holds 10 files; an HSDS package has at most 3" in job.errors[0]["reason"]


def test_the_importer_takes_more_than_the_old_20_mb(in_org, admin_user):
    assert MAX_IMPORT_BYTES > 21 * 2**20  # the web export of the 211 set was 21 MB
    job = import_job_create(
        actor=admin_user,
        organization=in_org,
        filename="export.json",
        payload=b"[" + b" " * (22 * 2**20) + b"]",
        enqueue=False,
    )
    assert job.format == ImportFormat.JSON


def test_an_upload_over_the_limit_names_the_limit(in_org, admin_user, monkeypatch):
    import referrals.services.imports as services

    monkeypatch.setattr(services, "MAX_IMPORT_BYTES", 10)
    with pytest.raises(ValidationError) as exc:
        import_job_create(
            actor=admin_user,
            organization=in_org,
            filename="a.json",
            payload=b"[" + b" " * 20 + b"]",
        )
    assert "the limit is 0 MB" in exc.value.message_dict["file"][0]
    assert not ImportJob.objects.exists()


# --- the spreadsheet template ---------------------------------------------------------


def test_the_template_itself_imports_through_the_same_service(in_org):
    job = _run(in_org, hsds.sheet_template(), ImportFormat.SHEET, "directory-template.csv")
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    listing = Listing.objects.get()
    assert (listing.name, listing.kind) == ("Example Recovery Center", Kind.DETOX)
    assert listing.languages == ["en", "es"] and listing.accepting_new_clients is True
    assert listing.payment_options == ["medicaid", "private_insurance"]
    assert listing.url == "https://www.example.org"
    assert listing.directory_organization.name == "Example Health"
    assert listing.locations.get().postal_code == "33101"
    assert listing.status == ListingStatus.UNKNOWN  # the example leaves status blank


def test_a_latin1_spreadsheet_with_a_bad_value_is_refused_with_the_allowed_values(in_org):
    sheet = (
        "name,kind,description,zip,accepting_new_clients,languages\r\n"
        "Clínica Esperanza,outpatient,Consejería en español,33135,no,Español\r\n"
        "Otra,rehab,,33135,,\r\n"
    ).encode("cp1252")
    job = _run(in_org, sheet, ImportFormat.SHEET, "hoja.csv")
    assert job.status == ImportStatus.FAILED
    [error] = job.errors
    assert error["row"] == "hoja.csv, row 3"
    assert "'rehab'" in error["reason"] and "detox" in error["reason"]
    fixed = sheet.replace(b",rehab,", b",detox,")
    job = _run(in_org, fixed, ImportFormat.SHEET, "hoja.csv")
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    clinic = Listing.objects.get(name="Clínica Esperanza")
    assert clinic.accepting_new_clients is False and clinic.languages == ["es"]
    assert _by_kind(job)["file_encoding"][0]["value"] == "hoja.csv"


def test_a_spreadsheet_without_a_name_column_says_which_columns(in_org):
    job = _run(in_org, b"title,zip\r\nX,33139\r\n", ImportFormat.SHEET, "list.csv")
    assert job.status == ImportStatus.FAILED
    assert "No \u201cname\u201d column" in job.errors[0]["reason"]
    assert "accepting_new_clients" in job.errors[0]["reason"]


# --- taxonomy mapping and re-classifying ----------------------------------------------


def test_an_organizations_mapping_and_reclassify_fix_unmapped_listings(
    in_org, imported, admin_user
):
    nowhere = Listing.objects.get(hsds_id=real_data.NOWHERE)
    assert nowhere.kind == Kind.OTHER
    # The hotline has no term; give the local code of the clinic a kind, and re-classify.
    taxonomy_mapping_add(
        actor=admin_user, organization=in_org, term="zz-1234", field="kind", value="therapist"
    )
    result = listing_reclassify(actor=admin_user, organization=in_org, only_other=False)
    clinic = Listing.objects.get(hsds_id=real_data.CLINIC)
    assert clinic.kind == Kind.THERAPIST  # the organization's mapping wins
    assert result["by_kind"] == {"therapist": 1}
    assert ListingLocation.objects.get(listing=clinic).listing_kind == "therapist"
    # Future imports use the mapping too.
    again = _run(in_org, real_data.package())
    assert Listing.objects.get(hsds_id=real_data.CLINIC).kind == Kind.THERAPIST
    assert again.status == ImportStatus.SUCCEEDED


def test_reclassify_leaves_what_staff_set(in_org, imported, admin_user):
    detox = Listing.objects.get(hsds_id=real_data.DETOX)
    Listing.objects.filter(pk=detox.pk).update(kind=Kind.RESIDENTIAL, last_verified_by=admin_user)
    listing_reclassify(actor=admin_user, organization=in_org, only_other=False)
    assert Listing.objects.get(pk=detox.pk).kind == Kind.RESIDENTIAL


def test_a_mapping_with_a_wrong_value_names_the_allowed_ones(in_org, admin_user):
    with pytest.raises(ValidationError) as exc:
        taxonomy_mapping_add(
            actor=admin_user, organization=in_org, term="RX-1", field="kind", value="rehab"
        )
    assert "detox" in exc.value.message_dict["value"][0]
    assert not TaxonomyMapping.objects.exists()


def test_json_export_of_the_211_data_names_languages(in_org, imported):
    detox = Listing.objects.get(hsds_id=real_data.DETOX)
    record = json.loads(json.dumps(hsds.service_record(detox)))
    names = {lang.get("name") for lang in record["languages"]}
    assert {"Spanish", "Creole"} <= names
