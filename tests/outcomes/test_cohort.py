"""The cohort page, "What the center learns": every figure of a seeded cohort of 40
against counts worked by hand (tests/outcomes/cohort_seed.py says who answered what),
small-cell suppression, the CSV equal to the table and audited, the endpoint matrix, and
a query count that does not grow with the cohort."""

import csv
import html
import io
import re

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope

from continuum.audit.models import AuditEvent
from continuum.tenancy.models import Role
from tests.queries import assert_queries

from .cohort_seed import TODAY, seed_client, seed_cohort

pytestmark = pytest.mark.django_db

# Every staff page starts with: the session, then the membership with its organization
# and user (one statement); and ends with the navigation's membership lookup.
REQUEST, NAV = 2, 1


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def cohort(frozen, in_org, admin_user):
    return seed_cohort(in_org, recorder=admin_user)


def page_url(org, **query):
    url = reverse("staff:outcomes_cohort", kwargs={"org": org.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def export_url(org, **query):
    url = reverse("staff:outcomes_cohort_export", kwargs={"org": org.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def table_cells(body: str, section: str) -> dict[str, list[str]]:
    """The section's table as {figure: [cells]}, read from the page's HTML."""
    table = body.split(f'id="{section}-table"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S):
        label = re.search(r'<th scope="row">(.*?)(?:<span|</th>)', row, re.S).group(1)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        rows[html.unescape(label.strip())] = [html.unescape(c.strip()) for c in cells]
    return rows


def test_the_latest_complete_quarter_shows_every_figure_worked_by_hand(
    client, org, admin_user, cohort
):
    client.force_login(admin_user)
    response = client.get(page_url(org))
    body = response.content.decode()
    assert response.status_code == 200
    # Seen on 20 November 2026, the latest complete quarter is July to September.
    assert "Discharged to aftercare in Quarter 3 of 2026 (Jul to Sep): <strong>40</strong>" in body

    day30 = table_cells(body, "follow_up_30")
    # Columns: of those reached, its CI, of all discharged, its CI.
    # 28 of 40 answered: 70%; Wilson for 28/40 (p 0.7, z² 3.8415, centre (0.7 + 0.0480) /
    # 1.0960 = 0.6825, half 1.96·sqrt(0.00525 + 0.0006) / 1.0960 = 0.1368): 55% to 82%.
    assert day30["Answered the follow-up (response rate)"] == [
        "—",
        "—",
        "70% (28/40)",
        "55% to 82%",
    ]
    assert day30["Not reached"] == ["—", "—", "30% (12/40)", "18% to 45%"]
    # 11 of the 28 reached used nothing: 39.3% -> 39%; of all 40: 27.5% -> 28%.
    # Wilson 11/28: centre (0.3929 + 0.0686) / 1.1372 = 0.4058, half 0.1935 / 1.1372 =
    # 0.1701 -> 24% to 58%.
    assert day30["No use in the past 30 days (abstinence)"] == [
        "39% (11/28)",
        "24% to 58%",
        "28% (11/40)",
        "16% to 43%",
    ]
    # The baseline is the 30-day answer itself: nobody has an earlier one.
    assert day30["Reduced use against the baseline"][0] == "none yet"
    assert day30["Back in treatment (detox, residential, hospital stay)"][0] == "0% (0/28)"
    # Ten emergency-room visits: a cell of 10, hidden with its interval in both columns.
    assert day30["Emergency-room visit"] == ["fewer than 11"] * 4
    # 25 of 28 stably housed (89.3%), 25 of 40 (62.5% -> 63%).
    assert day30["Stable housing"][0] == "89% (25/28)"
    assert day30["Stable housing"][2] == "63% (25/40)"
    assert day30["Working or in school"][0] == "71% (20/28)"
    assert day30["Working or in school"][2] == "50% (20/40)"
    # BARC-10: 14 at 40 and 14 at 44, mean 42.0; sd sqrt(28·4/27) = 2.037, se 0.385,
    # t(27) 2.052: 42.0 ± 0.79 -> 41.2 to 42.8.
    assert day30["BARC-10, mean (10 to 60)"][:2] == ["42.0 (n = 28)", "41.2 to 42.8"]

    day90 = table_cells(body, "follow_up_90")
    # 31 answered and 9 not reached: 9 is a small cell, and 31 would give it back from
    # the 40 due, so both are hidden, and so is every share of the 31 reached.
    assert day90["Not reached"][2] == "fewer than 11"
    assert day90["Answered the follow-up (response rate)"][2] == "fewer than 11"
    assert day90["No use in the past 30 days (abstinence)"][0] == "fewer than 11"
    assert day90["BARC-10, mean (10 to 60)"][0] == "fewer than 11"
    # Of all 40 due, still shown: 15 used nothing (37.5% -> 38%), 31 stably housed.
    assert day90["No use in the past 30 days (abstinence)"][2] == "38% (15/40)"
    assert day90["Stable housing"][2] == "78% (31/40)"
    # Reduced use: 15 answered at 90 days with use at their 30-day baseline; 12 used on
    # fewer days (3 against 6): 80%; of all 40: 30%.
    assert day90["Reduced use against the baseline"][0] == "80% (12/15)"
    assert day90["Reduced use against the baseline"][2] == "30% (12/40)"
    # 26 answered both: 13 gained 4 points, 13 gained 6: +5.0; sd sqrt(26/25) = 1.020,
    # se 0.200, t(25) 2.060: ± 0.41 -> 4.6 to 5.4.
    assert day90["BARC-10, mean change from the first"][:2] == ["+5.0 (n = 26)", "4.6 to 5.4"]

    # 180 and 365 days: nobody's link has closed yet.
    assert table_cells(body, "follow_up_180")["Answered the follow-up (response rate)"][2] == (
        "none yet"
    )

    care = table_cells(body, "line_casemanagement")
    # A visit 3 days after discharge for 22 clients, 20 days after for 6 more.
    assert care["Follow-up visit within 7 days of discharge"][0] == "55% (22/40)"
    assert care["Follow-up visit within 30 days of discharge"][0] == "70% (28/40)"
    # 13 started buprenorphine; 11 were supplied for 200 days.
    assert care["Continuity of OUD medication for 180 days"][0] == "85% (11/13)"

    interventions = table_cells(body, "line_interventions")
    assert interventions["Intervention accepted: Johnson-style"][0] == "80% (12/15)"
    assert interventions["Intervention accepted: ARISE (invitational)"][0] == "fewer than 11"
    assert interventions["Intervention accepted: CRAFT (family skills)"][0] == "none yet"
    # Admitted 1-12 and 16-19 days after the request: median (8 + 9) / 2 = 8.5; the
    # interval's ranks round(8 - 1.96·4/2) = 4 and round(1 + 8 + 3.92) = 13: 4 and 16.
    assert interventions["Days from the family's request to admission (median)"][:2] == [
        "8.5 days (n = 16)",
        "4.0 to 16.0",
    ]
    # The chart beside the numbers is accessible and says the table holds the same.
    assert '<svg role="img" aria-labelledby="follow_up_30-title follow_up_30-desc"' in body
    assert "the table beside gives the same figures" in body
    assert "Wilson score interval" in body and "t interval" in body


def test_a_program_and_a_line_narrow_the_cohort(client, org, admin_user, cohort):
    client.force_login(admin_user)
    body = client.get(page_url(org, program="Lakeside")).content.decode()
    # Odd clients: 20 of 40.
    assert "<strong>20</strong> clients" in body
    # Odd clients under 28 answered at 30 days: 14 of 20, so 6 not reached: a small
    # cell, and 14 would give it back from the 20 due.
    day30 = table_cells(body, "follow_up_30")
    assert day30["Not reached"][2] == "fewer than 11"
    assert day30["Answered the follow-up (response rate)"][2] == "fewer than 11"
    body = client.get(page_url(org, line="coaching")).content.decode()
    # Engaged with a coach: clients 0-19, all answered at 30 days; 11 used nothing.
    assert "<strong>20</strong> clients" in body
    day30 = table_cells(body, "follow_up_30")
    assert day30["Answered the follow-up (response rate)"][2] == "100% (20/20)"
    assert day30["No use in the past 30 days (abstinence)"][0] == "55% (11/20)"
    body = client.get(page_url(org, period="2026-07", line="casemanagement")).content.decode()
    # No care plan on record: nobody engaged with case management.
    assert "<strong>0</strong> clients" in body


def test_an_unknown_period_program_or_line_is_refused_with_the_allowed_values(
    client, org, admin_user, cohort
):
    client.force_login(admin_user)
    response = client.get(page_url(org, period="2026-Q5"))
    body = response.content.decode()
    assert response.status_code == 400
    assert "That cohort cannot be shown" in body
    assert "Nothing was saved" not in body
    assert (
        "No discharges to aftercare are on record for that period. Choose one of: "
        "2026-Q3, 2026-07." in body
    )
    assert 'id="follow_up_30-table"' not in body
    response = client.get(page_url(org, program="Nowhere", line="alumni"))
    body = response.content.decode()
    assert response.status_code == 400
    assert "Choose one of: Harbor House, Lakeside." in body
    assert "No such line. Choose one of: Case management, Sober coaching." in body
    export = client.get(export_url(org, period="2026-Q5"))
    assert export.status_code == 400
    with scope(organization=org.pk):
        assert not AuditEvent.objects.filter(action="outcomes.cohort_exported").exists()


def test_the_csv_is_the_table_shown_and_its_export_is_audited(client, org, admin_user, cohort):
    client.force_login(admin_user)
    body = client.get(page_url(org)).content.decode()
    response = client.get(export_url(org))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="outcomes-harbor-2026-Q3.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    by_section: dict[str, dict[str, list[str]]] = {}
    for section, label, *cells in rows[1:]:
        by_section.setdefault(section, {})[label] = cells
    for key, title in (
        ("follow_up_30", "30-day follow-up"),
        ("follow_up_90", "90-day follow-up"),
        ("line_interventions", "Interventions"),
    ):
        shown = table_cells(body, key)
        exported = by_section[title]
        for label, cells in shown.items():
            csv_cells = exported[label][:4] if len(cells) == 4 else exported[label][2:4]
            assert [c if c != "—" else "" for c in cells] == csv_cells, (title, label)
    # Hidden on the page, hidden in the file.
    assert by_section["30-day follow-up"]["Emergency-room visit"][:4] == ["fewer than 11"] * 4
    assert "10/28" not in response.content.decode()
    with scope(organization=org.pk):
        event = AuditEvent.objects.get(action="outcomes.cohort_exported")
    assert event.actor_id == admin_user.pk
    assert event.detail["period"] == "2026-Q3"


def test_only_admins_see_it_and_are_told_who_can(client, org, members, outsider, frozen):
    for url in (page_url(org), export_url(org)):
        client.logout()
        assert "/accounts/login/" in client.get(url)["Location"]
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        client.force_login(members[Role.SOBER_COACH])
        refused = client.get(url)
        assert refused.status_code == 403
        assert "Only the administrators of Harbor Recovery can see" in refused.content.decode()
    client.force_login(members[Role.ORG_ADMIN])
    # Nobody discharged yet: the page says so in numbers, nothing invented.
    empty = client.get(page_url(org)).content.decode()
    assert "<strong>0</strong> clients" in empty and "none yet" in empty
    menu = client.get(reverse("staff:dashboard", kwargs={"org": org.slug})).content.decode()
    assert f'href="{page_url(org)}"' in menu and "What the center learns" in menu


def test_another_organizations_cohort_is_not_counted(client, org, other_org, admin_user, cohort):
    with scope(organization=other_org.pk):
        for i in range(3):
            seed_client(other_org, i, recorder=admin_user)
    client.force_login(admin_user)
    assert "<strong>40</strong> clients" in client.get(page_url(org)).content.decode()


def test_the_query_count_does_not_grow_with_the_cohort(client, org, admin_user, cohort, in_org):
    client.force_login(admin_user)
    # Request (2); months and programs on offer (2); the cohort's episodes, the schedule,
    # the answered follow-ups (3); interventions: decided by model, admissions (2);
    # case management: the episodes, appointments, medications, their fills (4); nav (1).
    expected = REQUEST + 2 + 3 + 2 + 4 + NAV
    with assert_queries(expected, label="cohort of 40"):
        assert client.get(page_url(org)).status_code == 200
    for i in range(40, 60):
        seed_client(in_org, i, recorder=admin_user)
    with assert_queries(expected, label="cohort of 60"):
        body = client.get(page_url(org)).content.decode()
    assert "<strong>60</strong> clients" in body
