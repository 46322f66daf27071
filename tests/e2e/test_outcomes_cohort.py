"""Journey: an org admin opens "What the center learns" from the staff menu, at desktop
width and on a 390 px phone (the tables stack, the page never scrolls sideways), reads
the cohort's figures beside their charts, and downloads the table as CSV."""

import csv

import time_machine

from continuum.tenancy.models import Role
from tests.outcomes.cohort_seed import TODAY, seed_cohort

from .browser import assert_fits


def test_an_admin_reads_the_cohort_and_downloads_it(site, in_org, members):
    org = in_org
    with time_machine.travel(TODAY, tick=True):
        seed_cohort(org, recorder=members[Role.ORG_ADMIN])
        for phone in (False, True):
            admin = site.open(phone=phone)
            admin.log_in_as(members[Role.ORG_ADMIN])
            admin.visit(f"/{org.slug}/staff/")
            admin.follow("What the center learns")
            page = admin.page
            main = page.get_by_role("main")
            assert "Discharged to aftercare in Quarter 3 of 2026" in main.inner_text()
            table = page.locator("#follow_up_30-table")
            assert "70% (28/40)" in table.inner_text()
            assert (
                page.locator("svg[role=img] title")
                .first.text_content()
                .startswith("30-day follow-up")
            )
            assert_fits(page)
            admin.screenshot(f"cohort-{'390' if phone else 'desktop'}")
            page.locator("#follow_up_30-h").scroll_into_view_if_needed()
            admin.screenshot(f"cohort-{'390' if phone else 'desktop'}-table")
            if phone:
                # Stacked: each cell names its column.
                cell = table.locator("td[data-label='Of those reached']").first
                assert cell.evaluate("el => getComputedStyle(el).display") == "block"
            with page.expect_download() as download:
                page.get_by_role("link", name="Download this table (CSV)").click()
            with open(download.value.path(), encoding="utf-8") as exported:
                rows = list(csv.reader(exported))
            assert rows[0][:3] == ["Section", "Figure", "Of those reached"]
            hidden = next(r for r in rows if r[:2] == ["30-day follow-up", "Emergency-room visit"])
            assert hidden[2:6] == ["fewer than 11"] * 4
