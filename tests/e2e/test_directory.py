"""Journeys 5 and 6: a family member finds help by ZIP code on a phone and asks for a
referral, which staff follow to completed; an admin imports an HSDS file and watches a real
Celery worker's progress through the htmx progress bar."""

import copy
import json
import re
from pathlib import Path

from playwright.sync_api import expect

from continuum.tenancy.models import Role
from referrals.models import ImportJob, ImportStatus, Listing, Referral, ReferralStatus
from tests.referrals.factories import ListingFactory
from tests.referrals.test_worker import worker  # noqa: F401  (a real Celery worker)

EXAMPLE = Path(__file__).resolve().parents[1] / "referrals" / "hsds_examples"


def test_family_finds_help_by_zip_and_staff_complete_the_referral(site, in_org, members):
    org = in_org
    near = ListingFactory(organization=org, name="Bayside Sober Coaching", zip_code="33139")
    ListingFactory(
        organization=org, name="Far Away Recovery House", zip_code="98101", kind="residential"
    )

    family = site.open(phone=True)
    family.visit(f"/{org.slug}/find/")
    page = family.page
    page.get_by_label("ZIP code").fill("33140")
    page.get_by_label("Distance").select_option(index=0)
    family.submit("Search")
    results = page.locator(".listing-result")
    assert results.count() >= 1
    assert "Bayside Sober Coaching" in results.first.inner_text()
    assert "Far Away Recovery House" not in page.locator(".search-results").inner_text()
    page.get_by_role("heading", name=re.compile("results? near 33140")).scroll_into_view_if_needed()
    family.screenshot("directory-search")

    family.follow("Bayside Sober Coaching")
    page.get_by_label("Your name").fill("Maria Lopez")
    page.get_by_label("E-mail").fill("maria.lopez@example.com")
    page.get_by_label("Your ZIP code").fill("33140")
    page.get_by_label("What kind of help are you looking for?").fill("A coach for my son")
    family.submit("Send request")
    assert "We will contact you" in page.get_by_role("status").inner_text()
    referral = Referral.objects.get()
    assert (referral.listing_id, referral.status) == (near.pk, ReferralStatus.DRAFT)

    staff = site.open(phone=False)
    staff.log_in_as(members[Role.INTAKE_COORDINATOR])
    staff.visit(f"/{org.slug}/staff/referrals/")
    staff.follow("Bayside Sober Coaching")
    for status in ("Requested", "Accepted", "In progress", "Completed"):
        staff.page.get_by_label("New status").select_option(label=status)
        staff.page.get_by_label("Reason").fill(f"Moved to {status.lower()} with the family")
        staff.submit("Update")
        assert f"Status: {status}" in staff.page.get_by_role("main").inner_text()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED
    # Closed referrals offer no further change.
    assert staff.page.get_by_role("button", name="Update").count() == 0


def _hsds_file(tmp_path, count: int) -> Path:
    template = json.loads((EXAMPLE / "service_full.json").read_text())
    services = []
    for n in range(count):
        record = copy.deepcopy(template)
        record["id"] = f"e2e-service-{n}"
        record["name"] = f"Imported Service {n}"
        services.append(record)
    path = tmp_path / "directory.json"
    path.write_text(json.dumps(services))
    return path


def test_admin_imports_hsds_and_watches_the_progress_bar(site, in_org, members, worker, tmp_path):  # noqa: F811
    org = in_org
    admin = site.open(phone=False)
    admin.log_in_as(members[Role.ORG_ADMIN])
    admin.visit(f"/{org.slug}/staff/directory/import/")
    admin.page.get_by_label(re.compile("file", re.I)).set_input_files(_hsds_file(tmp_path, 40))
    admin.submit("Import")

    # htmx swaps the fragment every 2 s; the bar moves until the worker has finished.
    progress = admin.page.locator("#import-progress")
    expect(progress).to_contain_text("Status: Imported", timeout=60_000)
    assert admin.page.get_by_label("Progress").get_attribute("value") == "100"
    # Finished, the fragment stops polling.
    assert progress.get_attribute("hx-trigger") is None
    assert "40 created, 0 updated." in admin.page.locator("#import-progress").inner_text()
    admin.audit()
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.SUCCEEDED
    assert Listing.objects.filter(name__startswith="Imported Service").count() == 40
    assert "referrals.import_job_run" in worker.log.read_text()
