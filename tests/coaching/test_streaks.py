"""The portal's sober count and craving chart, over weeks of check-ins on a frozen clock."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope

from coaching import selectors, services
from continuum.tenancy.models import Membership, Role
from tests.coaching.factories import EngagementFactory
from tests.people.factories import ClientFactory

NY = ZoneInfo("America/New_York")
# Evening check-ins: 21:30 in New York is the next day in UTC, and the run crosses the
# end of daylight saving time (Nov 1, 2026).
FIRST = datetime(2026, 10, 25, 21, 30, tzinfo=NY)


@pytest.fixture
def engagement(org, members):
    with scope(organization=org.pk):
        coach = Membership.objects.get(organization=org, user=members[Role.SOBER_COACH])
        client = ClientFactory(organization=org, portal_user=members[Role.CLIENT])
        with time_machine.travel(FIRST - timedelta(days=1), tick=False):
            return EngagementFactory(organization=org, client=client, coach=coach)


def _check_in(org, members, engagement, when, *, sober=True, craving=2):
    with time_machine.travel(when, tick=False), scope(organization=org.pk):
        services.checkin_record(
            actor=members[Role.CLIENT],
            engagement=engagement,
            sober=sober,
            craving=craving,
            mood=4,
            sleep="good",
        )


def _home(client, org, when, **headers):
    with time_machine.travel(when, tick=False):
        response = client.get(reverse("portal:coaching_home", kwargs={"org": org.slug}), **headers)
    assert response.status_code == 200
    return response.content.decode()


def test_two_weeks_of_daily_sober_checkins_count_fourteen_days(client, org, members, engagement):
    for n in range(14):
        _check_in(org, members, engagement, FIRST + timedelta(days=n))
    client.force_login(members[Role.CLIENT])
    page = _home(client, org, FIRST + timedelta(days=13, hours=1))
    assert "<strong>14</strong> days sober in a row" in page
    assert "<strong>14</strong> days of check-ins in a row" in page
    assert "without a check-in" not in page


def test_a_missed_day_does_not_restart_the_sober_count_and_is_named(
    client, org, members, engagement
):
    for n in range(14):
        if n != 10:
            _check_in(org, members, engagement, FIRST + timedelta(days=n))
    client.force_login(members[Role.CLIENT])
    page = _home(client, org, FIRST + timedelta(days=13, hours=1))
    assert "<strong>13</strong> days sober in a row" in page
    assert "Not counting 1 day without a check-in." in page
    # The check-in streak is the one a missed day ends.
    assert "<strong>3</strong> days of check-ins in a row" in page


def test_reported_use_restarts_the_sober_count(client, org, members, engagement):
    for n in range(14):
        _check_in(org, members, engagement, FIRST + timedelta(days=n), sober=n != 4)
    client.force_login(members[Role.CLIENT])
    page = _home(client, org, FIRST + timedelta(days=13, hours=1))
    assert "<strong>9</strong> days sober in a row" in page


def test_sober_run_counts_past_the_charts_thirty_days():
    today = date(2026, 12, 31)
    days = {today - timedelta(days=n): True for n in range(45)}
    days[today - timedelta(days=45)] = False
    assert selectors.sober_run(days, today) == selectors.SoberRun(days=45, missed=0)
    assert selectors.sober_run({}, today) == selectors.SoberRun(days=0, missed=0)


def test_the_craving_chart_keeps_svg_numbers_plain_in_spanish(client, org, members, engagement):
    for n in range(5):
        _check_in(org, members, engagement, FIRST + timedelta(days=n), craving=n)
    client.force_login(members[Role.CLIENT])
    page = _home(client, org, FIRST + timedelta(days=4, hours=1), HTTP_ACCEPT_LANGUAGE="es")
    svg = page[page.index("<svg") : page.index("</svg>")]
    coordinates = re.findall(r'c[xy]="([^"]*)"', svg)
    assert len(coordinates) == 10
    assert all(re.fullmatch(r"\d+(\.\d+)?", value) for value in coordinates), coordinates
    assert "," not in re.search(r'viewBox="([^"]*)"', svg).group(1)
    # The words around it are the visitor's language.
    assert "Ansia en los últimos 30 días" in svg or "últimos 30 días" in svg
