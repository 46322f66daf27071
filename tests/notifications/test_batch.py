"""The batch path of delivery: a claimed batch's in-app copies are written together, and
the guarantees of the per-row path still hold for every row of it."""

import threading
from collections import Counter
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import DataError, connection
from django.db.models.query import QuerySet
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django_scopes import scope

from continuum.notifications.engine import batch as engine
from continuum.notifications.engine.claim import lease_duration
from continuum.notifications.models import Channel, Delivery, Notification, Status
from continuum.notifications.services import (
    notification_claim_due,
    notification_deliver_batch,
    notification_deliver_due,
    notification_schedule,
    preferences_update,
    recipient_language,
)
from continuum.tenancy.models import Role
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.people.factories import ClientFactory, FamilyMemberFactory

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 10:00 in the organization's New York


def _schedule(org, user, key, **overrides):
    values = {
        "organization": org,
        "recipient": user,
        "template": "general",
        "context": {"subject": f"Reminder {key}", "body": "Time to check in.", "url": "/x/"},
        "dedup_key": key,
        "channel": Channel.IN_APP,
    }
    values.update(overrides)
    with scope(organization=org.pk):
        return notification_schedule(**values)


def _state(org) -> dict[str, Notification]:
    with scope(organization=org.pk):
        return {n.dedup_key: n for n in Notification.objects.all()}


def _deliveries(org) -> Counter:
    with scope(organization=org.pk):
        return Counter(Delivery.objects.values_list("notification__dedup_key", "channel"))


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_batch_writes_every_inbox_copy_once_and_finishes_it(org, members):
    coach = members[Role.SOBER_COACH]
    keys = [f"r{i}" for i in range(5)]
    for key in keys:
        _schedule(org, coach, key)
    assert notification_deliver_due(worker="w1") == 5
    state = _state(org)
    for key in keys:
        notification = state[key]
        assert notification.status == Status.SENT
        assert notification.sent_at == NOW
        assert notification.subject == f"Reminder {key}"
        assert notification.body.startswith("Time to check in.")
        assert notification.url == "/x/"
        assert notification.in_app_delivered_at == NOW
        assert notification.claimed_by == "" and notification.lease_expires_at is None
    assert _deliveries(org) == {(key, "in_app"): 1 for key in keys}
    assert notification_deliver_due(worker="w1") == 0


def _count_delivery_queries(org, user, n: int, prefix: str) -> list[str]:
    for i in range(n):
        _schedule(org, user, f"{prefix}{i}")
    with CaptureQueriesContext(connection) as ctx:
        assert notification_deliver_due(worker="w1") == n
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.django_db
def test_the_inbox_part_of_a_batch_takes_the_same_queries_for_3_rows_as_for_30(org, members):
    coach = members[Role.SOBER_COACH]
    small = _count_delivery_queries(org, coach, 3, "a")
    large = _count_delivery_queries(org, coach, 30, "b")
    # 1 organizations with mail due; claim: savepoint, SELECT ... FOR UPDATE SKIP LOCKED,
    # UPDATE, release; 1 load of the batch; 1 delivery rows already made; 2 languages
    # (clients, family members); write: savepoint, SELECT ... FOR UPDATE, INSERT of the
    # delivery rows, UPDATE of the copies, UPDATE finishing the batch, release.
    assert len(small) == len(large) == 15, "\n".join(large)


@pytest.mark.django_db(transaction=True)
def test_two_workers_draining_together_deliver_each_notification_once(monkeypatch):
    org = OrganizationFactory(slug="harbor")
    users = [UserFactory() for _ in range(3)]
    for user in users:
        MembershipFactory(organization=org, user=user, roles=["sober_coach"])
    keys = [f"r{i}" for i in range(60)]
    for i, key in enumerate(keys):
        _schedule(org, users[i % 3], key, channel=None)  # in-app and e-mail

    second_claimed = threading.Event()
    real_copy = engine.in_app_copy

    def copy_after_the_other_worker_claimed(notification):
        # The first worker renders its first batch only once the second holds one too,
        # so both are delivering at the same time.
        if threading.current_thread().name == "first":
            assert second_claimed.wait(10)
        return real_copy(notification)

    real_claim = engine.notification_claim_due

    def claim(**kwargs):
        ids = real_claim(**kwargs)
        if threading.current_thread().name == "second" and ids:
            second_claimed.set()
        return ids

    monkeypatch.setattr(engine, "in_app_copy", copy_after_the_other_worker_claimed)
    monkeypatch.setattr(engine, "notification_claim_due", claim)
    claimed: dict[str, int] = {}
    errors = []

    def drain(name):
        try:
            total = 0
            while batch := notification_deliver_due(worker=name, limit=7):
                total += batch
            claimed[name] = total
        except Exception as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=drain, args=(n,), name=n) for n in ("first", "second")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)

    assert errors == []
    assert claimed["first"] > 0 and claimed["second"] > 0
    assert claimed["first"] + claimed["second"] == len(keys)
    assert {n.status for n in _state(org).values()} == {Status.SENT}
    assert _deliveries(org) == {
        (key, channel): 1 for key in keys for channel in ("in_app", "email")
    }
    message_ids = Counter(m.extra_headers["Message-ID"] for m in mail.outbox)
    assert len(message_ids) == len(keys) and set(message_ids.values()) == {1}


@pytest.mark.django_db(transaction=True)
def test_a_batch_whose_lease_expired_while_rendering_writes_nothing_twice(monkeypatch):
    org = OrganizationFactory(slug="harbor")
    user = UserFactory()
    MembershipFactory(organization=org, user=user, roles=["sober_coach"])
    keys = ["r0", "r1", "r2"]
    for key in keys:
        _schedule(org, user, key)
    ids = notification_claim_due(worker="slow")
    # The slow worker's lease runs out while it renders; another worker reclaims two of
    # its three rows and delivers them before the slow one writes its copies.
    with scope(organization=org.pk):
        Notification.objects.filter(id__in=ids).update(
            lease_expires_at=timezone.now() - timedelta(seconds=1)
        )
    real_write = engine._write_in_app_copies
    written = {}

    def reclaimed_before_writing(notifications, copies, worker, **kwargs):
        if worker != "slow":
            return real_write(notifications, copies, worker, **kwargs)

        def other():
            try:
                notification_deliver_due(worker="other", limit=2)
            finally:
                connection.close()

        thread = threading.Thread(target=other)
        thread.start()
        thread.join(20)
        written[worker] = real_write(notifications, copies, worker, **kwargs)
        return written[worker]

    monkeypatch.setattr(engine, "_write_in_app_copies", reclaimed_before_writing)
    notification_deliver_batch(notification_ids=ids, worker="slow")

    state = _state(org)
    assert len(written["slow"]) == 1  # only the row it still held
    assert {n.status for n in state.values()} == {Status.SENT}
    assert sorted(n.attempts for n in state.values()) == [1, 2, 2]
    assert _deliveries(org) == {(key, "in_app"): 1 for key in keys}
    # Each inbox copy was written by the worker that held the row.
    assert all(n.in_app_delivered_at is not None for n in state.values())


@pytest.mark.django_db
def test_a_worker_that_lost_its_whole_batch_delivers_nothing(org, members):
    with time_machine.travel(NOW, tick=False) as traveller:
        for key in ("r0", "r1"):
            _schedule(org, members[Role.SOBER_COACH], key, channel=None)
        ids = notification_claim_due(worker="dead")
        traveller.shift(lease_duration())
        assert notification_deliver_due(worker="w2") == 2
        notification_deliver_batch(notification_ids=ids, worker="dead")
    assert _deliveries(org) == {(k, c): 1 for k in ("r0", "r1") for c in ("in_app", "email")}
    assert len(mail.outbox) == 2
    assert {n.claimed_by for n in _state(org).values()} == {""}


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_link_too_long_for_the_inbox_fails_that_row_alone(org, members):
    coach = members[Role.SOBER_COACH]
    for key in ("r0", "r1", "r2"):
        long_link = {"subject": "Too long", "body": "x", "url": "/" + "a" * 600}
        _schedule(org, coach, key, **({"context": long_link} if key == "r1" else {}))
    assert notification_deliver_due(worker="w1") == 3
    state = _state(org)
    assert state["r0"].status == state["r2"].status == Status.SENT
    bad = state["r1"]
    # Cut short the link would lead nowhere; no retry makes it shorter.
    assert bad.status == Status.FAILED
    assert bad.last_error == "The link is longer than 500 characters."
    assert bad.in_app_delivered_at is None and bad.url == ""
    assert _deliveries(org) == {("r0", "in_app"): 1, ("r2", "in_app"): 1}


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_when_the_batch_write_fails_the_rows_are_written_one_by_one(org, members, monkeypatch):
    coach = members[Role.SOBER_COACH]
    for key in ("r0", "r1", "r2"):
        _schedule(org, coach, key)
    real_update = QuerySet.update
    refused = []

    def update_refusing_r1(queryset, **values):
        # The database refuses r1's copy, alone or in the batch's single UPDATE.
        if (
            queryset.model is Notification
            and "in_app_delivered_at" in values
            and queryset.filter(dedup_key="r1").exists()
        ):
            refused.append(queryset.count())
            raise DataError("value refused for r1")
        return real_update(queryset, **values)

    monkeypatch.setattr(QuerySet, "update", update_refusing_r1)
    assert notification_deliver_due(worker="w1") == 3
    # First the batch of three, then r1 alone.
    assert refused == [3, 1]
    state = _state(org)
    assert state["r0"].status == state["r2"].status == Status.SENT
    assert state["r1"].status == Status.PENDING
    assert state["r1"].last_error == "DataError: value refused for r1"
    assert state["r1"].available_at == NOW + engine.backoff(1)
    assert _deliveries(org) == {("r0", "in_app"): 1, ("r2", "in_app"): 1}


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_row_without_templates_fails_alone(org, members):
    coach = members[Role.SOBER_COACH]
    _schedule(org, coach, "r0")
    broken = _schedule(org, coach, "r1")
    _schedule(org, coach, "r2")
    with scope(organization=org.pk):
        # A kind whose templates were removed after it was scheduled.
        Notification.objects.filter(pk=broken.pk).update(template="retired_kind")
    assert notification_deliver_due(worker="w1") == 3
    state = _state(org)
    assert state["r1"].status == Status.FAILED
    assert "Missing template" in state["r1"].last_error
    assert state["r0"].status == state["r2"].status == Status.SENT
    assert _deliveries(org) == {("r0", "in_app"): 1, ("r2", "in_app"): 1}


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_an_email_failing_for_one_row_keeps_the_others_and_its_inbox_copy(org, members, settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.RefusingSomeEmailBackend"
    coach = members[Role.SOBER_COACH]
    for key in ("r0", "r1", "r2"):
        subject = "Bounce [refuse]" if key == "r1" else f"Reminder {key}"
        _schedule(org, coach, key, channel=None, context={"subject": subject, "body": "b"})
    assert notification_deliver_due(worker="w1") == 3
    state = _state(org)
    assert state["r0"].status == state["r2"].status == Status.SENT
    assert state["r1"].status == Status.PENDING
    assert "refused" in state["r1"].last_error
    sent = {m.extra_headers["X-Continuum-Notification"] for m in mail.outbox}
    assert sent == {str(state["r0"].public_id), str(state["r2"].public_id)}
    assert _deliveries(org) == {
        ("r0", "in_app"): 1,
        ("r0", "email"): 1,
        ("r1", "in_app"): 1,
        ("r2", "in_app"): 1,
        ("r2", "email"): 1,
    }


@pytest.mark.django_db
def test_quiet_hours_and_channel_choices_still_hold_in_a_batch(org, members):
    quiet = members[Role.SOBER_COACH]
    inbox_only = members[Role.CASE_MANAGER]
    default = members[Role.INTERVENTIONIST]
    with scope(organization=org.pk):
        preferences_update(
            actor=quiet,
            organization=org,
            channels_by_kind={},
            quiet_hours_start=time(9, 0),
            quiet_hours_end=time(12, 0),
        )
        preferences_update(
            actor=inbox_only,
            organization=org,
            channels_by_kind={"general": ["in_app"]},
            quiet_hours_start=None,
            quiet_hours_end=None,
        )
    with time_machine.travel(NOW, tick=False) as traveller:
        for key, user, urgent in (
            ("quiet", quiet, False),
            ("quiet-urgent", quiet, True),
            ("inbox-only", inbox_only, False),
            ("default", default, False),
        ):
            _schedule(org, user, key, channel=None, urgent=urgent)
        assert notification_deliver_due(worker="w1") == 3
        state = _state(org)
        assert state["quiet"].status == Status.PENDING and state["quiet"].attempts == 0
        assert {state[k].status for k in ("quiet-urgent", "inbox-only", "default")} == {Status.SENT}
        assert sorted(m.to[0] for m in mail.outbox) == [default.email, quiet.email]
        # Noon in New York: the quiet hours are over.
        traveller.move_to(datetime(2026, 3, 2, 17, 0, tzinfo=UTC))
        assert notification_deliver_due(worker="w1") == 1
    assert _state(org)["quiet"].status == Status.SENT
    assert _deliveries(org) == {
        ("quiet", "in_app"): 1,
        ("quiet", "email"): 1,
        ("quiet-urgent", "in_app"): 1,
        ("quiet-urgent", "email"): 1,
        ("inbox-only", "in_app"): 1,
        ("default", "in_app"): 1,
        ("default", "email"): 1,
    }


@pytest.mark.django_db
def test_each_recipient_in_a_batch_reads_their_own_language(org, members):
    family_user = members[Role.FAMILY_MEMBER]
    client_user = members[Role.CLIENT]
    staff = members[Role.CASE_MANAGER]
    with scope(organization=org.pk):
        FamilyMemberFactory(
            organization=org,
            first_name="Ana",
            last_name="Ruiz",
            email="",
            portal_user=family_user,
            preferred_language="es",
        )
        # A client who is also a family member elsewhere: the family record decides.
        ClientFactory(organization=org, first_name="Sam", last_name="Ruiz", portal_user=client_user)
        FamilyMemberFactory(
            organization=org,
            first_name="Sam",
            last_name="Ruiz",
            email="",
            portal_user=client_user,
            preferred_language="es",
        )
    template = "interventions_request_update"
    context = {"message": "We called you back.", "url": "/harbor/portal/"}
    for key, user in (("family", family_user), ("client", client_user), ("staff", staff)):
        _schedule(org, user, key, template=template, context=context)
    assert notification_deliver_due(worker="w1") == 3

    def subject(language):
        with translation.override(language):
            return render_to_string(f"notifications/messages/{template}/subject.txt").strip()

    staff_language = settings.LANGUAGE_CODE
    assert subject("es") != subject(staff_language)
    state = _state(org)
    assert state["family"].subject == subject("es")
    assert state["client"].subject == subject("es")
    assert state["staff"].subject == subject(staff_language)
    # The batch chose what the one-at-a-time lookup chooses.
    expected = {"family": "es", "client": "es", "staff": staff_language}
    with scope(organization=org.pk):
        for key, notification in state.items():
            fresh = Notification.objects.get(pk=notification.pk)
            assert recipient_language(fresh) == expected[key]


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_one_batch_across_organizations_writes_each_inside_its_own(org, other_org, members):
    lear_member = UserFactory()
    MembershipFactory(organization=other_org, user=lear_member, roles=["sober_coach"])
    _schedule(org, members[Role.SOBER_COACH], "harbor-1")
    _schedule(other_org, lear_member, "lear-1")
    assert notification_deliver_due(worker="w1") == 2
    assert _deliveries(org) == {("harbor-1", "in_app"): 1}
    assert _deliveries(other_org) == {("lear-1", "in_app"): 1}
    with scope(organization=other_org.pk):
        delivery = Delivery.objects.get()
    assert delivery.organization_id == other_org.pk
    assert _state(other_org)["lear-1"].body.endswith("Lear Recovery")


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_large_backlog_in_one_organization_does_not_hold_back_another(org, other_org, members):
    lear_member = UserFactory()
    MembershipFactory(organization=other_org, user=lear_member, roles=["sober_coach"])
    # The larger backlog is also the older one and its organization comes first by id:
    # both orders that could starve the other organization.
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        for i in range(12):
            _schedule(org, members[Role.SOBER_COACH], f"harbor-{i}")
    for i in range(3):
        _schedule(other_org, lear_member, f"lear-{i}")
    claimed = notification_claim_due(worker="w1", limit=6)
    with scope(organization=other_org.pk):
        lear = set(Notification.objects.values_list("id", flat=True))
    assert len(claimed) == 6
    assert len(set(claimed) & lear) == 3
    # Then the larger backlog has the whole batch, until it is drained.
    assert len(notification_claim_due(worker="w2", limit=6)) == 6
    assert len(notification_claim_due(worker="w3", limit=6)) == 3
    assert notification_claim_due(worker="w4", limit=6) == []


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_share_the_smaller_backlog_leaves_goes_to_the_larger(org, other_org, members):
    lear_member = UserFactory()
    MembershipFactory(organization=other_org, user=lear_member, roles=["sober_coach"])
    for i in range(10):
        _schedule(org, members[Role.SOBER_COACH], f"harbor-{i}")
    _schedule(other_org, lear_member, "lear-0")
    assert len(notification_claim_due(worker="w1", limit=6)) == 6
