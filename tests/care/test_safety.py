"""Safety events, end to end: who is responsible right now, what they receive on which
channel and when, the escalation clock, acknowledgement, the follow-up grant, one task a
day, and what the person who answered is told (English and Spanish).

The organization is in New York; the clock is frozen on Tuesday, November 10, 2026."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope

from casemanagement import services as cm_services
from coaching import services as coaching_services
from continuum.audit.models import AuditEvent
from continuum.care.models import (
    OnCallShift,
    SafetyEvent,
    SafetyStatus,
    SafetyStep,
    Task,
    TaskStatus,
)
from continuum.care.selectors import on_call_now, responsible_for
from continuum.care.services import (
    on_call_rota_save,
    safety_escalations_run,
    safety_event_acknowledge,
    safety_event_raise,
    task_create,
)
from continuum.care.tasks import safety_escalations
from continuum.care.timeline import client_timeline
from continuum.notifications.models import Delivery, Notification, Status
from continuum.notifications.services import preferences_update
from continuum.notifications.tasks import deliver_urgent_notification
from continuum.people.models import BreakGlassGrant
from continuum.tenancy.models import Membership, Role
from tests.coaching.factories import EngagementFactory
from tests.factories import MembershipFactory, UserFactory
from tests.people.factories import CareTeamMemberFactory, ClientFactory
from tests.queries import assert_queries

NY = ZoneInfo("America/New_York")
# A Tuesday, 10:00 in New York.
NOW = datetime(2026, 11, 10, 10, 0, tzinfo=NY)
PHQ9_ITEM9 = {f"q{n}": "0" for n in range(1, 9)} | {"q9": "2"}


def at(hour: int, minute: int = 0, day: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=NY)


def staff(org, name: str, *roles: str) -> Membership:
    user = UserFactory(email=f"{name.split()[0].lower()}@harbor.example.com", full_name=name)
    return MembershipFactory(organization=org, user=user, roles=list(roles))


def on_team(client, membership, role):
    CareTeamMemberFactory(
        organization=client.organization,
        client=client,
        membership=membership,
        role=role,
        started_on=NOW.date() - timedelta(days=30),
    )


def told(membership) -> list[str]:
    """The channels `membership` was asked on, oldest first, one per outbox row."""
    return sorted(
        Notification.objects.filter(recipient=membership.user, template="safety_event").values_list(
            "channels__0", flat=True
        )
    )


@pytest.fixture
def world(org, members):
    """Carmen, the client's sober coach, is the only person working with Luis: no case
    manager. Dana is a case manager elsewhere, Omar is on call this week."""
    with scope(organization=org.pk):
        luis = ClientFactory(
            organization=org,
            first_name="Luis",
            last_name="Ortega",
            portal_user=members[Role.CLIENT],
        )
        carmen = staff(org, "Carmen Diaz", Role.SOBER_COACH)
        dana = staff(org, "Dana Reyes", Role.CASE_MANAGER)
        omar = staff(org, "Omar Haddad", Role.CASE_MANAGER)
        admin = Membership.objects.get(organization=org, user=members[Role.ORG_ADMIN])
    return {
        "org": org,
        "client": luis,
        "carmen": carmen,
        "dana": dana,
        "omar": omar,
        "admin": admin,
        "members": members,
    }


def weekday_rota(world, membership, start=time(0, 0), end=time(0, 0)):
    """`membership` on call all day, every day (a shift ending at its start runs 24 h)."""
    on_call_rota_save(
        actor=None,
        organization=world["org"],
        shifts=[
            {"membership": membership, "weekday": d, "starts_at": start, "ends_at": end}
            for d in range(7)
        ],
        fallback=None,
    )


# --- who is responsible right now ----------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_order_is_the_line_then_the_care_team_then_on_call(in_org, world):
    luis, carmen, dana, omar = world["client"], world["carmen"], world["dana"], world["omar"]
    on_team(luis, carmen, Role.SOBER_COACH)
    on_team(luis, dana, Role.CASE_MANAGER)
    weekday_rota(world, omar)
    # A self-harm answer is the case manager's line; help now is the coach's.
    assert [(m, a) for m, a, _ in responsible_for(client=luis, kind="phq9_item9")] == [
        (dana, "care_team"),
        (carmen, "care_team"),
        (omar, "on_call"),
    ]
    assert [m for m, _, _ in responsible_for(client=luis, kind="help_now")] == [
        carmen,
        dana,
        omar,
    ]
    # Someone who left the organization is not asked.
    dana.is_active = False
    dana.save(update_fields=["is_active"])
    assert [m for m, _, _ in responsible_for(client=luis, kind="phq9_item9")] == [carmen, omar]


def test_the_rota_by_weekday_and_hour_overnight_and_the_fallback(in_org, world):
    org, dana, omar = world["org"], world["dana"], world["omar"]
    on_call_rota_save(
        actor=None,
        organization=org,
        shifts=[
            # Tuesday 09:00-17:00, and Tuesday night into Wednesday 08:00.
            {"membership": dana, "weekday": 1, "starts_at": time(9), "ends_at": time(17)},
            {"membership": omar, "weekday": 1, "starts_at": time(17), "ends_at": time(8)},
        ],
        fallback=world["carmen"],
    )
    assert on_call_now(organization=org, when=at(9)) == [dana]
    assert on_call_now(organization=org, when=at(16, 59)) == [dana]
    assert on_call_now(organization=org, when=at(17)) == [omar]
    assert on_call_now(organization=org, when=at(7, 59, day=11)) == [omar]  # Wednesday
    # Uncovered hours go to the fallback.
    assert on_call_now(organization=org, when=at(8, 30)) == [world["carmen"]]
    assert on_call_now(organization=org, when=at(12, day=11)) == [world["carmen"]]
    luis = world["client"]
    with time_machine.travel(at(12, day=11), tick=False):
        assert responsible_for(client=luis, kind="help_now") == [(world["carmen"], "fallback", "")]


# --- every door, with and without a care team -----------------------------------------------

TEAMS = {
    # Luis's coach is the one person working with him: she is told, not a queue.
    "coach only": ("carmen", "care_team"),
    "nobody, but someone on call": ("omar", "on_call"),
    "nobody at all": ("admin", "admins"),
}


def _team(world, setup):
    if setup == "coach only":
        on_team(world["client"], world["carmen"], Role.SOBER_COACH)
    elif setup == "nobody, but someone on call":
        weekday_rota(world, world["omar"])


def _answer_phq9(door, client, world):
    org, luis = world["org"], world["client"]
    if door == "portal":
        client.force_login(world["members"][Role.CLIENT])
        return client.post(
            reverse(
                "portal:casemgmt_portal_assessment",
                kwargs={"org": org.slug, "cm_instrument": "phq9"},
            ),
            PHQ9_ITEM9,
        )
    client.force_login(world["members"][Role.ORG_ADMIN])
    if door == "staff":
        return client.post(
            reverse(
                "staff:casemgmt_assessment_enter",
                kwargs={"org": org.slug, "client_id": luis.public_id, "cm_instrument": "phq9"},
            ),
            PHQ9_ITEM9,
        )
    return client.post(
        reverse(
            "api:casemgmt_assessment_list", kwargs={"org": org.slug, "client_id": luis.public_id}
        ),
        {"instrument": "phq9", "answers": {k: int(v) for k, v in PHQ9_ITEM9.items()}},
        content_type="application/json",
    )


@pytest.mark.parametrize("setup", list(TEAMS))
@pytest.mark.parametrize("door", ["portal", "staff", "api"])
@time_machine.travel(NOW, tick=False)
def test_phq9_item9_from_every_door_reaches_a_named_person_at_once(client, world, door, setup):
    with scope(organization=world["org"].pk):
        _team(world, setup)
    response = _answer_phq9(door, client, world)
    assert response.status_code in (200, 201), response.content[:500]
    who, asked_as = TEAMS[setup]
    person = world[who]
    with scope(organization=world["org"].pk):
        [event] = SafetyEvent.objects.all()
        assert (event.door, event.asked_as, event.kind) == (door, asked_as, "phq9_item9")
        # In-app and e-mail, urgent, due now: out at once, not at the next beat.
        assert told(person) == ["email", "in_app"]
        rows = Notification.objects.filter(template="safety_event")
        assert {n.due_at for n in rows} == {NOW} and all(n.urgent for n in rows)
        # Nobody else is told before the window runs out.
        assert {n.recipient for n in rows} == {person.user}
        assert event.escalate_at == (None if asked_as == "admins" else NOW + timedelta(minutes=15))
        task = Task.objects.get(source="care.safety")
        assert task.priority == "urgent"
        assert task.assignee == (None if asked_as == "admins" else person)
    name = person.user.get_full_name()
    body = response.content.decode()
    if door == "portal":
        expected = {
            "coach only": f"We have let {name}, your sober coach, know; {name} will call you today.",
            "nobody, but someone on call": (
                f"We have let {name}, who is on call at Harbor Recovery, know; "
                f"{name} will call you today."
            ),
            "nobody at all": "We have let the Harbor Recovery team know; someone will call you today.",
        }[setup]
        assert expected in body
        assert "Your case manager has been alerted" not in body
    elif door == "staff":
        assert ("Every admin" if asked_as == "admins" else f"{name} (") in body
    else:
        assert response.json()["urgent"] is True
        told_text = response.json()["safety_told"]
        assert ("Every admin" if asked_as == "admins" else name) in told_text


@time_machine.travel(NOW, tick=False)
def test_nobody_to_reach_shows_the_crisis_lines_first(client, world, org):
    with scope(organization=org.pk):
        world["admin"].is_active = False
        world["admin"].save(update_fields=["is_active"])
    response = _answer_phq9("portal", client, world)
    body = response.content.decode()
    assert "nobody" in body.lower()
    assert body.index('href="tel:988"') < body.index("can be reached through this site right now")
    assert "We have let" not in body
    with scope(organization=org.pk):
        assert SafetyEvent.objects.get().asked_as == "nobody"
        # The task still waits where an admin will see it when one signs in.
        assert Task.objects.get(source="care.safety").queue_role == Role.ORG_ADMIN


@time_machine.travel(NOW, tick=False)
def test_the_truth_in_spanish(client, world, org):
    with scope(organization=org.pk):
        on_team(world["client"], world["carmen"], Role.SOBER_COACH)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    response = _answer_phq9("portal", client, world)
    assert (
        "Hemos avisado a Carmen Diaz, su coach de sobriedad; Carmen Diaz le llamará hoy."
        in response.content.decode()
    )


@time_machine.travel(NOW, tick=False)
def test_nobody_to_reach_in_spanish(client, world, org):
    with scope(organization=org.pk):
        world["admin"].is_active = False
        world["admin"].save(update_fields=["is_active"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    body = _answer_phq9("portal", client, world).content.decode()
    assert "Ahora mismo no podemos localizar a nadie de Harbor Recovery" in body


# --- help now, reported use, craving, a high-risk day --------------------------------------


@time_machine.travel(NOW, tick=False)
def test_help_now_without_any_engagement_or_team(client, world, org):
    client.force_login(world["members"][Role.CLIENT])
    help_url = reverse("portal:coaching_help", kwargs={"org": org.slug})
    assert "Ask my care team to call me today" in client.get(help_url).content.decode()
    body = client.post(help_url).content.decode()
    assert "We have let the Harbor Recovery team know; someone will call you today." in body
    with scope(organization=org.pk):
        assert told(world["admin"]) == ["email", "in_app"]
        assert SafetyEvent.objects.get().kind == "help_now"


@time_machine.travel(NOW, tick=False)
def test_help_now_with_a_coach_names_her_in_spanish(client, world, org):
    with scope(organization=org.pk):
        EngagementFactory(organization=org, client=world["client"], coach=world["carmen"])
    client.force_login(world["members"][Role.CLIENT])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    body = client.post(reverse("portal:coaching_help", kwargs={"org": org.slug})).content.decode()
    assert "Hemos avisado a Carmen Diaz, su coach de sobriedad" in body
    with scope(organization=org.pk):
        assert told(world["carmen"]) == ["email", "in_app"]


@time_machine.travel(NOW, tick=False)
def test_reported_use_and_craving_from_the_portal_and_the_api(client, world, org):
    with scope(organization=org.pk):
        engagement = EngagementFactory(
            organization=org, client=world["client"], coach=world["carmen"], craving_threshold=6
        )
    client.force_login(world["members"][Role.CLIENT])
    response = client.post(
        reverse("portal:coaching_checkin", kwargs={"org": org.slug}),
        {"sober": "no", "craving": "6", "mood": "2", "sleep": "poor"},
        follow=True,
    )
    assert "We have let Carmen Diaz, your sober coach, know" in response.content.decode()
    with scope(organization=org.pk):
        event = SafetyEvent.objects.get()
        # Use and a craving at the threshold in one check-in: one event, counted twice.
        assert (event.door, event.count, event.latest_kind) == ("portal", 2, "craving")
        assert told(world["carmen"]) == ["email", "in_app"]
        engagement.checkins.all().delete()
    with time_machine.travel(at(20, day=11), tick=False):
        client.force_login(world["members"][Role.CLIENT])  # a new day, a new sign-in
        response = client.post(
            reverse("api:coaching_my_checkins", kwargs={"org": org.slug}),
            {"sober": True, "craving": 9, "mood": 2, "sleep": "poor"},
            content_type="application/json",
        )
    assert response.status_code == 201
    assert "Carmen Diaz" in response.json()["safety_told"]
    with scope(organization=org.pk):
        assert SafetyEvent.objects.filter(door="api", kind="craving").count() == 1


@time_machine.travel(NOW, tick=False)
def test_a_high_risk_day_within_a_day_is_a_safety_event(in_org, world):
    engagement = EngagementFactory(
        organization=in_org, client=world["client"], coach=world["carmen"]
    )
    coaching_services.high_risk_event_add(
        actor=world["members"][Role.CLIENT],
        engagement=engagement,
        title="Brother's wedding",
        starts_at=at(10, day=12),  # two days ahead: the usual reminders only
        door="portal",
    )
    assert not SafetyEvent.objects.exists()
    coaching_services.high_risk_event_add(
        actor=world["members"][Role.CLIENT],
        engagement=engagement,
        title="Payday tonight",
        starts_at=at(18),
        door="portal",
    )
    event = SafetyEvent.objects.get()
    assert (event.kind, event.asked) == ("high_risk_day", world["carmen"])


# --- escalation and acknowledgement, on a frozen clock ------------------------------------


def test_escalation_walks_the_order_then_the_admins_and_stops_when_acknowledged(
    client, in_org, world
):
    org, luis = world["org"], world["client"]
    carmen, dana, omar, admin = world["carmen"], world["dana"], world["omar"], world["admin"]
    on_team(luis, carmen, Role.SOBER_COACH)
    on_team(luis, dana, Role.CASE_MANAGER)
    weekday_rota(world, omar)
    with time_machine.travel(NOW, tick=False):
        event = safety_event_raise(actor=None, client=luis, kind="help_now", door="portal")
        assert event.asked == carmen and told(carmen) == ["email", "in_app"]
    with time_machine.travel(at(10, 14), tick=False):
        assert safety_escalations() == 0  # the window is 15 minutes
        assert told(dana) == []
    with time_machine.travel(at(10, 15), tick=False):
        assert safety_escalations() == 1
        assert safety_escalations() == 0  # repeated in the same minute: nothing twice
        event.refresh_from_db()
        assert (event.asked, event.step) == (dana, 1)
        assert told(dana) == ["email", "in_app"]
        assert Task.objects.get(source="care.safety").assignee == dana
    with time_machine.travel(at(10, 30), tick=False):
        safety_escalations()
        event.refresh_from_db()
        assert (event.asked, event.asked_as) == (omar, "on_call")
        assert told(omar) == ["email", "in_app"]
    with time_machine.travel(at(10, 45), tick=False):
        safety_escalations()
        event.refresh_from_db()
        assert (event.asked, event.asked_as, event.escalate_at) == (None, "admins", None)
        assert told(admin) == ["email", "in_app"]
    with time_machine.travel(at(11, 30), tick=False):
        assert safety_escalations() == 0  # nobody after the admins
    # Every step is on the timeline and in the audit trail.
    titles = [(e.title, e.detail) for e in client_timeline(client=luis, organization=org).entries]
    safety_steps = [t for t in titles if t[0].startswith("Safety event")]
    assert len(safety_steps) == 4
    assert ("Safety event: Asked for help now", "Escalated to Omar Haddad (on call)") in titles
    assert (
        list(
            AuditEvent.objects.filter(action__startswith="safety_event.")
            .order_by("id")
            .values_list("action", flat=True)
        )
        == ["safety_event.asked", "safety_event.raised"] + ["safety_event.escalated"] * 3
    )
    # The escalated message says so, and still names nothing clinical.
    [escalated_mail] = Notification.objects.filter(
        recipient=dana.user, template="safety_event", channels=["email"]
    )
    assert escalated_mail.context == {
        "url": f"/harbor/staff/safety/{event.public_id}/",
        "escalated": True,
    }
    # The admin acknowledges from the page the message links to.
    client.force_login(admin.user)
    page = client.get(f"/harbor/staff/safety/{event.public_id}/")
    assert "I have it: acknowledge" in page.content.decode()
    with time_machine.travel(at(11, 40), tick=False):
        response = client.post(f"/harbor/staff/safety/{event.public_id}/acknowledge/")
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.status, event.acknowledged_by) == (SafetyStatus.ACKNOWLEDGED, admin.user)
    assert SafetyStep.objects.filter(event=event, action="acknowledged").count() == 1
    assert (
        "Acknowledged by" in client.get(f"/harbor/staff/safety/{event.public_id}/").content.decode()
    )


def test_acknowledging_stops_the_escalation(client, in_org, world):
    luis, carmen, dana = world["client"], world["carmen"], world["dana"]
    on_team(luis, carmen, Role.SOBER_COACH)
    on_team(luis, dana, Role.CASE_MANAGER)
    with time_machine.travel(NOW, tick=False):
        event = safety_event_raise(actor=None, client=luis, kind="reported_use", door="staff")
    client.force_login(carmen.user)
    # From My work: the alert links to the event's page.
    my_work = client.get(reverse("staff:my_work", kwargs={"org": "harbor"})).content.decode()
    assert "Same-day call: Luis Ortega" in my_work
    assert f"/harbor/staff/safety/{event.public_id}/" in my_work
    assert '<span class="badge badge--urgent">' in my_work
    with time_machine.travel(at(10, 5), tick=False):
        client.post(f"/harbor/staff/safety/{event.public_id}/acknowledge/")
    with time_machine.travel(at(11), tick=False):
        assert safety_escalations_run(organization=world["org"]) == 0
    assert told(dana) == []
    assert (
        "Same-day call: Luis Ortega"
        not in client.get(reverse("staff:my_work", kwargs={"org": "harbor"})).content.decode()
    )
    # A second acknowledgement is refused, saying who has it.
    with time_machine.travel(at(11, 1), tick=False):
        response = client.post(f"/harbor/staff/safety/{event.public_id}/acknowledge/", follow=True)
    assert "Carmen Diaz already acknowledged this at 10:05" in response.content.decode()


def test_the_escalation_window_is_the_organizations_setting(in_org, world):
    org = world["org"]
    org.safety_escalation_minutes = 30
    org.save(update_fields=["safety_escalation_minutes"])
    on_team(world["client"], world["carmen"], Role.SOBER_COACH)
    weekday_rota(world, world["omar"])
    with time_machine.travel(NOW, tick=False):
        safety_event_raise(actor=None, client=world["client"], kind="craving", door="portal")
    with time_machine.travel(at(10, 29), tick=False):
        assert safety_escalations_run(organization=org) == 0
    with time_machine.travel(at(10, 30), tick=False):
        assert safety_escalations_run(organization=org) == 1
    assert told(world["omar"]) == ["email", "in_app"]


def test_coach_acknowledging_her_alert_stops_the_spine_too(in_org, world):
    engagement = EngagementFactory(
        organization=in_org, client=world["client"], coach=world["carmen"]
    )
    with time_machine.travel(NOW, tick=False):
        alert = coaching_services.help_request(
            actor=None, client=world["client"], engagement=engagement
        )
        coaching_services.alert_acknowledge(actor=world["carmen"].user, alert=alert)
    assert SafetyEvent.objects.get().status == SafetyStatus.ACKNOWLEDGED


# --- the person asked can open the client --------------------------------------------------


def test_the_person_asked_gets_a_time_limited_audited_grant(client, in_org, world):
    luis, omar = world["client"], world["omar"]
    weekday_rota(world, omar)
    detail = reverse("staff:client_detail", kwargs={"org": "harbor", "client_id": luis.public_id})
    client.force_login(omar.user)
    with time_machine.travel(NOW - timedelta(minutes=1), tick=False):
        assert client.get(detail).status_code == 404  # not his client
    with time_machine.travel(NOW, tick=False):
        event = safety_event_raise(actor=None, client=luis, kind="help_now", door="portal")
        assert client.get(detail).status_code == 200
        assert client.get(f"/harbor/staff/safety/{event.public_id}/").status_code == 200
    grant = BreakGlassGrant.objects.get(membership=omar, client=luis)
    assert grant.expires_at == NOW + timedelta(hours=24)
    assert AuditEvent.objects.filter(
        action="client.follow_up_access", client_id=luis.public_id
    ).exists()
    # Listed with emergency access, for the admins' review.
    client.force_login(world["admin"].user)
    log = client.get(reverse("staff:break_glass_log", kwargs={"org": "harbor"}))
    assert "Asked by Continuum to follow up on a safety event." in log.content.decode()
    client.force_login(omar.user)
    with time_machine.travel(NOW + timedelta(hours=24, minutes=1), tick=False):
        assert client.get(detail).status_code == 404


# --- one open safety task per client per day ------------------------------------------------


def test_six_positive_screens_in_a_day_make_one_task_that_counts_them(in_org, world, members):
    luis = world["client"]
    on_team(luis, world["dana"], Role.CASE_MANAGER)
    for n in range(6):
        with time_machine.travel(at(9 + n), tick=False):
            cm_services.assessment_record(
                actor=members[Role.CLIENT],
                client=luis,
                instrument="phq9",
                answers={k: int(v) for k, v in PHQ9_ITEM9.items()},
                source="portal",
            )
    [task] = Task.objects.filter(client=luis, source="care.safety")
    assert task.status == TaskStatus.OPEN and task.priority == "urgent"
    assert task.detail == "6 safety events today; the latest: PHQ-9 item 9 above 0 at 14:00."
    [event] = SafetyEvent.objects.all()
    assert event.count == 6
    # One chain of messages, not six.
    assert told(world["dana"]) == ["email", "in_app"]
    # The next day is a new task.
    with time_machine.travel(at(9, day=11), tick=False):
        safety_event_raise(actor=None, client=luis, kind="help_now", door="portal")
    assert Task.objects.filter(client=luis, source="care.safety").count() == 2


def test_an_event_after_acknowledgement_asks_again_on_the_same_task(in_org, world):
    luis, dana = world["client"], world["dana"]
    on_team(luis, dana, Role.CASE_MANAGER)
    with time_machine.travel(NOW, tick=False):
        event = safety_event_raise(actor=None, client=luis, kind="phq9_item9", door="portal")
        safety_event_acknowledge(actor=dana.user, event=event)
    with time_machine.travel(at(15), tick=False):
        safety_event_raise(actor=None, client=luis, kind="help_now", door="portal")
    assert SafetyEvent.objects.count() == 2
    assert len(told(dana)) == 4
    [task] = Task.objects.filter(client=luis, source="care.safety")
    assert task.detail == "1 safety event today: Asked for help now at 15:00."


# --- delivered at once ------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_urgent_task_delivers_each_channel_once(in_org, world, tmp_path, settings):
    settings.SMS_BACKEND = "continuum.notifications.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path
    carmen = world["carmen"]
    preferences_update(
        actor=carmen.user,
        organization=world["org"],
        channels_by_kind={"safety_event": []},  # switched off: safety still goes out
        quiet_hours_start=time(0),
        quiet_hours_end=time(23, 59),
        sms_number="+15550100199",
    )
    on_team(world["client"], carmen, Role.SOBER_COACH)
    mail.outbox.clear()
    safety_event_raise(actor=None, client=world["client"], kind="help_now", door="portal")
    assert told(carmen) == ["email", "in_app", "sms"]
    rows = list(Notification.objects.filter(template="safety_event"))
    assert all(n.available_at == NOW for n in rows)  # quiet hours do not hold it back
    for n in rows:
        assert deliver_urgent_notification(organization_id=world["org"].pk, notification_id=n.pk)
        # A repeated message finds it delivered and sends nothing again.
        assert not deliver_urgent_notification(
            organization_id=world["org"].pk, notification_id=n.pk
        )
    assert {n.status for n in Notification.objects.filter(template="safety_event")} == {Status.SENT}
    assert Delivery.objects.filter(notification__template="safety_event").count() == 3
    [message] = mail.outbox
    assert message.to == [carmen.user.email]
    assert "a client on your caseload needs a same-day call" in message.body.lower()
    assert "Luis" not in message.body and "Luis" not in message.subject
    [sms] = list(tmp_path.iterdir())
    text = sms.read_text()
    assert "same-day call" in text and "Luis" not in text and "help" not in text.lower()


# --- the on-call rota page ----------------------------------------------------------------------


def _rota_url():
    return reverse("staff:on_call_rota", kwargs={"org": "harbor"})


def _rota_post(world, **extra):
    data = {
        "shifts-TOTAL_FORMS": "2",
        "shifts-INITIAL_FORMS": "0",
        "shifts-MIN_NUM_FORMS": "0",
        "shifts-MAX_NUM_FORMS": "70",
        "shifts-0-membership": str(world["omar"].pk),
        "shifts-0-weekday": "1",
        "shifts-0-starts_at": "17:00",
        "shifts-0-ends_at": "09:00",
        "shifts-1-membership": "",
        "shifts-1-weekday": "",
        "shifts-1-starts_at": "",
        "shifts-1-ends_at": "",
        "fallback": str(world["dana"].pk),
    }
    data.update(extra)
    return data


def test_admin_sets_the_rota(client, world):
    client.force_login(world["admin"].user)
    page = client.get(_rota_url())
    assert page.status_code == 200
    assert "Nobody is on call now: when a client's care team cannot answer" in page.content.decode()
    response = client.post(_rota_url(), _rota_post(world))
    assert response.status_code == 302
    with scope(organization=world["org"].pk):
        [shift] = OnCallShift.objects.all()
        assert (shift.membership, shift.weekday, shift.starts_at, shift.ends_at) == (
            world["omar"],
            1,
            time(17),
            time(9),
        )
        world["org"].refresh_from_db()
        assert world["org"].on_call_fallback == world["dana"]
        assert AuditEvent.objects.filter(action="on_call_rota.saved").count() == 1
    assert "On-call rota saved." in client.get(_rota_url()).content.decode()


def test_rota_refuses_bad_input_and_saves_nothing(client, world):
    client.force_login(world["admin"].user)
    outsider_member = world["members"][Role.CLIENT]
    with scope(organization=world["org"].pk):
        client_membership = Membership.objects.get(user=outsider_member)
    response = client.post(
        _rota_url(),
        _rota_post(world, **{"shifts-0-ends_at": "", "fallback": str(client_membership.pk)}),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Until: This field is required." in body
    assert "Select a valid choice" in body  # a client cannot be the fallback
    with scope(organization=world["org"].pk):
        assert not OnCallShift.objects.exists()
        world["org"].refresh_from_db()
        assert world["org"].on_call_fallback is None


def test_rota_page_is_for_admins_only(client, world):
    client.force_login(world["members"][Role.CASE_MANAGER])
    assert client.get(_rota_url()).status_code == 403
    assert client.post(_rota_url(), _rota_post(world)).status_code == 403
    with scope(organization=world["org"].pk):
        assert not OnCallShift.objects.exists()


def test_rota_page_other_organization_and_anonymous(client, world, outsider):
    response = client.get(_rota_url())
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(outsider)
    assert client.get(_rota_url()).status_code == 404
    assert client.post(_rota_url(), _rota_post(world)).status_code == 404


def test_rota_page_queries_do_not_grow_with_shifts(client, world):
    client.force_login(world["admin"].user)
    # 1 session, 2 user, 3 organization, 4 membership (middleware), 5 the staff to choose
    # from (once for every select on the page), 6 the shifts with their members, 7 who is
    # on call now, 8 switcher memberships (header).
    for shifts in (1, 7):
        with scope(organization=world["org"].pk):
            on_call_rota_save(
                actor=None,
                organization=world["org"],
                shifts=[
                    {
                        "membership": world["omar"],
                        "weekday": d,
                        "starts_at": time(0),
                        "ends_at": time(0),
                    }
                    for d in range(shifts)
                ],
                fallback=None,
            )
        with assert_queries(6, label=f"rota with {shifts} shifts"):
            response = client.get(_rota_url())
        assert response.content.decode().count("<legend>Shift") == shifts + 2


# --- priorities: one rule, used by every creator -------------------------------------------


def test_the_kind_of_work_decides_the_priority(in_org):
    made = {
        kind: task_create(
            actor=None,
            organization=in_org,
            title=f"A {kind} task",
            queue_role=Role.INTAKE_COORDINATOR,
            kind=kind,
        ).priority
        for kind in ("safety", "deadline", "follow_up", "routine")
    }
    assert made == {
        "safety": "urgent",
        "deadline": "high",
        "follow_up": "normal",
        "routine": "low",
    }
    with pytest.raises(ValidationError) as error:
        task_create(
            actor=None,
            organization=in_org,
            title="Odd",
            queue_role=Role.INTAKE_COORDINATOR,
            kind="whenever",
        )
    assert error.value.message_dict["kind"] == [
        "Choose a kind of task: safety, deadline, follow_up, routine."
    ]
    assert not Task.objects.filter(title="Odd").exists()


def test_my_work_puts_urgent_first_and_colours_by_priority(client, world):
    intake = world["members"][Role.INTAKE_COORDINATOR]
    with scope(organization=world["org"].pk), time_machine.travel(NOW, tick=False):
        for title, kind, due in (
            ("Overdue renewal", "routine", NOW - timedelta(days=2)),
            ("Overdue triage", "deadline", NOW - timedelta(hours=1)),
            ("Call today", "safety", NOW + timedelta(hours=8)),
            ("Missed doses", "follow_up", NOW + timedelta(days=1)),
        ):
            task_create(
                actor=None,
                organization=world["org"],
                title=title,
                queue_role=Role.INTAKE_COORDINATOR,
                due_at=due,
                kind=kind,
            )
    client.force_login(intake)
    with time_machine.travel(NOW, tick=False):
        body = client.get(reverse("staff:my_work", kwargs={"org": "harbor"})).content.decode()
    order = ["Call today", "Overdue triage", "Missed doses", "Overdue renewal"]
    assert [body.index(t) for t in order] == sorted(body.index(t) for t in order)
    for priority in ("urgent", "high", "normal", "low"):
        assert f'<span class="badge badge--{priority}">' in body


def test_the_settings_page_links_to_the_rota(client, world):
    client.force_login(world["admin"].user)
    body = client.get(reverse("staff:settings", kwargs={"org": "harbor"})).content.decode()
    assert 'href="/harbor/staff/settings/on-call/"' in body
    assert "Safety escalation window (minutes)" in body


def test_escalation_asks_whoever_is_on_call_when_it_escalates(in_org, world):
    """Raised at 16:50 during Dana's shift, escalated at 17:05: Omar has the evening."""
    luis, carmen, dana, omar = world["client"], world["carmen"], world["dana"], world["omar"]
    on_team(luis, carmen, Role.SOBER_COACH)
    on_call_rota_save(
        actor=None,
        organization=world["org"],
        shifts=[
            {"membership": dana, "weekday": 1, "starts_at": time(9), "ends_at": time(17)},
            {"membership": omar, "weekday": 1, "starts_at": time(17), "ends_at": time(9)},
        ],
        fallback=None,
    )
    with time_machine.travel(at(16, 50), tick=False):
        event = safety_event_raise(actor=None, client=luis, kind="help_now", door="portal")
        assert event.asked == carmen
    with time_machine.travel(at(17, 5), tick=False):
        safety_escalations_run(organization=world["org"])
    event.refresh_from_db()
    assert (event.asked, event.asked_as) == (omar, "on_call")
    assert told(dana) == []
