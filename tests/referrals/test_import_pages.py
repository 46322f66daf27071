"""The import's pages, API and command: the report leads the job page and downloads as
CSV, the template, the taxonomy mapping and re-classify pages; each refuses another
organization's member (404), an anonymous visitor (login) and a role without the right."""

import csv
import io
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_scopes import scope

from continuum.audit.models import AuditEvent
from continuum.tenancy.models import Role
from referrals import hsds
from referrals.models import (
    ImportFormat,
    ImportJob,
    ImportStatus,
    Kind,
    Listing,
    TaxonomyMapping,
)
from referrals.services import import_job_run
from tests.queries import assert_queries
from tests.referrals import real_data
from tests.referrals.factories import ImportJobFactory


def url(name, org, **kwargs):
    return reverse(name, kwargs={"org": org.slug, **kwargs})


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def finished_job(org):
    with scope(organization=org.pk):
        job = ImportJobFactory(
            organization=org,
            filename="miami-211.zip",
            format=ImportFormat.CSV,
            payload=real_data.package(),
        )
        return import_job_run(job_id=job.pk)


def _pages(org, job):
    return [
        url("staff:import_detail", org, import_id=job.public_id),
        url("staff:import_report_csv", org, import_id=job.public_id),
        url("staff:import_template", org),
        url("staff:taxonomy_mapping", org),
        url("staff:directory_reclassify", org),
    ]


def test_job_page_leads_with_the_summary(admin, org, finished_job):
    body = admin.get(url("staff:import_detail", org, import_id=finished_job.public_id))
    text = body.content.decode()
    summary = text.index("What the import changed, filled in or left out")
    assert summary < text.index("Progress")
    assert hsds.NOTICE_KINDS["url_repaired"] in text
    assert hsds.NOTICE_KINDS["location_unplaced"] in text
    assert "Download the full report (.csv)" in text
    assert "map their taxonomy terms" in text


def test_job_page_query_count(admin, org, finished_job):
    # 1 session, 2 membership with organization and user, 3 the job (without its file),
    # 4 the member's organizations (switcher).
    with assert_queries(4, label="import detail"):
        response = admin.get(url("staff:import_detail", org, import_id=finished_job.public_id))
    assert response.status_code == 200


def test_report_downloads_as_csv_one_row_per_value(admin, org, finished_job):
    response = admin.get(url("staff:import_report_csv", org, import_id=finished_job.public_id))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == len(finished_job.warnings)
    repaired = [r for r in rows if r["kind"] == "url_repaired"]
    assert {r["result"] for r in repaired} == {
        "https://www.doral-detox.example.org",
        "https://www.mdbn.example.org",
    }
    assert repaired[0]["what"] == hsds.NOTICE_KINDS["url_repaired"]


def test_rejected_records_are_in_the_csv_too(admin, org):
    with scope(organization=org.pk):
        job = ImportJobFactory(
            organization=org, filename="bad.json", format="json", payload=b'[{"id": "x"}]'
        )
        import_job_run(job_id=job.pk)
    response = admin.get(url("staff:import_report_csv", org, import_id=job.public_id))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0]["kind"] == "rejected" and "no name" in rows[0]["reason"]


def test_template_download_lists_the_documented_columns(admin, org):
    response = admin.get(url("staff:import_template", org))
    header = response.content.decode("utf-8-sig").splitlines()[0].split(",")
    assert header == [c for c, _ in hsds.SHEET_COLUMNS]
    page = admin.get(url("staff:import_new", org)).content.decode()
    assert "Download the spreadsheet template (.csv)" in page
    assert "accepting_new_clients" in page and "blank when you do not know" in page


def test_spreadsheet_upload_queues_an_import(admin, org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin.post(
            url("staff:import_new", org),
            {"file": SimpleUploadedFile("my-list.csv", hsds.sheet_template())},
        )
    assert response.status_code == 302 and len(callbacks) == 1
    with scope(organization=org.pk):
        assert ImportJob.objects.get().format == ImportFormat.SHEET


def test_mapping_page_adds_and_removes_a_mapping(admin, org):
    response = admin.post(
        url("staff:taxonomy_mapping", org), {"term": "ZZ-1234", "field": "kind", "value": "detox"}
    )
    assert response.status_code == 302
    with scope(organization=org.pk):
        mapping = TaxonomyMapping.objects.get()
        assert (mapping.term_key, mapping.value) == ("ZZ-1234", "detox")
        assert AuditEvent.objects.filter(action="taxonomy_mapping.created").exists()
    page = admin.get(url("staff:taxonomy_mapping", org)).content.decode()
    assert "ZZ-1234" in page
    admin.post(url("staff:taxonomy_mapping_delete", org, mapping_id=mapping.public_id))
    with scope(organization=org.pk):
        assert not TaxonomyMapping.objects.exists()


def test_mapping_with_a_value_of_the_wrong_field_names_the_allowed_values(admin, org):
    response = admin.post(
        url("staff:taxonomy_mapping", org),
        {"term": "ZZ-1234", "field": "payment", "value": "detox"},
    )
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["value"])
    assert "medicaid" in errors
    with scope(organization=org.pk):
        assert not TaxonomyMapping.objects.exists()


def test_reclassify_page_runs_and_says_what_changed(admin, org, finished_job):
    with scope(organization=org.pk):
        Listing.objects.filter(hsds_id=real_data.DETOX).update(kind=Kind.OTHER)
    page = admin.get(url("staff:directory_reclassify", org)).content.decode()
    assert "2 listings are listed as “Other service”" in page
    response = admin.post(url("staff:directory_reclassify", org), {"only_other": "1"}, follow=True)
    assert "Re-classified 1 of 2 imported listings: 1 detox" in response.content.decode()
    with scope(organization=org.pk):
        assert Listing.objects.get(hsds_id=real_data.DETOX).kind == Kind.DETOX


def test_reclassify_with_a_bad_choice_changes_nothing(admin, org, finished_job):
    response = admin.post(url("staff:directory_reclassify", org), {"only_other": "maybe"})
    assert response.status_code == 400 and response.context["form"].errors["only_other"]
    with scope(organization=org.pk):
        assert not AuditEvent.objects.filter(action="directory.reclassified").exists()


def test_pages_refuse_other_organizations_anonymous_and_other_roles(
    client, org, other_org, finished_job, outsider, members
):
    pages = _pages(org, finished_job)
    for page in pages:
        response = client.get(page)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], page
    client.force_login(outsider)
    for page in pages:
        assert client.get(page).status_code == 404, page
    client.force_login(members[Role.CASE_MANAGER])
    for page in pages:
        assert client.get(page).status_code == 403, page
    assert (
        client.post(url("staff:directory_reclassify", org), {"only_other": "1"}).status_code == 403
    )


def test_another_organizations_job_is_not_found(client, org, other_org, outsider, finished_job):
    client.force_login(outsider)
    other = url("staff:import_report_csv", other_org, import_id=finished_job.public_id)
    assert client.get(other).status_code == 404


# --- the API ---------------------------------------------------------------------------


def api(name, org, **kwargs):
    return reverse(f"api:{name}", kwargs={"org": org.slug, **kwargs})


def test_api_import_runs_the_same_service(admin, org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin.post(
            api("directory_import_create", org),
            {"file": SimpleUploadedFile("miami-211.zip", real_data.package())},
        )
    assert response.status_code == 202 and len(callbacks) == 1  # the worker's task
    job_id = response.json()["id"]
    assert response.json()["status"] == ImportStatus.QUEUED
    with scope(organization=org.pk):
        import_job_run(job_id=ImportJob.objects.get(public_id=job_id).pk)
    detail = admin.get(api("directory_import_detail", org, import_id=job_id)).json()
    assert detail["status"] == ImportStatus.SUCCEEDED and detail["created_count"] == 5
    groups = {g["kind"]: g["count"] for g in detail["report"]}
    assert groups["url_repaired"] == 2 and groups["location_unplaced"] == 1


def test_api_import_refuses_bad_files_and_others(client, org, members, outsider):
    client.force_login(members[Role.ORG_ADMIN])
    response = client.post(
        api("directory_import_create", org), {"file": SimpleUploadedFile("a.txt", b"x")}
    )
    assert response.status_code == 400 and "spreadsheet template" in str(response.json())
    assert client.post(api("directory_import_create", org), {}).status_code == 400
    with scope(organization=org.pk):
        assert not ImportJob.objects.exists()
    client.force_login(members[Role.CASE_MANAGER])
    upload = {"file": SimpleUploadedFile("a.json", b"[]")}
    assert client.post(api("directory_import_create", org), upload).status_code == 403
    client.force_login(outsider)
    upload = {"file": SimpleUploadedFile("a.json", b"[]")}
    assert client.post(api("directory_import_create", org), upload).status_code == 404
    client.logout()
    upload = {"file": SimpleUploadedFile("a.json", b"[]")}
    assert client.post(api("directory_import_create", org), upload).status_code in {401, 403}


# --- the command ------------------------------------------------------------------------


def test_command_imports_with_a_progress_bar_and_the_report(org, tmp_path):
    path = tmp_path / "miami-211.zip"
    path.write_bytes(real_data.package())
    out = StringIO()
    call_command("hsds_import", org.slug, str(path), stdout=out)
    text = out.getvalue()
    assert "[##############################] 5/5" in text
    assert "5 created, 0 updated." in text
    assert hsds.NOTICE_KINDS["url_repaired"] in text
    with scope(organization=org.pk):
        assert Listing.objects.filter(organization=org).count() == 5
        assert ImportJob.objects.get().status == ImportStatus.SUCCEEDED


def test_command_refusals_name_the_way_forward(org, tmp_path):
    with pytest.raises(CommandError, match="give its slug"):
        call_command("hsds_import", "nope", str(tmp_path))
    bad = tmp_path / "list.txt"
    bad.write_text("x")
    with pytest.raises(CommandError, match="spreadsheet template"):
        call_command("hsds_import", org.slug, str(bad))
    broken = tmp_path / "broken.json"
    broken.write_text('[{"id": "1"}]')
    with pytest.raises(CommandError, match="correct the records"):
        call_command("hsds_import", org.slug, str(broken), stdout=StringIO())
