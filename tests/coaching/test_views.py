import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope

from coaching import services
from coaching.models import (
    Alert,
    AlertCause,
    AlertStatus,
    CheckIn,
    Contact,
    EngagementStatus,
    HighRiskEvent,
)
from continuum.notifications.models import Notification
from continuum.tenancy.models import Membership, Role
from tests.coaching.factories import AlertFactory, EngagementFactory
from tests.factories import MembershipFactory
from tests.people.factories import ClientFactory
from tests.queries import assert_queries

NY = ZoneInfo("America/New_York")
NOON = datetime(2026, 11, 12, 12, 0, tzinfo=NY)


@pytest.fixture
def setup(org, members):
    with scope(organization=org.pk):
        coach = Membership.objects.get(organization=org, user=members[Role.SOBER_COACH])
        client = ClientFactory(
            organization=org,
            portal_user=members[Role.CLIENT],
            first_name="Jordan",
            last_name="Reyes",
        )
        engagement = EngagementFactory(organization=org, client=client, coach=coach)
        services.plan_save(
            actor=None,
            engagement=engagement,
            triggers=["Payday", "Old friends"],
            people_to_call="Sam 555-0101",
        )
    return {"coach": coach, "engagement": engagement, "client": client}


def url(name, org, **kwargs):
    return reverse(name, kwargs={"org": org.slug, **kwargs})


# --- the client's portal ----------------------------------------------------------------


@time_machine.travel(NOON, tick=False)
def test_client_checks_in_from_the_portal(client, org, members, setup):
    client.force_login(members[Role.CLIENT])
    home = client.get(url("portal:coaching_home", org))
    assert home.status_code == 200
    assert b"Sober today?" in home.content and b"Payday" in home.content
    response = client.post(
        url("portal:coaching_checkin", org),
        {
            "sober": "yes",
            "craving": "8",
            "mood": "2",
            "sleep": "poor",
            "triggers": ["Payday"],
            "note": "Rough day",
        },
    )
    assert response.status_code == 302
    with scope(organization=org.pk):
        checkin = CheckIn.objects.get(engagement=setup["engagement"])
        assert (checkin.craving, checkin.triggers) == (8, ["Payday"])
        assert Alert.objects.filter(cause=AlertCause.CRAVING, status=AlertStatus.OPEN).exists()
    home = client.get(url("portal:coaching_home", org))
    assert b"You checked in today" in home.content
    assert b"<svg" in home.content and b"Craving over the last 30 days" in home.content


@time_machine.travel(NOON, tick=False)
def test_portal_checkin_bad_input_shows_field_errors_and_saves_nothing(client, org, members, setup):
    client.force_login(members[Role.CLIENT])
    response = client.post(
        url("portal:coaching_checkin", org),
        {
            "sober": "",
            "craving": "12",
            "mood": "2",
            "sleep": "poor",
            "triggers": ["Casino"],
        },
    )
    assert response.status_code == 400
    assert b"Sober today?: This field is required." in response.content
    assert b"Select a valid choice. 12 is not one of the available choices." in response.content
    with scope(organization=org.pk):
        assert CheckIn.objects.count() == 0


def test_help_now_shows_numbers_and_alerts_the_coach(client, org, members, setup):
    # Within the coach's working hours (after them the next person in the order is told).
    with time_machine.travel(datetime.combine(datetime.now(NY).date(), time(12), NY), tick=False):
        with scope(organization=org.pk):
            services.coach_profile_save(actor=None, membership=setup["coach"], phone="+1 555 0199")
        client.force_login(members[Role.CLIENT])
        page = client.get(url("portal:coaching_help", org))
        assert b"tel:988" in page.content and b"+1 555 0199" in page.content
        with scope(organization=org.pk):
            assert not Alert.objects.exists()
        response = client.post(url("portal:coaching_help", org))
    coach = members[Role.SOBER_COACH].get_full_name()
    # The truth: the person actually told, by name.
    assert (
        f"We have let {coach}, your sober coach, know; {coach} will call you today."
        in response.content.decode()
    )
    with scope(organization=org.pk):
        assert Alert.objects.get().cause == AlertCause.HELP_NOW
        rows = Notification.objects.filter(recipient=members[Role.SOBER_COACH])
        assert {(n.template, n.urgent) for n in rows} == {("safety_event", True)}


def test_plan_is_one_tap_from_the_portal(client, org, members, setup):
    client.force_login(members[Role.CLIENT])
    response = client.get(url("portal:coaching_plan", org))
    assert b"Sam 555-0101" in response.content


# --- staff ------------------------------------------------------------------------------


def test_coach_logs_a_contact(client, org, members, setup):
    client.force_login(members[Role.SOBER_COACH])
    e = setup["engagement"]
    target = url("staff:coaching_contact_new", org, engagement_id=e.public_id)
    assert client.get(target).status_code == 200
    response = client.post(
        target,
        {
            "kind": "accompaniment",
            "accompaniment": "meeting",
            "started_at": "2026-11-01T18:00",
            "duration_minutes": "90",
            "summary": "NA home group",
            "risk_observed": "low",
            "plan_follow_through": "yes",
        },
    )
    assert response.status_code == 302
    with scope(organization=org.pk):
        contact = Contact.objects.get(engagement=e)
        assert (contact.accompaniment, contact.duration_minutes) == ("meeting", 90)


def test_contact_bad_input_is_refused_with_field_errors(client, org, members, setup):
    client.force_login(members[Role.SOBER_COACH])
    e = setup["engagement"]
    response = client.post(
        url("staff:coaching_contact_new", org, engagement_id=e.public_id),
        {
            "kind": "accompaniment",
            "accompaniment": "",
            "started_at": "2026-11-01T18:00",
            "duration_minutes": "0",
            "risk_observed": "low",
            "plan_follow_through": "yes",
        },
    )
    assert response.status_code == 400
    assert b"Minutes: Ensure this value is greater than or equal to 1" in response.content
    with scope(organization=org.pk):
        assert not Contact.objects.exists()


def test_case_manager_acknowledges_an_escalated_alert(client, org, members, setup):
    with scope(organization=org.pk):
        alert = AlertFactory(
            organization=org, engagement=setup["engagement"], cause=AlertCause.MISSED_CHECKIN
        )
    client.force_login(members[Role.ORG_ADMIN])
    response = client.post(
        url("staff:coaching_alert_acknowledge", org, coaching_alert_id=alert.public_id)
    )
    assert response.status_code == 302
    with scope(organization=org.pk):
        alert.refresh_from_db()
        assert alert.status == AlertStatus.ACKNOWLEDGED
        assert alert.acknowledged_by == members[Role.ORG_ADMIN]


def test_ending_early_without_reason_is_refused(client, org, members, setup):
    client.force_login(members[Role.SOBER_COACH])
    e = setup["engagement"]
    response = client.post(
        url("staff:coaching_engagement_status", org, engagement_id=e.public_id),
        {"status": "ended_early", "reason": ""},
        follow=True,
    )
    assert b"Say why the engagement is ending early." in response.content
    with scope(organization=org.pk):
        e.refresh_from_db()
        assert e.status == EngagementStatus.ACTIVE


def test_coach_without_the_engagement_gets_404(client, org, setup):
    from tests.factories import UserFactory

    with scope(organization=org.pk):
        other = MembershipFactory(organization=org, user=UserFactory(), roles=[Role.SOBER_COACH])
    client.force_login(other.user)
    e = setup["engagement"]
    assert (
        client.get(url("staff:coaching_engagement", org, engagement_id=e.public_id)).status_code
        == 404
    )


# session, membership with organization and user (tenant middleware: 2); the caseload's
# count (1) and its page ranked by risk in one statement (1); the schedule (1); the open alerts (1);
# one audit insert for the engagements, alerts and hard days shown (1); the organization
# switcher in the page header (1).
DASHBOARD_QUERIES = 8


def _add_engagements(org, coach, n):
    with scope(organization=org.pk):
        for i in range(n):
            e = EngagementFactory(
                organization=org,
                client=ClientFactory(organization=org, last_name=f"Client{i}", first_name="Jordan"),
                coach=coach,
            )
            AlertFactory(organization=org, engagement=e, cause=AlertCause.CRAVING)
            CheckIn.objects.create(
                organization=org,
                engagement=e,
                day=NOON.date(),
                sober=True,
                craving=4,
                mood=3,
                sleep="good",
            )


@time_machine.travel(NOON, tick=False)
def test_dashboard_ranks_by_risk_in_constant_queries(client, org, members, setup):
    client.force_login(members[Role.SOBER_COACH])
    target = url("staff:coaching_dashboard", org)
    _add_engagements(org, setup["coach"], 2)
    with assert_queries(DASHBOARD_QUERIES, label="dashboard"):
        response = client.get(target)
    _add_engagements(org, setup["coach"], 3)
    with scope(organization=org.pk):
        for days in (1, 2):
            HighRiskEvent.objects.create(
                organization=org,
                engagement=setup["engagement"],
                title=f"Hard day {days}",
                starts_at=NOON + timedelta(days=days),
                created_by=members[Role.CLIENT],
            )
    with assert_queries(DASHBOARD_QUERIES, label="dashboard with more clients"):
        response = client.get(target)
    body = response.content.decode()
    alerts, rows = body.split("My clients by risk")
    # Each alert names its client; each hard day ahead names the client too.
    assert all(f"Client{i}" in alerts for i in range(3))
    assert "Jordan Reyes: Hard day 1" in body and "Jordan Reyes: Hard day 2" in body
    # Clients with an open alert rank above the one without.
    assert rows.index("Client0") < rows.index("Jordan Reyes")


@time_machine.travel(NOON, tick=False)
def test_dashboard_computes_each_risk_indicator(client, org, members, setup):
    """Risk = 30 per open alert + 3 per silent day (up to 14) + 1 per 5 points of missed
    check-ins + 5 per point of rising craving + 10 at the craving threshold."""
    e = setup["engagement"]
    today = NOON.date()
    with scope(organization=org.pk):
        AlertFactory(organization=org, engagement=e, cause=AlertCause.CRAVING)
        Contact.objects.create(
            organization=org,
            engagement=e,
            kind="phone",
            started_at=NOON - timedelta(days=4, hours=2),
            duration_minutes=10,
            logged_by=members[Role.SOBER_COACH],
        )
        # This week: 3 of 7 days, craving 8, 9, 7 (average 8.0); the week before: 5.0.
        for days_ago, craving in ((0, 8), (1, 9), (3, 7), (8, 5), (10, 5)):
            CheckIn.objects.create(
                organization=org,
                engagement=e,
                day=today - timedelta(days=days_ago),
                sober=True,
                craving=craving,
                mood=3,
                sleep="good",
            )
        e.craving_threshold = 8
        e.save(update_fields=["craving_threshold"])
    client.force_login(members[Role.SOBER_COACH])
    response = client.get(url("staff:coaching_dashboard", org))
    row = response.content.decode().split("My clients by risk")[1].split("</tr>")[1]
    cells = [c.split(">", 1)[1].split("</td>")[0] for c in row.split("<td")[1:]]
    # 30 (alert) + 12 (4 silent days) + 11 (43 % adherence: 57 points missed) + 15
    # (craving up 3 points) + 10 (at the threshold), each part named beside the score.
    assert "Risk 78: high" in cells[0]
    parts = re.findall(r"<li>([^<]+)</li>", cells[0])
    assert parts == [
        "1 open alert (30)",
        "cravings rising (15)",
        "4 days without contact (12)",
        "check-ins 43% this week (11)",
        "cravings at the threshold (10)",
    ]
    assert cells[1:] == ["1", "4", "43%", "8.0 (was 5.0)"]


@time_machine.travel(NOON, tick=False)
def test_dashboard_pages_the_caseload_highest_risk_first(client, org, members, setup, monkeypatch):
    from coaching import views

    monkeypatch.setattr(views, "CASELOAD_PER_PAGE", 2)
    _add_engagements(org, setup["coach"], 2)
    client.force_login(members[Role.SOBER_COACH])
    target = url("staff:coaching_dashboard", org)
    first = client.get(target).content.decode().split("My clients by risk")[1]
    assert first.count('scope="row"') == 2 and "Jordan Reyes" not in first
    assert "Client0" in first and "Client1" in first and "Page 1 of 2" in first
    second = client.get(target, {"page": 2}).content.decode().split("My clients by risk")[1]
    assert second.count('scope="row"') == 1 and "Jordan Reyes" in second
    # A page that does not exist shows the last one, not an error.
    for bad in ("x", "99"):
        response = client.get(target, {"page": bad})
        assert response.status_code == 200


@time_machine.travel(NOON, tick=False)
def test_dashboard_records_a_read_of_each_engagement_shown(client, org, members, setup):
    from continuum.audit.models import AuditEvent

    _add_engagements(org, setup["coach"], 2)
    client.force_login(members[Role.SOBER_COACH])
    assert client.get(url("staff:coaching_dashboard", org)).status_code == 200
    with scope(organization=org.pk):
        events = AuditEvent.objects.filter(action="engagement.viewed")
        shown = {(e.object_id, str(e.client_id)) for e in events}
        engagements = setup["coach"].coaching_engagements.select_related("client")
        expected = {(str(e.public_id), str(e.client.public_id)) for e in engagements}
        assert shown == expected
        assert {e.actor for e in events} == {members[Role.SOBER_COACH]}


@time_machine.travel(NOON, tick=False)
def test_dashboard_records_a_read_of_each_alert_and_hard_day_shown(client, org, members, setup):
    from continuum.audit.models import AuditEvent

    e = setup["engagement"]
    with scope(organization=org.pk):
        alert = AlertFactory(organization=org, engagement=e, cause=AlertCause.CRAVING)
        day = HighRiskEvent.objects.create(
            organization=org,
            engagement=e,
            title="Anniversary",
            starts_at=NOON + timedelta(days=1),
            created_by=members[Role.CLIENT],
        )
    client.force_login(members[Role.SOBER_COACH])
    assert client.get(url("staff:coaching_dashboard", org)).status_code == 200
    with scope(organization=org.pk):
        reads = {
            (ev.action, ev.object_id, str(ev.client_id))
            for ev in AuditEvent.objects.filter(action__in=["alert.viewed", "highriskevent.viewed"])
        }
    client_id = str(e.client.public_id)
    assert reads == {
        ("alert.viewed", str(alert.public_id), client_id),
        ("highriskevent.viewed", str(day.public_id), client_id),
    }


def test_engagement_list_records_a_read_of_each_engagement_shown(client, org, members, setup):
    from continuum.audit.models import AuditEvent

    client.force_login(members[Role.ORG_ADMIN])
    assert client.get(url("staff:coaching_engagements", org)).status_code == 200
    with scope(organization=org.pk):
        reads = {
            (ev.object_id, str(ev.client_id))
            for ev in AuditEvent.objects.filter(action="engagement.viewed")
        }
    e = setup["engagement"]
    assert reads == {(str(e.public_id), str(e.client.public_id))}


def test_dashboard_access(client, org, members, outsider, setup):
    target = url("staff:coaching_dashboard", org)
    response = client.get(target)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(outsider)
    assert client.get(target).status_code == 404
    client.force_login(members[Role.INTERVENTIONIST])
    assert client.get(target).status_code == 403
    client.force_login(members[Role.ORG_ADMIN])
    assert client.get(target).status_code == 200


def _count(client, target):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(target).status_code == 200
    return len(ctx.captured_queries)


# request setup (as above), the engagement, its audit row, check-ins, plan, contacts,
# alerts, meetings, report aggregates: constant whatever the number of rows.
DETAIL_QUERIES = 19


def test_engagement_detail_query_count_does_not_grow(client, org, members, setup):
    client.force_login(members[Role.SOBER_COACH])
    e = setup["engagement"]
    target = url("staff:coaching_engagement", org, engagement_id=e.public_id)
    with assert_queries(DETAIL_QUERIES, label="engagement detail"):
        client.get(target)
    with scope(organization=org.pk):
        for day in range(1, 6):
            services.contact_log(
                actor=members[Role.SOBER_COACH],
                engagement=e,
                kind="phone",
                started_at=datetime(2026, 11, day, 9, tzinfo=NY),
                duration_minutes=15,
            )
            AlertFactory(
                organization=org, engagement=e, cause=AlertCause.CRAVING, status=AlertStatus.CLEARED
            )
    with assert_queries(DETAIL_QUERIES, label="engagement detail"):
        response = client.get(target)
    assert b"Phone: 1.2 h" in response.content


def test_propose_engagement_page(client, org, members, setup):
    with scope(organization=org.pk):
        other = ClientFactory(organization=org, first_name="Alex", last_name="Moss")
    client.force_login(members[Role.ORG_ADMIN])
    target = url("staff:coaching_engagement_new", org)
    bad = client.post(
        target,
        {
            "client": str(setup["client"].pk),
            "intensity": "daily",
            "starts_on": "2026-11-10",
            "planned_end_on": "2026-11-01",
            "checkin_due_time": "21:00",
            "missed_checkin_days": "1",
            "craving_threshold": "7",
            "no_contact_days": "3",
            "acknowledge_within_minutes": "60",
        },
    )
    assert b"already has an open coaching engagement" in bad.content
    bad_dates = client.post(
        target,
        {
            "client": str(other.pk),
            "intensity": "daily",
            "starts_on": "2026-11-10",
            "planned_end_on": "2026-11-01",
            "checkin_due_time": "21:00",
            "missed_checkin_days": "1",
            "craving_threshold": "11",
            "no_contact_days": "3",
            "acknowledge_within_minutes": "60",
        },
    )
    assert b"Ensure this value is less than or equal to 10" in bad_dates.content
    with scope(organization=org.pk):
        assert not other.engagements.exists()
    response = client.post(
        target,
        {
            "client": str(other.pk),
            "coach": str(setup["coach"].pk),
            "intensity": "daily",
            "starts_on": "2026-11-10",
            "checkin_due_time": "20:00",
            "missed_checkin_days": "2",
            "craving_threshold": "6",
            "no_contact_days": "3",
            "acknowledge_within_minutes": "30",
        },
    )
    assert response.status_code == 302
    with scope(organization=org.pk):
        engagement = other.engagements.get()
        assert (engagement.status, engagement.craving_threshold) == ("proposed", 6)


def test_coach_writes_the_relapse_prevention_plan(client, org, members, setup):
    client.force_login(members[Role.SOBER_COACH])
    e = setup["engagement"]
    target = url("staff:coaching_plan_edit", org, engagement_id=e.public_id)
    assert b"Payday" in client.get(target).content
    response = client.post(target, {"triggers": "Payday\nBars\npayday", "people_to_call": "Ana"})
    assert response.status_code == 302
    with scope(organization=org.pk):
        assert e.plans.get().triggers == ["Payday", "Bars"]


def test_client_adds_a_hard_day_and_bad_input_is_refused(client, org, members, setup):
    client.force_login(members[Role.CLIENT])
    target = url("portal:coaching_event_new", org)
    bad = client.post(target, {"title": "", "starts_at": "2020-01-01T10:00", "extra_contacts": 1})
    assert b"What is coming up: This field is required." in bad.content
    with time_machine.travel(NOON, tick=False):
        past = client.post(
            target, {"title": "Wedding", "starts_at": "2026-11-01T10:00", "extra_contacts": 1}
        )
        assert b"Choose a time in the future." in past.content
        ok = client.post(
            target, {"title": "Wedding", "starts_at": "2026-11-20T16:00", "extra_contacts": 1}
        )
    assert ok.status_code == 302
    with scope(organization=org.pk):
        assert [e.title for e in setup["engagement"].high_risk_events.all()] == ["Wedding"]


def test_sobriety_test_needs_monitoring_in_the_engagement(client, org, members, setup):
    client.force_login(members[Role.SOBER_COACH])
    e = setup["engagement"]
    target = url("staff:coaching_test_new", org, engagement_id=e.public_id)
    response = client.post(
        target, {"tested_on": "2026-11-01", "kind": "urine", "result": "negative"}
    )
    assert b"Sobriety monitoring is not part of this engagement." in response.content
    with scope(organization=org.pk):
        assert not e.sobriety_tests.exists()


def test_coach_records_a_verified_meeting(client, org, members, setup):
    client.force_login(members[Role.SOBER_COACH])
    e = setup["engagement"]
    response = client.post(
        url("staff:coaching_meeting_new", org, engagement_id=e.public_id),
        {"fellowship": "na", "attended_on": "2026-11-01", "verified": "on"},
    )
    assert response.status_code == 302
    with scope(organization=org.pk):
        assert e.meetings.get().verified_by == members[Role.SOBER_COACH]


def test_coach_saves_profile_and_appears_in_the_list(client, org, members, setup):
    client.force_login(members[Role.SOBER_COACH])
    target = url("staff:coaching_profile", org)
    bad = client.post(target, {"capacity": "-1", "hours_start": "08:00", "hours_end": "20:00"})
    assert b"Ensure this value is greater than or equal to 0" in bad.content
    response = client.post(
        target,
        {
            "specialties": ["veterans"],
            "languages": "en, es",
            "capacity": "6",
            "hours_start": "08:00",
            "hours_end": "20:00",
            "accepting_clients": "on",
        },
    )
    assert response.status_code == 302
    listing = client.get(url("staff:coaching_coaches", org)).content.decode()
    assert "veterans" in listing and "en, es" in listing and "1 / 6" in listing


# session, membership with organization and user (tenant middleware: 2); the
# engagements with client and coach joined (1); one audit insert for the engagements shown (1); the
# organization switcher in the page header (1).
LIST_QUERIES = 5


def test_engagement_list_query_count_does_not_grow(client, org, members, setup):
    client.force_login(members[Role.ORG_ADMIN])
    target = url("staff:coaching_engagements", org)
    with assert_queries(LIST_QUERIES, label="engagement list"):
        client.get(target)
    _add_engagements(org, setup["coach"], 4)
    with assert_queries(LIST_QUERIES, label="engagement list with more rows"):
        response = client.get(target)
    assert response.content.decode().count("Several times a week") == 5


def test_contacts_outliers_and_alerts_are_on_the_client_timeline(org, members, setup):
    from continuum.care.timeline import client_timeline

    with scope(organization=org.pk), time_machine.travel(NOON, tick=False):
        e = setup["engagement"]
        services.contact_log(
            actor=members[Role.SOBER_COACH],
            engagement=e,
            kind="video",
            started_at=datetime(2026, 11, 11, 9, tzinfo=NY),
            duration_minutes=30,
        )
        services.checkin_record(
            actor=None, engagement=e, sober=True, craving=2, mood=3, sleep="good"
        )
        CheckIn.objects.create(
            organization=org,
            engagement=e,
            day=NOON.date().replace(day=10),
            sober=False,
            craving=9,
            mood=1,
            sleep="poor",
        )
        services.help_request(actor=None, client=setup["client"], engagement=e)
        titles = [
            entry.title
            for entry in client_timeline(client=setup["client"], organization=org).entries
        ]
    assert "Coach contact: Video" in titles
    assert "Check-in: reported use, craving 9/10" in titles
    assert "Coaching alert: Asked for help now" in titles
    assert "Safety event: Asked for help now" in titles
    assert not any(t == "Check-in: " for t in titles)  # ordinary check-ins stay off
