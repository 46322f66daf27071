"""Journey: an admin imports a 211-style package, reads what the import changed, maps a
local taxonomy term and re-classifies; a family finds the detox listing with Spanish
search words, on a phone and on a desktop."""

import re

from playwright.sync_api import expect

from continuum.tenancy.models import Role
from referrals.models import Kind, Listing
from tests.referrals import real_data
from tests.referrals.test_worker import worker  # noqa: F401  (a real Celery worker)


def test_admin_imports_211_data_reads_the_report_and_reclassifies(
    site,
    in_org,
    members,
    worker,  # noqa: F811
    tmp_path,
):
    org = in_org
    package = tmp_path / "miami-211.zip"
    package.write_bytes(real_data.package())

    admin = site.open(phone=False)
    admin.log_in_as(members[Role.ORG_ADMIN])
    admin.visit(f"/{org.slug}/staff/directory/import/")
    admin.page.get_by_label("Directory file").set_input_files(package)
    admin.submit("Import")
    progress = admin.page.locator("#import-progress")
    expect(progress).to_contain_text("Status: Imported", timeout=60_000)
    admin.audit()
    # The job page leads with the summary: what changed, was filled in or left out.
    report = admin.page.locator(".import-report")
    text = report.inner_text()
    assert "Web address without http(s)://: https:// added" in text
    assert "Neither coordinates nor a known ZIP code" in text
    assert "Accepting new clients not stated: shown as unknown" in text
    assert report.get_by_role("link", name=re.compile("Download the full report")).count() == 1

    # The clinic's local code is not one the directory knows: map it, then re-classify.
    admin.follow("map their taxonomy terms")
    admin.page.get_by_label("Term").fill("ZZ-1234")
    admin.page.get_by_label("Read it as").select_option("kind")
    admin.page.get_by_label("Value").select_option("therapist")
    admin.submit("Add the mapping")
    assert "ZZ-1234 is now read as kind" in admin.page.get_by_role("main").inner_text()
    admin.follow("re-classify imported listings")
    admin.page.get_by_label("All imported listings not edited by staff").check()
    admin.submit("Re-classify")
    assert "Re-classified 1 of 5 imported listings: 1 therapist." in (
        admin.page.get_by_role("main").inner_text()
    )
    assert Listing.objects.get(hsds_id=real_data.CLINIC).kind == Kind.THERAPIST

    # A family, on a phone and on a desktop, finds the detox listing in Spanish.
    for phone in (True, False):
        family = site.open(phone=phone, locale="es-US")
        family.visit(f"/{org.slug}/find/")
        page = family.page
        page.get_by_label(re.compile("Código postal|ZIP code")).fill("33172")
        page.get_by_label(re.compile("Nombre o palabras clave|Name or keywords")).fill(
            "desintoxicacion"
        )
        family.submit(re.compile("Buscar|Search"))
        results = page.locator(".listing-result")
        assert results.count() == 1
        card = results.first.inner_text()
        assert "Centro de Desintoxicación Doral" in card
        assert "Miami-Dade Behavioral Network" in card
        assert "0.0" not in card
        assert results.first.locator('a[href^="tel:"]').count() == 1
        family.follow("Centro de Desintoxicación Doral")
        assert "Open 24 hours" in page.get_by_role("main").inner_text()
