from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope

from coaching.models import Alert, AlertCause, AlertStatus, CheckIn, Contact
from continuum.tenancy.models import Membership, Role
from tests.coaching.factories import AlertFactory, EngagementFactory
from tests.people.factories import ClientFactory

NOON = datetime(2026, 11, 12, 12, 0, tzinfo=ZoneInfo("America/New_York"))


@pytest.fixture
def engagement(org, members):
    with scope(organization=org.pk):
        coach = Membership.objects.get(organization=org, user=members[Role.SOBER_COACH])
        client = ClientFactory(
            organization=org,
            portal_user=members[Role.CLIENT],
            first_name="Jordan",
            last_name="Reyes",
        )
        return EngagementFactory(organization=org, client=client, coach=coach)


def api(name, org, **kwargs):
    return reverse(f"api:{name}", kwargs={"org": org.slug, **kwargs})


def test_coach_lists_engagements_and_logs_a_contact(client, org, members, engagement):
    client.force_login(members[Role.SOBER_COACH])
    listing = client.get(api("coaching_engagements", org)).json()
    assert [e["id"] for e in listing["results"]] == [str(engagement.public_id)]
    target = api("coaching_contacts", org, engagement_id=engagement.public_id)
    response = client.post(
        target,
        {"kind": "phone", "started_at": "2026-11-01T10:00:00Z", "duration_minutes": 25},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert client.get(target).json()["results"][0]["duration_minutes"] == 25


def test_contact_bad_input_is_field_errors_and_nothing_saved(client, org, members, engagement):
    client.force_login(members[Role.SOBER_COACH])
    target = api("coaching_contacts", org, engagement_id=engagement.public_id)
    response = client.post(
        target, {"kind": "carrier pigeon", "duration_minutes": 0}, content_type="application/json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"kind", "started_at", "duration_minutes"}
    with scope(organization=org.pk):
        assert not Contact.objects.exists()


def test_case_manager_cannot_log_contacts(client, org, members, engagement):
    client.force_login(members[Role.CASE_MANAGER])
    target = api("coaching_contacts", org, engagement_id=engagement.public_id)
    response = client.post(
        target,
        {"kind": "phone", "started_at": "2026-11-01T10:00:00Z", "duration_minutes": 5},
        content_type="application/json",
    )
    assert response.status_code == 403
    with scope(organization=org.pk):
        assert not Contact.objects.exists()


@time_machine.travel(NOON, tick=False)
def test_client_checks_in_through_the_api(client, org, members, engagement):
    client.force_login(members[Role.CLIENT])
    target = api("coaching_my_checkins", org)
    response = client.post(
        target,
        {"sober": False, "craving": 3, "mood": 2, "sleep": "fair"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    again = client.post(
        target,
        {"sober": True, "craving": 3, "mood": 2, "sleep": "fair"},
        content_type="application/json",
    )
    assert again.status_code == 400
    with scope(organization=org.pk):
        assert CheckIn.objects.count() == 1
        assert Alert.objects.get().cause == AlertCause.REPORTED_USE


def test_alerts_list_and_acknowledge(client, org, members, engagement):
    with scope(organization=org.pk):
        alert = AlertFactory(organization=org, engagement=engagement, cause=AlertCause.NO_CONTACT)
    client.force_login(members[Role.SOBER_COACH])
    assert client.get(api("coaching_alerts", org)).json()["results"][0]["cause"] == "no_contact"
    response = client.post(
        api("coaching_alert_acknowledge", org, coaching_alert_id=alert.public_id)
    )
    assert response.json()["status"] == AlertStatus.ACKNOWLEDGED
    again = client.post(api("coaching_alert_acknowledge", org, coaching_alert_id=alert.public_id))
    assert again.status_code == 400


def test_engagement_detail_is_audited(client, org, members, engagement):
    from continuum.audit.models import AuditEvent

    client.force_login(members[Role.SOBER_COACH])
    response = client.get(api("coaching_engagement", org, engagement_id=engagement.public_id))
    assert response.json()["client_name"] == "Jordan Reyes"
    with scope(organization=org.pk):
        event = AuditEvent.objects.get(action="engagement.viewed")
    assert event.client_id == engagement.client.public_id
