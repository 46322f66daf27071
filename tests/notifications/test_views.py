from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django_scopes import scope

from continuum.notifications.models import CalendarFeed, Notification, NotificationPreference
from tests.factories import refresh
from tests.queries import assert_queries

from .factories import NotificationFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _url(area, name, org, **kwargs):
    return reverse(f"{area}:{name}", kwargs={"org": org.slug, **kwargs})


def _inbox_items(user, org, count, start=T0):
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


def test_staff_inbox_lists_own_notifications_newest_first(client, org, members):
    coach = members["sober_coach"]
    _inbox_items(coach, org, 3)
    with scope(organization=org.pk):
        NotificationFactory(
            organization=org, recipient=members["case_manager"], subject="Not yours"
        )
    client.force_login(coach)
    response = client.get(_url("staff", "notification_inbox", org))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index("Reminder 2") < body.index("Reminder 1") < body.index("Reminder 0")
    assert "Not yours" not in body
    assert "3 unread notifications." in body


def test_portal_inbox_for_a_family_member(client, org, members):
    family = members["family_member"]
    _inbox_items(family, org, 1)
    client.force_login(family)
    response = client.get(_url("portal", "notification_inbox", org))
    assert response.status_code == 200
    assert "Reminder 0" in response.content.decode()
    assert 'href="tel:988"' in response.content.decode()  # the portal's crisis banner


def test_inbox_is_paginated(client, org, members):
    coach = members["sober_coach"]
    _inbox_items(coach, org, 23)
    client.force_login(coach)
    first = client.get(_url("staff", "notification_inbox", org)).content.decode()
    second = client.get(_url("staff", "notification_inbox", org) + "?page=2").content.decode()
    assert "Reminder 22" in first and "Reminder 3<" in first and "Reminder 2<" not in first
    assert "Reminder 2<" in second and "Reminder 0<" in second and "Reminder 22" not in second
    assert "Page 2 of 2" in second
    # A page number out of range shows the last page rather than an error.
    assert client.get(_url("staff", "notification_inbox", org) + "?page=99").status_code == 200


def test_inbox_query_count_does_not_grow_with_rows(client, org, members):
    coach = members["sober_coach"]
    _inbox_items(coach, org, 2)
    client.force_login(coach)
    url = _url("staff", "notification_inbox", org)
    # 1 session, 2 membership with organization and user, 3 paginator count, 4 unread count,
    # 5 the header's organization switcher, 6 the page's rows.
    with assert_queries(6, label="inbox"):
        client.get(url)
    _inbox_items(coach, org, 15, start=T0 + timedelta(days=1))
    with assert_queries(6, label="inbox with more rows"):
        client.get(url)


def test_navigation_links_to_the_inbox_and_loads_the_badge_lazily(client, org, members):
    client.force_login(members["sober_coach"])
    body = client.get(_url("staff", "dashboard", org)).content.decode()
    assert f'href="{_url("staff", "notification_inbox", org)}"' in body
    assert f'hx-get="{_url("staff", "notification_badge", org)}"' in body


def test_badge_shows_the_unread_count(client, org, members):
    coach = members["sober_coach"]
    items = _inbox_items(coach, org, 3)
    with scope(organization=org.pk):
        Notification.objects.filter(pk=items[0].pk).update(read_at=T0)
    client.force_login(coach)
    with assert_queries(3, label="badge"):  # session, membership with organization and user, count
        response = client.get(_url("staff", "notification_badge", org))
    assert response.content.decode().strip() == '2<span class="visually-hidden"> unread</span>'


def test_mark_read_without_javascript_redirects_back_to_the_page(client, org, members):
    coach = members["sober_coach"]
    [item] = _inbox_items(coach, org, 1)
    client.force_login(coach)
    url = _url("staff", "notification_read", org, notification_id=item.public_id)
    response = client.post(url, {"page": "2"})
    assert response.status_code == 302
    assert response["Location"] == _url("staff", "notification_inbox", org) + "?page=2"
    refresh(item)
    assert item.read_at is not None


def test_mark_read_with_htmx_returns_the_updated_inbox(client, org, members):
    person = members["client"]
    [mine] = _inbox_items(person, org, 1)
    client.force_login(person)
    url = _url("portal", "notification_read", org, notification_id=mine.public_id)
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    # The navigation badge listens for this event to refresh its count.
    assert response["HX-Trigger"] == "notifications-read"
    assert "No unread notifications." in response.content.decode()
    refresh(mine)
    assert mine.read_at is not None


def test_cannot_mark_someone_elses_notification_read(client, org, members):
    [theirs] = _inbox_items(members["case_manager"], org, 1)
    client.force_login(members["sober_coach"])
    url = _url("staff", "notification_read", org, notification_id=theirs.public_id)
    assert client.post(url).status_code == 404
    refresh(theirs)
    assert theirs.read_at is None


def test_mark_read_needs_post(client, org, members):
    [item] = _inbox_items(members["sober_coach"], org, 1)
    client.force_login(members["sober_coach"])
    url = _url("staff", "notification_read", org, notification_id=item.public_id)
    assert client.get(url).status_code == 405
    refresh(item)
    assert item.read_at is None


def test_mark_all_read(client, org, members):
    coach = members["sober_coach"]
    _inbox_items(coach, org, 3)
    [theirs] = _inbox_items(members["case_manager"], org, 1)
    client.force_login(coach)
    response = client.post(_url("staff", "notification_read_all", org), follow=True)
    body = response.content.decode()
    assert "3 notifications marked read." in body
    assert "No unread notifications." in body
    refresh(theirs)
    assert theirs.read_at is None


def test_preferences_page_saves_channels_quiet_hours_and_number(client, org, members):
    coach = members["sober_coach"]
    client.force_login(coach)
    url = _url("staff", "notification_preferences", org)
    page = client.get(url).content.decode()
    assert "General messages" in page and 'name="quiet_hours_start"' in page
    response = client.post(
        url,
        {
            "kind_general": ["in_app", "sms"],
            "quiet_hours_start": "21:00",
            "quiet_hours_end": "07:00",
            "sms_number": "+1 555 010 0199",
        },
    )
    assert response.status_code == 302
    with scope(organization=org.pk):
        preference = NotificationPreference.objects.get(organization=org, user=coach)
    assert preference.channels_by_kind["general"] == ["in_app", "sms"]
    assert str(preference.quiet_hours_start) == "21:00:00"
    assert preference.sms_number == "+1 555 010 0199"
    # The saved choices are shown when coming back.
    page = client.get(url).content.decode()
    assert 'value="sms" id="id_kind_general_2" checked' in page
    assert 'value="email" id="id_kind_general_1" checked' not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"kind_general": ["email"], "quiet_hours_start": "21:00"},
            "Give both the start and the end of quiet hours",
        ),
        ({"kind_general": ["sms"]}, "Add a mobile number to receive text messages."),
        ({"kind_general": ["email"], "quiet_hours_start": "9pm-ish"}, "Enter a valid time."),
    ],
)
def test_preferences_page_shows_errors_and_saves_nothing(client, org, members, data, message):
    client.force_login(members["family_member"])
    response = client.post(_url("portal", "notification_preferences", org), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    with scope(organization=org.pk):
        assert not NotificationPreference.objects.filter(organization=org).exists()


def test_calendar_link_create_use_and_revoke(client, org, members):
    coach = members["sober_coach"]
    client.force_login(coach)
    page = client.get(_url("staff", "calendar_link", org)).content.decode()
    assert "You have no calendar link." in page
    response = client.post(_url("staff", "calendar_link_rotate", org))
    body = response.content.decode()
    feed_url = body.split('id="feed-url" type="text" readonly value="')[1].split('"')[0]
    assert feed_url.startswith(f"http://testserver/{org.slug}/calendar/")
    client.logout()
    assert client.get(feed_url).status_code == 200
    client.force_login(coach)
    assert (
        "You have a calendar link"
        in client.get(_url("staff", "calendar_link", org)).content.decode()
    )
    client.post(_url("staff", "calendar_link_revoke", org))
    client.logout()
    assert client.get(feed_url).status_code == 404
    with scope(organization=org.pk):
        assert CalendarFeed.objects.get(user=coach).revoked_at is not None
