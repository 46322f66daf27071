import itertools
import json
import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django_scopes import scope

from continuum.notifications import services
from continuum.notifications.engine import claim as engine_claim
from continuum.notifications.models import Channel, Delivery, Notification, Status
from continuum.notifications.services import (
    notification_claim_due,
    notification_deliver_due,
    notification_schedule,
    preferences_update,
)
from continuum.notifications.tasks import deliver_due_notifications
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def _schedule(org, user, key="k1", **overrides):
    values = {
        "organization": org,
        "recipient": user,
        "template": "general",
        "context": {"subject": "Check-in due", "body": "Please check in today.", "url": "/x/"},
        "dedup_key": key,
    }
    values.update(overrides)
    with scope(organization=org.pk):
        return notification_schedule(**values)


def _reload(notification):
    with scope(organization=notification.organization_id):
        return Notification.objects.get(pk=notification.pk)


def _deliveries(notification):
    with scope(organization=notification.organization_id):
        return sorted(
            Delivery.objects.filter(notification=notification).values_list("channel", flat=True)
        )


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_in_app_and_email_are_delivered_once(org, members):
    coach = members["sober_coach"]
    notification = _schedule(org, coach)
    assert notification_deliver_due(worker="w1") == 1
    notification = _reload(notification)
    assert notification.status == Status.SENT
    assert notification.sent_at == NOW
    assert notification.subject == "Check-in due"
    assert notification.in_app_delivered_at == NOW
    assert notification.url == "/x/"
    assert _deliveries(notification) == ["email", "in_app"]
    [email] = mail.outbox
    assert email.to == [coach.email]
    # The e-mail says who it is from and to sign in; the detail stays in the inbox.
    assert email.subject == "A message from Harbor Recovery"
    assert (
        email.extra_headers["Message-ID"]
        == f"<notification-{notification.public_id}@continuum.local>"
    )
    assert "Please check in today." not in email.body and "Check-in due" not in email.body
    assert "Sign in to read it:" in email.body and "/harbor/staff/inbox/" in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html" and "Harbor Recovery" in html
    # A second run finds nothing more to do.
    assert notification_deliver_due(worker="w1") == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_beat_task_drains_the_outbox(org, members):
    for i in range(3):
        _schedule(org, members["sober_coach"], key=f"k{i}", channel=Channel.EMAIL)
    assert deliver_due_notifications.apply().get() == 3
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_a_notification_is_not_delivered_before_it_is_due(org, members):
    with time_machine.travel(NOW, tick=False):
        notification = _schedule(org, members["sober_coach"], due_at=NOW + timedelta(hours=1))
        assert notification_deliver_due(worker="w1") == 0
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        assert notification_deliver_due(worker="w1") == 1
    assert _reload(notification).status == Status.SENT


@pytest.mark.django_db
def test_a_cancelled_notification_is_never_delivered(org, members):
    _schedule(org, members["sober_coach"])
    with scope(organization=org.pk):
        services.notification_cancel(organization=org, dedup_key="k1")
    assert notification_deliver_due(worker="w1") == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_sms_goes_through_the_configured_backend(org, members, settings, tmp_path):
    settings.SMS_BACKEND = "continuum.notifications.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path
    coach = members["sober_coach"]
    with scope(organization=org.pk):
        preferences_update(
            actor=coach,
            organization=org,
            channels_by_kind={},
            quiet_hours_start=None,
            quiet_hours_end=None,
            sms_number="+15550100199",
        )
    notification = _schedule(org, coach, channel=Channel.SMS)
    notification_deliver_due(worker="w1")
    [sent] = list(tmp_path.iterdir())
    record = json.loads(sent.read_text())
    assert record == {
        "to": "+15550100199",
        "body": "Harbor Recovery: new message. Sign in to read it: "
        f"{settings.SITE_URL}/harbor/staff/inbox/",
        "idempotency_key": str(notification.public_id),
    }
    assert _reload(notification).status == Status.SENT
    assert _deliveries(notification) == ["sms"]


@pytest.mark.django_db
def test_sms_without_a_number_fails_at_once_with_the_reason(org, members, settings, tmp_path):
    settings.SMS_BACKEND = "continuum.notifications.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path
    notification = _schedule(org, members["sober_coach"], channel=Channel.SMS)
    notification_deliver_due(worker="w1")
    notification = _reload(notification)
    assert notification.status == Status.FAILED
    assert notification.attempts == 1
    assert "no mobile number" in notification.last_error
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db
def test_failures_retry_with_growing_backoff_then_fail_keeping_the_error(org, members, settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FailingEmailBackend"
    with time_machine.travel(NOW, tick=False) as traveller:
        notification = _schedule(org, members["sober_coach"])
        waits = []
        for attempt in range(1, engine_claim.MAX_ATTEMPTS + 1):
            assert notification_deliver_due(worker="w1") == 1, f"attempt {attempt}"
            notification = _reload(notification)
            assert notification.attempts == attempt
            assert "refused the connection" in notification.last_error
            if attempt < engine_claim.MAX_ATTEMPTS:
                assert notification.status == Status.PENDING
                wait = notification.available_at - NOW
                waits.append(wait)
                # Not yet: one second before the next attempt nothing is claimed.
                traveller.move_to(notification.available_at - timedelta(seconds=1))
                assert notification_deliver_due(worker="w1") == 0
                traveller.move_to(notification.available_at)
    assert notification.status == Status.FAILED
    assert notification.last_error == "ConnectionRefusedError: SMTP server refused the connection"
    gaps = [waits[0]] + [b - a for a, b in itertools.pairwise(waits)]
    assert gaps == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(minutes=8),
    ]
    # The in-app copy went out on the first attempt and was never repeated.
    assert _deliveries(notification) == ["in_app"]


@pytest.mark.django_db
def test_a_dead_workers_lease_expires_and_the_row_is_reclaimed(org, members):
    with time_machine.travel(NOW, tick=False) as traveller:
        notification = _schedule(org, members["sober_coach"])
        # The first worker claims and dies before delivering anything.
        assert notification_claim_due(worker="dead") == [notification.pk]
        assert notification_deliver_due(worker="w2") == 0  # leased, not lost
        traveller.shift(engine_claim.lease_duration())
        assert notification_deliver_due(worker="w2") == 1
    notification = _reload(notification)
    assert notification.status == Status.SENT
    assert notification.attempts == 2
    assert len(mail.outbox) == 1
    # The dead worker, had it woken up, may no longer deliver or finish the row.
    services.notification_deliver(notification_id=notification.pk, worker="dead")
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_row_interrupted_too_often_fails(org, members):
    with time_machine.travel(NOW, tick=False) as traveller:
        notification = _schedule(org, members["sober_coach"])
        for _ in range(engine_claim.MAX_ATTEMPTS):
            notification_claim_due(worker="dead")
            traveller.shift(engine_claim.lease_duration())
        notification_deliver_due(worker="w2")
    notification = _reload(notification)
    assert notification.status == Status.FAILED
    assert "interrupted" in notification.last_error
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_claimers_get_disjoint_rows(monkeypatch):
    org = OrganizationFactory(slug="harbor")
    user = UserFactory()
    MembershipFactory(organization=org, user=user, roles=["sober_coach"])
    created = [_schedule(org, user, key=f"k{i}").pk for i in range(6)]

    first_holds_locks = threading.Event()
    second_done = threading.Event()
    real_lease = engine_claim.lease_duration

    def lease_that_waits():
        # Runs inside the claim transaction, after the rows are locked.
        if threading.current_thread().name == "first":
            first_holds_locks.set()
            assert second_done.wait(10)
        return real_lease()

    monkeypatch.setattr(engine_claim, "lease_duration", lease_that_waits)
    results = {}

    def claim(name, limit):
        try:
            results[name] = notification_claim_due(worker=name, limit=limit)
        finally:
            connection.close()

    first = threading.Thread(target=claim, args=("first", 3), name="first")
    first.start()
    assert first_holds_locks.wait(10)
    second = threading.Thread(target=claim, args=("second", 10), name="second")
    second.start()
    second.join(5)
    # Without SKIP LOCKED the second claimer would still be waiting for the first.
    second_finished_while_first_held_locks = not second.is_alive()
    second_done.set()
    first.join(10)
    second.join(10)

    assert second_finished_while_first_held_locks

    assert len(results["first"]) == 3
    assert len(results["second"]) == 3
    assert set(results["first"]).isdisjoint(results["second"])
    assert sorted(results["first"] + results["second"]) == sorted(created)
    with scope(organization=org.pk):
        owners = dict(Notification.objects.values_list("pk", "claimed_by"))
    assert {owners[pk] for pk in results["first"]} == {"first"}
    assert {owners[pk] for pk in results["second"]} == {"second"}


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_urgent_run_delivers_urgent_rows_only_and_leaves_the_backlog_to_the_beat(org, members):
    coach = members["sober_coach"]
    backlog = [_schedule(org, coach, key=f"reminder-{i}") for i in range(5)]
    urgent = _schedule(org, coach, key="alert", urgent=True)
    assert deliver_due_notifications(urgent_only=True) == 1
    assert _reload(urgent).status == Status.SENT
    assert {_reload(n).status for n in backlog} == {Status.PENDING}
    assert deliver_due_notifications() == 5


@pytest.mark.django_db
def test_the_urgent_run_takes_back_an_urgent_row_whose_worker_died(org, members):
    with time_machine.travel(NOW, tick=False):
        urgent = _schedule(org, members["sober_coach"], key="alert", urgent=True, channel="in_app")
        assert notification_claim_due(worker="dead", urgent_only=True) == [urgent.pk]
    assert _reload(urgent).status == Status.SENDING
    # Inside the lease nobody else may take it; after it, the urgent slot delivers it.
    with time_machine.travel(NOW + timedelta(seconds=10), tick=False):
        assert deliver_due_notifications(urgent_only=True) == 0
    with time_machine.travel(NOW + engine_claim.lease_duration() + timedelta(seconds=1)):
        assert deliver_due_notifications(urgent_only=True) == 1
    assert _reload(urgent).status == Status.SENT
    assert _deliveries(urgent) == ["in_app"]


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_urgent_run_reads_its_own_index_not_the_reminder_backlog(org, members):
    """The urgent slot has one process: a sweep that walks a backlog of reminders to find
    the urgent rows delays every safety message behind it."""
    from django.test.utils import CaptureQueriesContext

    coach = members["sober_coach"]
    with scope(organization=org.pk):
        Notification.objects.bulk_create(
            [
                Notification(
                    organization=org,
                    recipient=coach,
                    template="general",
                    context={"subject": "Reminder", "body": "Group at 6."},
                    channels=["in_app"],
                    dedup_key=f"reminder-{i}",
                    due_at=NOW,
                    available_at=NOW,
                )
                for i in range(2000)
            ]
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE notifications_notification")
    with CaptureQueriesContext(connection) as queries:
        assert notification_claim_due(worker="w1", urgent_only=True) == []
    probe = next(q["sql"] for q in queries.captured_queries if "tenancy_organization" in q["sql"])
    # The row-security settings ride in front of the statement; EXPLAIN takes one statement.
    probe = re.sub(r"^SELECT set_config\(.*?\);\s*", "", probe, flags=re.S)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + probe)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "notif_org_urgent_claimable" in plan, plan
    assert "notif_org_claimable" not in plan, plan


@pytest.mark.django_db
def test_an_urgent_row_is_published_to_the_urgent_queue_and_a_lost_one_has_its_own_sweep(
    org, members, monkeypatch, django_capture_on_commit_callbacks
):
    from django.conf import settings

    from continuum.notifications.tasks import deliver_urgent_notification
    from continuum.operations import broker

    broker.reset()
    sent = []
    monkeypatch.setattr(
        deliver_urgent_notification, "apply_async", lambda *a, **kw: sent.append(kw)
    )
    with django_capture_on_commit_callbacks(execute=True):
        urgent = _schedule(org, members["sober_coach"], key="alert", urgent=True)
    assert sent == [
        {
            "kwargs": {"organization_id": org.pk, "notification_id": urgent.pk},
            "retry": False,
            "queue": "urgent",
        }
    ]
    # If that message is lost, the urgent slot's own sweep (not the reminder beat) sends it.
    sweep = settings.CELERY_BEAT_SCHEDULE["notifications.deliver_urgent_due"]
    assert sweep["kwargs"] == {"urgent_only": True}
    assert sweep["options"]["queue"] == "urgent"
    assert sweep["schedule"] <= 30
