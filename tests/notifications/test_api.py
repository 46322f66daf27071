from datetime import UTC, datetime, timedelta

import pytest
from django_scopes import scope
from rest_framework.test import APIClient

from continuum.notifications.models import Notification, NotificationPreference
from tests.factories import refresh
from tests.queries import assert_queries

from .factories import NotificationFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def api():
    return APIClient()


def _items(org, user, count, start=T0):
    with scope(organization=org.pk):
        return [
            NotificationFactory(
                organization=org,
                recipient=user,
                subject=f"Reminder {i}",
                in_app_delivered_at=start + timedelta(minutes=i),
            )
            for i in range(count)
        ]


def test_list_my_notifications_newest_first_with_unread_filter(api, org, members):
    coach = members["sober_coach"]
    _, second, third = _items(org, coach, 3)
    _items(org, members["case_manager"], 1)
    with scope(organization=org.pk):
        Notification.objects.filter(pk=second.pk).update(read_at=T0)
    api.force_authenticate(coach)
    data = api.get(f"/api/v1/{org.slug}/notifications/").json()
    assert data["count"] == 3
    assert [n["subject"] for n in data["results"]] == ["Reminder 2", "Reminder 1", "Reminder 0"]
    assert data["results"][0]["id"] == str(third.public_id)
    assert data["results"][0]["kind"] == "general"
    assert data["results"][1]["unread"] is False
    unread = api.get(f"/api/v1/{org.slug}/notifications/?unread=true").json()
    assert [n["subject"] for n in unread["results"]] == ["Reminder 2", "Reminder 0"]


def test_list_refuses_a_bad_unread_filter(api, org, members):
    api.force_authenticate(members["sober_coach"])
    response = api.get(f"/api/v1/{org.slug}/notifications/?unread=perhaps")
    assert response.status_code == 400
    assert "unread" in response.json()


def test_list_query_count_does_not_grow_with_rows(api, org, members):
    coach = members["sober_coach"]
    _items(org, coach, 2)
    api.force_authenticate(coach)
    url = f"/api/v1/{org.slug}/notifications/"
    # 1 organization, 2 membership, 3 count, 4 rows.
    with assert_queries(4, label="notification list"):
        api.get(url)
    _items(org, coach, 10, start=T0 + timedelta(days=1))
    with assert_queries(4, label="notification list with more rows"):
        api.get(url)


def test_mark_read_and_mark_all_read(api, org, members):
    coach = members["sober_coach"]
    first, *_ = _items(org, coach, 3)
    api.force_authenticate(coach)
    response = api.post(f"/api/v1/{org.slug}/notifications/{first.public_id}/read/")
    assert response.status_code == 200
    assert response.json()["unread"] is False
    response = api.post(f"/api/v1/{org.slug}/notifications/read-all/")
    assert response.json() == {"marked": 2}
    with scope(organization=org.pk):
        assert not Notification.objects.filter(recipient=coach, read_at=None).exists()


def test_cannot_mark_a_colleagues_notification(api, org, members):
    [theirs] = _items(org, members["case_manager"], 1)
    api.force_authenticate(members["sober_coach"])
    response = api.post(f"/api/v1/{org.slug}/notifications/{theirs.public_id}/read/")
    assert response.status_code == 404
    refresh(theirs)
    assert theirs.read_at is None


def test_preferences_get_and_put(api, org, members):
    api.force_authenticate(members["client"])
    url = f"/api/v1/{org.slug}/notification-preferences/"
    assert api.get(url).json() == {
        "channels_by_kind": {},
        "quiet_hours_start": None,
        "quiet_hours_end": None,
        "sms_number": "",
    }
    payload = {
        "channels_by_kind": {"general": ["sms"]},
        "quiet_hours_start": "22:00",
        "quiet_hours_end": "06:30",
        "sms_number": "+15550100199",
    }
    response = api.put(url, payload, format="json")
    assert response.status_code == 200
    assert api.get(url).json() == {
        **payload,
        "quiet_hours_start": "22:00:00",
        "quiet_hours_end": "06:30:00",
    }


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"channels_by_kind": {"general": ["pigeon"]}}, "channels_by_kind"),
        ({"quiet_hours_start": "22:00"}, "quiet_hours_end"),
        ({"quiet_hours_start": "late"}, "quiet_hours_start"),
        ({"channels_by_kind": {"general": ["sms"]}}, "sms_number"),
        ({"channels_by_kind": {"no_such_kind": ["email"]}}, "channels_by_kind"),
    ],
)
def test_preferences_put_refuses_bad_input(api, org, members, payload, field):
    api.force_authenticate(members["client"])
    response = api.put(f"/api/v1/{org.slug}/notification-preferences/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    with scope(organization=org.pk):
        assert not NotificationPreference.objects.exists()
