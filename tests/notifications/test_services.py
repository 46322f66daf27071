from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope

from continuum.audit.models import AuditEvent
from continuum.notifications.models import (
    CalendarFeed,
    Channel,
    Notification,
    NotificationPreference,
    Status,
)
from continuum.notifications.selectors import calendar_feed_by_token
from continuum.notifications.services import (
    calendar_feed_revoke,
    calendar_feed_rotate,
    notification_cancel,
    notification_mark_all_read,
    notification_mark_read,
    notification_schedule,
    preferences_update,
)

from .factories import NotificationFactory

pytestmark = pytest.mark.django_db

# Harbor's time zone is America/New_York (UTC-5 in January).
WINTER_EVENING = datetime(2026, 1, 15, 3, 30, tzinfo=UTC)  # 22:30 in New York
WINTER_MORNING_END = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)  # 07:00 in New York


def _schedule(org, user, **overrides):
    values = {
        "organization": org,
        "recipient": user,
        "template": "general",
        "context": {"subject": "Check-in due", "body": "Please check in today."},
        "dedup_key": "checkin:1",
    }
    values.update(overrides)
    return notification_schedule(**values)


def test_schedule_is_idempotent_on_the_dedup_key(org, members, in_org):
    coach = members["sober_coach"]
    first = _schedule(org, coach)
    again = _schedule(org, coach, context={"subject": "Changed", "body": "x"})
    assert again.pk == first.pk
    assert again.context["subject"] == "Check-in due"
    assert Notification.objects.filter(organization=org).count() == 1
    assert AuditEvent.objects.filter(action="notification.scheduled").count() == 1


def test_the_same_dedup_key_in_another_organization_is_a_different_notification(
    org, other_org, members, outsider
):
    with scope(organization=org.pk):
        mine = _schedule(org, members["sober_coach"])
    with scope(organization=other_org.pk):
        theirs = _schedule(other_org, outsider)
    assert mine.pk != theirs.pk


def test_default_channels_come_from_the_recipients_preferences(org, members, in_org):
    coach = members["sober_coach"]
    assert _schedule(org, coach, dedup_key="a").channels == [Channel.IN_APP, Channel.EMAIL]
    preferences_update(
        actor=coach,
        organization=org,
        channels_by_kind={"general": [Channel.SMS, Channel.IN_APP]},
        quiet_hours_start=None,
        quiet_hours_end=None,
        sms_number="+1 555 010 0199",
    )
    assert _schedule(org, coach, dedup_key="b").channels == [Channel.IN_APP, Channel.SMS]
    # An explicit channel wins over preferences.
    assert _schedule(org, coach, dedup_key="c", channel=Channel.EMAIL).channels == ["email"]


def test_a_kind_turned_off_entirely_is_recorded_as_cancelled(org, members, in_org):
    coach = members["sober_coach"]
    preferences_update(
        actor=coach,
        organization=org,
        channels_by_kind={"general": []},
        quiet_hours_start=None,
        quiet_hours_end=None,
    )
    notification = _schedule(org, coach)
    assert notification.status == Status.CANCELLED
    assert "turned off" in notification.last_error


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"template": "no_such_template"}, "template"),
        ({"channel": "pigeon"}, "channel"),
        ({"dedup_key": ""}, "dedup_key"),
        ({"context": {"when": datetime(2026, 1, 1, tzinfo=UTC)}}, "context"),
    ],
)
def test_schedule_refuses_bad_input_and_saves_nothing(org, members, in_org, overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        _schedule(org, members["sober_coach"], **overrides)
    assert field in excinfo.value.error_dict
    assert not Notification.objects.filter(organization=org).exists()


def test_schedule_refuses_a_recipient_outside_the_organization(org, outsider, in_org):
    with pytest.raises(ValidationError) as excinfo:
        _schedule(org, outsider)
    assert "recipient" in excinfo.value.error_dict
    assert not Notification.objects.filter(organization=org).exists()


def _quiet_hours(org, user):
    preferences_update(
        actor=user,
        organization=org,
        channels_by_kind={},
        quiet_hours_start=time(21, 0),
        quiet_hours_end=time(7, 0),
    )


@time_machine.travel(WINTER_EVENING, tick=False)
def test_non_urgent_notification_due_in_quiet_hours_waits_until_they_end(org, members, in_org):
    coach = members["sober_coach"]
    _quiet_hours(org, coach)
    notification = _schedule(org, coach)
    assert notification.due_at == WINTER_EVENING
    assert notification.available_at == WINTER_MORNING_END


@time_machine.travel(WINTER_EVENING, tick=False)
def test_urgent_notification_goes_through_quiet_hours(org, members, in_org):
    coach = members["sober_coach"]
    _quiet_hours(org, coach)
    notification = _schedule(org, coach, urgent=True)
    assert notification.available_at == WINTER_EVENING


@time_machine.travel(WINTER_EVENING, tick=False)
def test_notification_due_after_quiet_hours_is_not_moved(org, members, in_org):
    coach = members["sober_coach"]
    _quiet_hours(org, coach)
    later = datetime(2026, 1, 15, 14, 0, tzinfo=UTC)  # 09:00 in New York
    assert _schedule(org, coach, due_at=later).available_at == later


@time_machine.travel(datetime(2026, 1, 15, 6, 0, tzinfo=UTC), tick=False)
def test_quiet_hours_after_midnight_end_the_same_morning(org, members, in_org):
    coach = members["sober_coach"]
    _quiet_hours(org, coach)  # 01:00 in New York is inside 21:00-07:00
    assert _schedule(org, coach).available_at == WINTER_MORNING_END


def test_cancel_stops_a_pending_notification_only(org, members, in_org):
    coach = members["sober_coach"]
    _schedule(org, coach)
    assert notification_cancel(organization=org, dedup_key="checkin:1") is True
    assert Notification.objects.get(dedup_key="checkin:1").status == Status.CANCELLED
    # Already cancelled, or never scheduled: nothing to do.
    assert notification_cancel(organization=org, dedup_key="checkin:1") is False
    assert notification_cancel(organization=org, dedup_key="nope") is False


def test_mark_read_and_mark_all_read(org, members, in_org):
    coach = members["sober_coach"]
    first, second = NotificationFactory.create_batch(2, organization=org, recipient=coach)
    NotificationFactory(organization=org, recipient=members["case_manager"])
    notification_mark_read(actor=coach, notification=first)
    first.refresh_from_db()
    assert first.read_at is not None
    assert notification_mark_all_read(actor=coach, organization=org) == 1
    second.refresh_from_db()
    assert second.read_at is not None
    # The colleague's notification is untouched.
    assert Notification.objects.filter(recipient=members["case_manager"], read_at=None).count() == 1


def test_mark_read_refuses_someone_elses_notification(org, members, in_org):
    notification = NotificationFactory(organization=org, recipient=members["case_manager"])
    with pytest.raises(ValidationError):
        notification_mark_read(actor=members["sober_coach"], notification=notification)
    notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"quiet_hours_start": time(22, 0)}, "quiet_hours_end"),
        ({"quiet_hours_start": time(22, 0), "quiet_hours_end": time(22, 0)}, "quiet_hours_end"),
        ({"sms_number": "call me"}, "sms_number"),
        ({"channels_by_kind": {"general": ["sms"]}}, "sms_number"),
        ({"channels_by_kind": {"general": ["fax"]}}, "kind_general"),
        ({"channels_by_kind": {"unknown_kind": ["email"]}}, "channels_by_kind"),
    ],
)
def test_preferences_update_refuses_bad_input(org, members, in_org, values, field):
    arguments = {
        "channels_by_kind": {},
        "quiet_hours_start": None,
        "quiet_hours_end": None,
        "sms_number": "",
        **values,
    }
    with pytest.raises(ValidationError) as excinfo:
        preferences_update(actor=members["sober_coach"], organization=org, **arguments)
    assert field in excinfo.value.error_dict
    assert not NotificationPreference.objects.filter(organization=org).exists()


def test_calendar_feed_rotation_replaces_the_old_link(org, members, in_org):
    coach = members["sober_coach"]
    _, first = calendar_feed_rotate(actor=coach, organization=org)
    assert calendar_feed_by_token(organization=org, token=first).user == coach
    _, second = calendar_feed_rotate(actor=coach, organization=org)
    assert calendar_feed_by_token(organization=org, token=first) is None
    assert calendar_feed_by_token(organization=org, token=second).user == coach
    # Only the hash is stored.
    assert not CalendarFeed.objects.filter(token_hash=second).exists()
    assert calendar_feed_revoke(actor=coach, organization=org) is True
    assert calendar_feed_by_token(organization=org, token=second) is None
    assert calendar_feed_revoke(actor=coach, organization=org) is False
    actions = list(
        AuditEvent.objects.filter(action__startswith="calendar_feed").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == [
        "calendar_feed.created",
        "calendar_feed.revoked",
        "calendar_feed.rotated",
    ]


def test_a_feed_token_does_not_open_another_organizations_calendar(org, other_org, members, in_org):
    _, token = calendar_feed_rotate(actor=members["sober_coach"], organization=org)
    with scope(organization=other_org.pk):
        assert calendar_feed_by_token(organization=other_org, token=token) is None


def test_urgent_means_sent_at_once_on_the_urgent_queue(
    org, members, in_org, monkeypatch, django_capture_on_commit_callbacks
):
    from continuum.notifications import tasks

    sent = []
    monkeypatch.setattr(
        tasks.deliver_urgent_notification, "apply_async", lambda *a, **kw: sent.append(kw)
    )
    coach = members["sober_coach"]
    with django_capture_on_commit_callbacks(execute=True):
        urgent = _schedule(org, coach, dedup_key="urgent:1", urgent=True)
        _schedule(org, coach, dedup_key="ordinary:1")
        # Urgent but due tomorrow: the beat sends it when it is due.
        _schedule(
            org,
            coach,
            dedup_key="urgent:later",
            urgent=True,
            due_at=timezone.now() + timedelta(days=1),
        )
    assert [kw["kwargs"] for kw in sent] == [
        {"organization_id": org.pk, "notification_id": urgent.pk}
    ]
    assert tasks.deliver_urgent_notification.queue == "urgent"
