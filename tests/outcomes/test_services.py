"""The follow-up schedule, through a year on a frozen clock: enrollment at discharge,
sending, reminders, the link closing, the unreached task, the link used twice, and
revoking the agreement."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from continuum.care.models import HandoffRun, Phase, Task
from continuum.care.services import episode_open, episode_transition, handoff_execute
from continuum.care.timeline import client_timeline
from continuum.notifications.models import Notification, Status
from continuum.tenancy.models import Role
from outcomes import services
from outcomes.models import AgreementSource, FollowUp, FollowUpStatus, Method
from tests.outbox import drain_outbox
from tests.people.factories import ClientFactory

from .factories import AgreementFactory, FollowUpFactory, answers

NOW = datetime(2026, 4, 6, 15, 0, tzinfo=UTC)  # 11:00 in Harbor's New York


@pytest.fixture
def enqueued(monkeypatch):
    from continuum.care import tasks

    monkeypatch.setattr(tasks.handoff_run_task, "apply_async", lambda *a, **kw: None)


def _discharge(client, actor):
    episode = episode_open(
        actor=actor,
        client=client,
        phase=Phase.RESIDENTIAL,
        admission_date=(NOW - timedelta(days=30)).date(),
    )
    transition = episode_transition(
        actor=actor,
        episode=episode,
        to_phase=Phase.AFTERCARE,
        reason="IOP and sober living.",
        discharge_date=NOW.date(),
        discharge_type="planned",
    )
    run = HandoffRun.objects.get(transition=transition, name="outcomes.enroll_follow_up")
    assert handoff_execute(run_id=run.pk).status == "succeeded"
    return transition


def _token_from(message) -> str:
    link = next(line for line in message.body.splitlines() if "/follow-up/" in line)
    return link.strip().rstrip("/").rsplit("/", 1)[1]


def _survey_keys(client):
    """(offset, step, channel) of every follow-up message in the outbox."""
    rows = Notification.objects.filter(dedup_key__startswith="outcomes:").exclude(
        status=Status.CANCELLED
    )
    by_id = {str(f.public_id): f.offset_days for f in FollowUp.objects.filter(client=client)}
    keys = set()
    for key in rows.values_list("dedup_key", flat=True):
        _prefix, follow_up, step, channel = key.split(":")
        if follow_up in by_id:
            keys.add((by_id[follow_up], step, channel))
    return keys


@time_machine.travel(NOW, tick=False)
def test_a_year_of_follow_up_on_a_frozen_clock(in_org, members, person, case_manager, enqueued):
    AgreementFactory(client=person)
    _discharge(person, members[Role.ORG_ADMIN])
    follow_ups = {f.offset_days: f for f in FollowUp.objects.filter(client=person)}
    assert {k: f.due_on for k, f in follow_ups.items()} == {
        30: NOW.date() + timedelta(days=30),
        90: NOW.date() + timedelta(days=90),
        180: NOW.date() + timedelta(days=180),
        365: NOW.date() + timedelta(days=365),
    }
    assert {f.status for f in follow_ups.values()} == {FollowUpStatus.SCHEDULED}

    history = {}
    with time_machine.travel(NOW, tick=False) as clock:
        for day in range(0, 381):
            clock.move_to(NOW + timedelta(days=day))
            counts = services.follow_ups_scan(organization=in_org)
            if any(counts.values()):
                history[day] = {k: v for k, v in counts.items() if v}
            if day == 92:
                # The client answers the 90-day follow-up from its e-mail, two days in.
                drain_outbox()
                ninety = FollowUp.objects.get(client=person, offset_days=90)
                [message] = [m for m in mail.outbox if "/follow-up/" in m.body][-1:]
                services.follow_up_answer_by_link(
                    organization=in_org, token=_token_from(message), answers=answers()
                )
                assert FollowUp.objects.get(pk=ninety.pk).status == FollowUpStatus.COMPLETED

    # Sent on the due day, reminded 3 and 7 days later, closed unanswered 14 days later.
    assert history == {
        30: {"sent": 1},
        33: {"reminded": 1},
        37: {"reminded": 1},
        44: {"unreached": 1},
        90: {"sent": 1},
        180: {"sent": 1},
        183: {"reminded": 1},
        187: {"reminded": 1},
        194: {"unreached": 1},
        365: {"sent": 1},
        368: {"reminded": 1},
        372: {"reminded": 1},
        379: {"unreached": 1},
    }
    statuses = {f.offset_days: f.status for f in FollowUp.objects.filter(client=person)}
    assert statuses == {
        30: FollowUpStatus.UNREACHED,
        90: FollowUpStatus.COMPLETED,
        180: FollowUpStatus.UNREACHED,
        365: FollowUpStatus.UNREACHED,
    }
    # E-mail and portal for each step; the answered one got no reminder.
    steps = {(o, s) for o, s, _c in _survey_keys(person)}
    assert steps == {
        (30, "sent"), (30, "reminder1"), (30, "reminder2"),
        (90, "sent"),
        (180, "sent"), (180, "reminder1"), (180, "reminder2"),
        (365, "sent"), (365, "reminder1"), (365, "reminder2"),
    }  # fmt: skip
    assert {c for _o, _s, c in _survey_keys(person)} == {"email", "portal"}
    # Each unreached follow-up is a call for the case manager.
    calls = Task.objects.filter(client=person, source="outcomes.unreached").order_by("due_at")
    assert [(t.assignee, t.title) for t in calls] == [
        (case_manager, f"Reach Sam Rivera by phone for the {n}-day follow-up")
        for n in (30, 180, 365)
    ]
    # The answer is on the timeline with its BARC-10 total.
    titles = [
        e.title + " " + e.detail
        for e in client_timeline(client=person, organization=in_org).entries
    ]
    assert any("90-day follow-up answered BARC-10 40 of 60" in t for t in titles)


@time_machine.travel(NOW, tick=False)
def test_the_signed_link_works_once(in_org, person):
    follow_up = FollowUpFactory(episode__client=person)
    token = services.follow_up_link_token(follow_up)
    answered = services.follow_up_answer_by_link(
        organization=in_org, token=token, answers=answers(barc_q1="6", barc_q2="1")
    )
    assert answered.method == Method.LINK
    assert answered.barc10_total == 6 + 1 + 4 * 8
    assert answered.days_of_use["alcohol"] == 2
    with pytest.raises(services.LinkRefused) as caught:
        services.follow_up_answer_by_link(organization=in_org, token=token, answers=answers())
    assert caught.value.state == "answered"
    follow_up.refresh_from_db()
    assert follow_up.barc10_answers["q1"] == 6  # the second use changed nothing


@time_machine.travel(NOW, tick=False)
def test_a_link_past_its_close_or_altered_is_refused(in_org, other_org, person):
    follow_up = FollowUpFactory(episode__client=person)
    token = services.follow_up_link_token(follow_up)
    with pytest.raises(services.LinkRefused) as caught:
        services.follow_up_from_token(organization=in_org, token=token[:-2] + "xx")
    assert caught.value.state == "invalid"
    with pytest.raises(services.LinkRefused) as caught:
        services.follow_up_from_token(organization=other_org, token=token)
    assert caught.value.state == "invalid"
    with (
        time_machine.travel(NOW + timedelta(days=14), tick=False),
        pytest.raises(services.LinkRefused) as caught,
    ):
        services.follow_up_answer_by_link(organization=in_org, token=token, answers=answers())
    assert caught.value.state == "expired"
    follow_up.refresh_from_db()
    assert follow_up.completed_at is None


@time_machine.travel(NOW, tick=False)
def test_bad_answers_save_nothing_and_name_what_is_allowed(in_org, person):
    follow_up = FollowUpFactory(episode__client=person)
    token = services.follow_up_link_token(follow_up)
    with pytest.raises(ValidationError) as caught:
        services.follow_up_answer_by_link(
            organization=in_org,
            token=token,
            answers=answers(days_alcohol="31", barc_q7="", housing="castle"),
        )
    errors = caught.value.message_dict
    assert set(errors) == {"days_alcohol", "barc_q7", "housing"}
    assert "0 to 30" in errors["days_alcohol"][0]
    assert "1 (strongly disagree) to 6 (strongly agree)" in errors["barc_q7"][0]
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.SENT
    assert follow_up.barc10_answers == {}
    # The link still works after a refused attempt.
    assert services.follow_up_from_token(organization=in_org, token=token) == follow_up


@time_machine.travel(NOW, tick=False)
def test_staff_record_a_follow_up_by_phone_marked_as_such(in_org, members, person):
    follow_up = FollowUpFactory(episode__client=person, status=FollowUpStatus.UNREACHED)
    recorded = services.follow_up_answer(
        actor=members[Role.CASE_MANAGER],
        follow_up=follow_up,
        answers=answers(),
        method=Method.PHONE,
    )
    assert (recorded.method, recorded.recorded_by) == (Method.PHONE, members[Role.CASE_MANAGER])
    assert recorded.status == FollowUpStatus.COMPLETED
    with pytest.raises(ValidationError, match="already been answered"):
        services.follow_up_answer(
            actor=members[Role.CASE_MANAGER],
            follow_up=follow_up,
            answers=answers(),
            method=Method.PHONE,
        )


@time_machine.travel(NOW, tick=False)
def test_without_an_agreement_discharge_asks_the_case_manager_and_sends_nothing(
    in_org, members, person, case_manager, enqueued
):
    transition = _discharge(person, members[Role.ORG_ADMIN])
    assert not FollowUp.objects.filter(client=person).exists()
    [task] = Task.objects.filter(client=person, source="handoff:outcomes.enroll_follow_up")
    assert task.assignee == case_manager
    assert task.title == "Ask Sam Rivera whether they agree to follow-up contact"
    # Recording the agreement afterwards enrolls the client from the discharge date.
    services.agreement_record(
        actor=members[Role.CASE_MANAGER], client=person, agreed=True, source=AgreementSource.STAFF
    )
    dues = sorted(FollowUp.objects.filter(client=person).values_list("due_on", flat=True))
    assert dues[0] == transition.episode.discharge_date + timedelta(days=30)
    assert len(dues) == 4


@time_machine.travel(NOW, tick=False)
def test_revoking_stops_every_future_send(in_org, members, person, enqueued):
    AgreementFactory(client=person)
    _discharge(person, members[Role.ORG_ADMIN])
    with time_machine.travel(NOW + timedelta(days=30), tick=False):
        assert services.follow_ups_scan(organization=in_org)["sent"] == 1
        sent = FollowUp.objects.get(client=person, offset_days=30)
        token = services.follow_up_link_token(sent)
        services.agreement_record(
            actor=members[Role.CLIENT], client=person, agreed=False, source=AgreementSource.PORTAL
        )
        with pytest.raises(services.LinkRefused):
            services.follow_up_from_token(organization=in_org, token=token)
    # The e-mail waiting for delivery and the portal notice were cancelled...
    waiting = Notification.objects.filter(dedup_key__startswith="outcomes:")
    assert set(waiting.values_list("status", flat=True)) == {Status.CANCELLED}
    # ...and a whole year of scans sends nothing more.
    for day in (33, 37, 90, 180, 365):
        with time_machine.travel(NOW + timedelta(days=day), tick=False):
            counts = services.follow_ups_scan(organization=in_org)
            assert counts["sent"] == counts["reminded"] == 0
    assert (
        Notification.objects.filter(dedup_key__startswith="outcomes:")
        .exclude(status=Status.CANCELLED)
        .count()
        == 0
    )
    assert set(FollowUp.objects.filter(client=person).values_list("status", flat=True)) == {
        FollowUpStatus.CANCELLED
    }


@time_machine.travel(NOW, tick=False)
def test_the_e_mail_is_in_the_clients_language_and_a_client_without_contact_is_a_call(
    in_org, members, case_manager, enqueued
):
    ana = ClientFactory(
        organization=in_org, first_name="Ana", last_name="Diaz", email="ana@example.net",
        preferred_language="es",
    )  # fmt: skip
    noone = ClientFactory(organization=in_org, first_name="Lee", last_name="Park", email="")
    for client in (ana, noone):
        AgreementFactory(client=client)
        _discharge(client, members[Role.ORG_ADMIN])
    with time_machine.travel(NOW + timedelta(days=30), tick=False):
        counts = services.follow_ups_scan(organization=in_org)
        drain_outbox()
    assert counts == {"sent": 1, "reminded": 0, "unreached": 1, "cancelled": 0}
    [message] = mail.outbox
    assert message.to == ["ana@example.net"]
    assert "Hola, Ana:" in message.body
    [call] = Task.objects.filter(client=noone, source="outcomes.unreached")
    assert call.queue_role == Role.INTAKE_COORDINATOR  # nobody on Lee's care team
    assert "no e-mail address and no portal account" in call.detail


def test_the_schedule_settings_name_what_is_allowed(in_org, admin_user):
    saved = services.outcomes_settings_save(
        actor=admin_user,
        organization=in_org,
        offsets_days=[365, 30, 60],
        reminder_days=[2],
        expire_after_days=10,
    )
    assert saved.offsets_days == [30, 60, 365]
    for bad, field, words in [
        ({"offsets_days": [0, 30]}, "offsets_days", "from 1 to 730"),
        ({"offsets_days": []}, "offsets_days", "at least one"),
        ({"reminder_days": [3, 12]}, "reminder_days", "before the link closes"),
        ({"expire_after_days": 90}, "expire_after_days", "from 1 to 60"),
    ]:
        values = {"offsets_days": [30], "reminder_days": [3], "expire_after_days": 10, **bad}
        with pytest.raises(ValidationError) as caught:
            services.outcomes_settings_save(actor=admin_user, organization=in_org, **values)
        assert words in caught.value.message_dict[field][0]
    assert services.outcomes_settings_for(organization=in_org).offsets_days == [30, 60, 365]
