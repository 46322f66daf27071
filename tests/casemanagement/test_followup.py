"""The follow-up report against hand-worked timelines (New York days; today is Friday,
March 20, 2026), and its endpoint matrix.

Alice   discharged Feb 2. Telehealth Feb 9 (day 7), outpatient Feb 16, peer support Mar 1.
        7 days met by the telehealth visit; 30 days met; initiation Feb 9; engagement
        met (Feb 16 and Mar 1 are within Feb 10 - Mar 15).
Ben     discharged Feb 2. Outpatient Feb 10 at 02:30 (day 8), outpatient Feb 20.
        7 days missed (last day Feb 9); 30 days met Feb 10; initiation Feb 10;
        engagement missed: one more visit by Mar 16.
Cara    discharged Mar 16, nothing yet, on Suboxone with no fill recorded.
        7 days open, 4 days left (Mar 20-23); 30 days open, 27 left (to Apr 15);
        initiation open, 11 left (to Mar 30); continuity not started.
Dan     discharged Jan 5. Buprenorphine fills Jan 6 (to Jan 20), Jan 20 (to Feb 3),
        Feb 8 (to Mar 10: a 5-day gap is allowed). A lab visit and a missed visit on
        Jan 7 do not count. 7 days met by the Jan 6 dispensing; engagement met by the
        Jan 20 and Feb 8 fills; continuity ended: 10 days without medication since Mar 10.
Eve     discharged Jun 2, 2025. Methadone from Jun 3, monthly, one 4-day gap (Sep 1-5),
        covered to Dec 4: 180 days (to Nov 30) reached, continuity met.
"""

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from casemanagement.models import MedicationFill
from continuum.audit.models import AuditEvent
from continuum.care.models import Phase
from continuum.tenancy.models import Role
from tests.care.factories import EpisodeFactory
from tests.people.factories import CareTeamMemberFactory, ClientFactory
from tests.queries import assert_queries

from . import factories

NY = ZoneInfo("America/New_York")
TODAY = date(2026, 3, 20)
NOW = datetime(2026, 3, 20, 14, 0, tzinfo=UTC)


def _client(org, case_manager, name, discharged_on, **episode):
    client = ClientFactory(organization=org, first_name=name, last_name="Test")
    if case_manager is not None:
        CareTeamMemberFactory(
            organization=org,
            client=client,
            membership=case_manager,
            role=Role.CASE_MANAGER,
            started_on=date(2020, 1, 1),
        )
    EpisodeFactory(
        organization=org,
        client=client,
        phase=Phase.AFTERCARE,
        admission_date=discharged_on - timedelta(days=28),
        discharge_date=discharged_on,
        **episode,
    )
    return client


def _visit(client, day, visit_type="outpatient", hour=10, minute=0, status="attended"):
    starts = datetime(day.year, day.month, day.day, hour, minute, tzinfo=NY)
    return factories.AppointmentFactory(
        client=client, starts_at=starts, visit_type=visit_type, status=status
    )


def _fills(medication, recorded_by, *pairs):
    for filled_on, next_due in pairs:
        MedicationFill.objects.create(
            organization=medication.organization,
            medication=medication,
            filled_on=filled_on,
            next_refill_due_on=next_due,
            recorded_by=recorded_by,
        )


@pytest.fixture
def timelines(in_org, case_manager, members):
    cm = case_manager
    alice = _client(in_org, cm, "Alice", date(2026, 2, 2), discharge_type="planned")
    _visit(alice, date(2026, 2, 9), "telehealth")
    _visit(alice, date(2026, 2, 16))
    _visit(alice, date(2026, 3, 1), "peer_support")
    ben = _client(in_org, cm, "Ben", date(2026, 2, 2))
    _visit(ben, date(2026, 2, 10), hour=2, minute=30)
    _visit(ben, date(2026, 2, 20))
    cara = _client(in_org, cm, "Cara", date(2026, 3, 16))
    factories.MedicationFactory(client=cara, name="Suboxone", is_moud=True)
    dan = _client(in_org, cm, "Dan", date(2026, 1, 5))
    _visit(dan, date(2026, 1, 7), "lab")
    _visit(dan, date(2026, 1, 7), status="missed")
    bup = factories.MedicationFactory(client=dan, is_moud=True)
    staff = members[Role.CASE_MANAGER]
    _fills(
        bup,
        staff,
        (date(2026, 1, 6), date(2026, 1, 20)),
        (date(2026, 1, 20), date(2026, 2, 3)),
        (date(2026, 2, 8), date(2026, 3, 10)),
    )
    eve = _client(in_org, cm, "Eve", date(2025, 6, 2))
    methadone = factories.MedicationFactory(
        client=eve, name="Methadone", dose="60 mg", is_moud=True
    )
    _fills(
        methadone,
        staff,
        (date(2025, 6, 3), date(2025, 7, 3)),
        (date(2025, 7, 3), date(2025, 8, 2)),
        (date(2025, 8, 2), date(2025, 9, 1)),
        (date(2025, 9, 5), date(2025, 10, 5)),
        (date(2025, 10, 5), date(2025, 11, 4)),
        (date(2025, 11, 4), date(2025, 12, 4)),
    )
    # Not on the case manager's care team: only an admin sees her.
    _client(in_org, None, "Fay", date(2026, 2, 3))
    return {"alice": alice, "ben": ben, "cara": cara, "dan": dan, "eve": eve}


@pytest.fixture
def cm_client(client, members):
    client.force_login(members[Role.CASE_MANAGER])
    return client


def page_url(org, **query):
    return reverse("staff:casemgmt_followup", kwargs={"org": org.slug})


def api_url(org):
    return reverse("api:casemgmt_followup", kwargs={"org": org.slug})


def _by_name(data):
    return {row["client_name"].split()[0]: row for row in data["discharges"]}


@time_machine.travel(NOW, tick=False)
def test_the_report_matches_the_hand_worked_timelines(cm_client, in_org, timelines):
    data = cm_client.get(api_url(in_org)).json()
    rows = _by_name(data)
    assert set(rows) == {"Alice", "Ben", "Cara", "Dan", "Eve"}
    assert data["since"] == "2025-04-01" and data["today"] == "2026-03-20"

    alice = rows["Alice"]
    assert alice["follow_up_7"] == {
        "state": "met",
        "last_day": "2026-02-09",
        "days_left": 0,
        "visit": {"day": "2026-02-09", "kind": "Telehealth visit"},
    }
    assert alice["follow_up_30"]["visit"]["day"] == "2026-02-09"
    assert alice["initiation"]["state"] == "met"
    assert alice["engagement"]["state"] == "met"
    assert [v["day"] for v in alice["engagement"]["visits"]] == ["2026-02-16", "2026-03-01"]
    assert alice["continuity"] is None

    ben = rows["Ben"]
    assert (ben["follow_up_7"]["state"], ben["follow_up_7"]["visit"]) == ("missed", None)
    assert ben["follow_up_30"]["state"] == "met"
    assert ben["follow_up_30"]["visit"]["day"] == "2026-02-10"
    assert ben["initiation"]["visit"]["day"] == "2026-02-10"
    assert ben["engagement"]["state"] == "missed"
    assert ben["engagement"]["last_day"] == "2026-03-16"
    assert len(ben["engagement"]["visits"]) == 1

    cara = rows["Cara"]
    assert (cara["follow_up_7"]["state"], cara["follow_up_7"]["days_left"]) == ("open", 4)
    assert cara["follow_up_7"]["last_day"] == "2026-03-23"
    assert (cara["follow_up_30"]["days_left"], cara["initiation"]["days_left"]) == (27, 11)
    assert cara["engagement"]["state"] == "open"
    assert cara["continuity"]["state"] == "not_started"
    assert cara["continuity"]["medication"] == "buprenorphine"

    dan = rows["Dan"]
    assert dan["follow_up_7"]["visit"] == {
        "day": "2026-01-06",
        "kind": "Medication dispensed: Buprenorphine/naloxone",
    }
    assert dan["engagement"]["state"] == "met"
    assert dan["continuity"] == {
        "state": "missed",
        "medication": "buprenorphine",
        "started_on": "2026-01-06",
        "covered_until": "2026-03-09",
        "days_left": 0,
        "gap_days": 10,
    }

    eve = rows["Eve"]
    assert eve["continuity"]["state"] == "met"
    assert eve["continuity"]["medication"] == "methadone"
    assert eve["follow_up_7"]["visit"]["day"] == "2025-06-03"


@time_machine.travel(NOW, tick=False)
def test_monthly_rates_count_closed_windows_and_show_open_ones(cm_client, in_org, timelines):
    months = {m["month"]: m for m in cm_client.get(api_url(in_org)).json()["months"]}
    assert list(months) == ["2026-03", "2026-02", "2026-01", "2025-06"]

    def cell(month, measure):
        row = next(c for c in months[month]["measures"] if c["measure"] == measure)
        return row["rate"], row["met"], row["decided"], row["open"]

    assert months["2026-02"]["discharges"] == 2
    assert cell("2026-02", "follow_up_7") == (50, 1, 2, 0)
    assert cell("2026-02", "follow_up_30") == (100, 2, 2, 0)
    assert cell("2026-02", "engagement") == (50, 1, 2, 0)
    assert cell("2026-02", "continuity") == (None, 0, 0, 0)
    assert cell("2026-03", "follow_up_7") == (None, 0, 0, 1)
    assert cell("2026-01", "continuity") == (0, 0, 1, 0)
    assert cell("2025-06", "continuity") == (100, 1, 1, 0)


@time_machine.travel(NOW, tick=False)
def test_the_page_shows_each_status_in_words(cm_client, in_org, timelines):
    response = cm_client.get(page_url(in_org))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Telehealth visit, Feb 9" in page
    assert "4 days left (through Mar 23)" in page
    assert "no qualifying visit by Feb 9" in page
    assert "10 days without medication after Mar 9" in page
    assert "No buprenorphine fill recorded" in page
    assert "50% (1 of 2)" in page
    assert "Fay" not in page
    # Reading the report is a read of each discharge shown.
    assert AuditEvent.objects.filter(action="careepisode.viewed").count() == 5


@time_machine.travel(NOW, tick=False)
def test_an_admin_sees_every_discharge(client, in_org, members, timelines):
    client.force_login(members[Role.ORG_ADMIN])
    rows = _by_name(client.get(api_url(in_org)).json())
    assert "Fay" in rows


@time_machine.travel(NOW, tick=False)
def test_months_narrows_the_period(cm_client, in_org, timelines):
    data = cm_client.get(api_url(in_org), {"months": 2}).json()
    assert data["since"] == "2026-02-01"
    assert set(_by_name(data)) == {"Alice", "Ben", "Cara"}


# --- the endpoint matrix ----------------------------------------------------------------


@pytest.mark.parametrize("bad", ["abc", "0", "25"])
def test_bad_months_are_refused_with_the_allowed_range(cm_client, in_org, bad):
    page = cm_client.get(page_url(in_org), {"months": bad})
    assert page.status_code == 400
    assert "Enter a whole number of months from 1 to 24." in page.content.decode()
    api = cm_client.get(api_url(in_org), {"months": bad})
    assert api.status_code == 400
    assert api.json() == {"months": ["Enter a whole number of months from 1 to 24."]}


def test_another_organizations_member_gets_404(client, in_org, outsider):
    client.force_login(outsider)
    assert client.get(page_url(in_org)).status_code == 404
    assert client.get(api_url(in_org)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, in_org):
    page = client.get(page_url(in_org))
    assert page.status_code == 302 and "login" in page["Location"]
    assert client.get(api_url(in_org)).status_code == 401


@pytest.mark.parametrize("role", [Role.SOBER_COACH, Role.INTAKE_COORDINATOR])
def test_a_role_without_the_report_is_refused(client, in_org, members, role):
    client.force_login(members[role])
    assert client.get(page_url(in_org)).status_code == 403
    assert client.get(api_url(in_org)).status_code == 403


@time_machine.travel(NOW, tick=False)
def test_report_queries_are_fixed_and_do_not_grow(cm_client, in_org, case_manager, members):
    def one_more(n):
        client = _client(in_org, case_manager, f"Client{n}", date(2026, 3, 1 + n))
        _visit(client, date(2026, 3, 2 + n), "telehealth")
        med = factories.MedicationFactory(client=client, is_moud=True)
        _fills(med, members[Role.CASE_MANAGER], (date(2026, 3, 3 + n), date(2026, 3, 9 + n)))

    one_more(0)
    # 1 session, 2 membership with organization and user; 3 the discharges with their
    # clients, 4 the attended qualifying visits, 5 the MOUD medications, 6 their fills;
    # 7 the audit insert; 8 the organization switcher's count.
    with assert_queries(PAGE_QUERIES, label="one discharge") as ctx:
        assert cm_client.get(page_url(in_org)).status_code == 200
    for n in range(1, 5):
        one_more(n)
    with assert_queries(len(ctx.captured_queries), label="five discharges"):
        page = cm_client.get(page_url(in_org))
    # Five discharges, each met by its telehealth visit in three columns (7, 30, initiation).
    assert len(re.findall(r"Telehealth visit, Mar \d+", page.content.decode())) == 15
    with assert_queries(API_QUERIES, label="api, five discharges"):
        assert len(cm_client.get(api_url(in_org)).json()["discharges"]) == 5


PAGE_QUERIES = 8
# The page's, without the switcher's count.
API_QUERIES = 7
