from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from coaching import services
from coaching.models import (
    Alert,
    AlertCause,
    AlertStatus,
    CheckIn,
    ContactKind,
    Engagement,
    EngagementStatus,
)
from coaching.tasks import alerts_scan_organization
from continuum.care.models import CareEpisode, HandoffRun, Phase, SafetyEvent, Task
from continuum.care.services import handoff_execute, safety_escalations_run
from continuum.notifications.models import Notification
from continuum.people.models import CareTeamMember
from continuum.tenancy.models import Membership, Role
from tests.coaching.factories import CoachFactory
from tests.people.factories import CareTeamMemberFactory, ClientFactory

NY = ZoneInfo("America/New_York")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026, New York time (the organization's time zone)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=NY)


@pytest.fixture
def world(in_org, members):
    org = in_org
    coach = Membership.objects.get(organization=org, user=members[Role.SOBER_COACH])
    manager = Membership.objects.get(organization=org, user=members[Role.CASE_MANAGER])
    client = ClientFactory(organization=org)
    CareTeamMemberFactory(
        organization=org,
        client=client,
        membership=manager,
        role=Role.CASE_MANAGER,
        started_on=at(1, 9).date(),
    )
    with time_machine.travel(at(1, 9), tick=False):
        engagement = services.engagement_propose(
            actor=members[Role.SOBER_COACH], client=client, coach=coach, starts_on=at(1, 9).date()
        )
        engagement = services.engagement_set_status(
            actor=members[Role.SOBER_COACH], engagement=engagement, status=EngagementStatus.ACTIVE
        )
    return {
        "org": org,
        "coach": coach,
        "manager": manager,
        "client": client,
        "engagement": engagement,
        "members": members,
    }


def checkin(world, *, sober=True, craving=1):
    return services.checkin_record(
        actor=world["members"][Role.CLIENT],
        engagement=world["engagement"],
        sober=sober,
        craving=craving,
        mood=3,
        sleep="good",
    )


def outstanding(engagement, cause):
    return list(
        Alert.objects.filter(
            engagement=engagement,
            cause=cause,
            status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED],
        )
    )


def notified(user, *, urgent=None):
    rows = Notification.objects.filter(recipient=user, template="coaching_alert")
    if urgent is not None:
        rows = rows.filter(urgent=urgent)
    return rows.count()


def told(user):
    """The channels a safety event reached `user` on."""
    return sorted(
        Notification.objects.filter(recipient=user, template="safety_event").values_list(
            "channels__0", flat=True
        )
    )


def scan(org):
    return alerts_scan_organization(organization_id=org.pk)


# --- activation -------------------------------------------------------------------------


def test_activation_puts_the_coach_on_the_care_team(world):
    assert CareTeamMember.objects.filter(
        client=world["client"], membership=world["coach"], role=Role.SOBER_COACH
    ).exists()


def test_a_client_has_one_open_engagement(world):
    with pytest.raises(ValidationError) as error:
        services.engagement_propose(actor=None, client=world["client"])
    assert "already has an open coaching engagement" in str(error.value)


def test_ending_early_needs_a_reason_and_saves_nothing_without(world):
    with pytest.raises(ValidationError) as error:
        services.engagement_set_status(
            actor=None, engagement=world["engagement"], status=EngagementStatus.ENDED_EARLY
        )
    assert "reason" in error.value.message_dict
    world["engagement"].refresh_from_db()
    assert world["engagement"].status == EngagementStatus.ACTIVE


# --- missed check-ins ---------------------------------------------------------------------


def test_missed_checkin_fires_once_escalates_and_clears(world):
    org, engagement = world["org"], world["engagement"]
    with time_machine.travel(at(2, 20, 30), tick=False):  # before 9 pm: not missed yet
        scan(org)
        assert outstanding(engagement, AlertCause.MISSED_CHECKIN) == []
    with time_machine.travel(at(2, 21, 5), tick=False):
        scan(org)
        scan(org)  # a second run raises nothing new
        alerts = outstanding(engagement, AlertCause.MISSED_CHECKIN)
        assert len(alerts) == 1
        assert notified(world["coach"].user) == 1
    with time_machine.travel(at(2, 22, 10), tick=False):  # an hour without acknowledgement
        scan(org)
        alert = Alert.objects.get(pk=alerts[0].pk)
        assert alert.escalated_to == world["manager"]
        # Not a safety event (the engagement does not mark missed check-ins urgent): the
        # escalation waits for the beat like any other message.
        assert notified(world["manager"].user, urgent=False) == 1
        assert told(world["manager"].user) == []
        scan(org)
        assert notified(world["manager"].user) == 1  # escalated once
    with time_machine.travel(at(3, 8), tick=False):
        checkin(world)
        alert.refresh_from_db()
        assert alert.status == AlertStatus.CLEARED
        assert alert.cleared_reason == "Client checked in"


def test_two_days_running_rule(world):
    org, engagement = world["org"], world["engagement"]
    engagement.missed_checkin_days = 2
    engagement.save(update_fields=["missed_checkin_days"])
    with time_machine.travel(at(2, 21, 30), tick=False):
        scan(org)
        assert outstanding(engagement, AlertCause.MISSED_CHECKIN) == []
    with time_machine.travel(at(3, 21, 30), tick=False):
        scan(org)
        [alert] = outstanding(engagement, AlertCause.MISSED_CHECKIN)
        assert alert.detail == "No check-in for 2 days"


def test_acknowledged_alert_does_not_escalate(world):
    org, engagement = world["org"], world["engagement"]
    with time_machine.travel(at(2, 21, 5), tick=False):
        scan(org)
        [alert] = outstanding(engagement, AlertCause.MISSED_CHECKIN)
        services.alert_acknowledge(actor=world["coach"].user, alert=alert)
    with time_machine.travel(at(2, 23), tick=False):
        scan(org)
        alert.refresh_from_db()
        assert alert.escalated_at is None
        assert notified(world["manager"].user) == 0


# --- craving and reported use -------------------------------------------------------------


def test_craving_at_threshold_is_a_safety_event_and_clears(world):
    org, engagement = world["org"], world["engagement"]
    with time_machine.travel(at(2, 10), tick=False):
        checkin(world, craving=6)
        assert outstanding(engagement, AlertCause.CRAVING) == []
        assert told(world["coach"].user) == []
    with time_machine.travel(at(3, 10), tick=False):
        checkin(world, craving=7)
        [alert] = outstanding(engagement, AlertCause.CRAVING)
        assert alert.detail == "Craving 7/10 on Nov 3"
        # The coach first (the coaching line), at once, in-app and by e-mail.
        assert told(world["coach"].user) == ["email", "in_app"]
        assert notified(world["coach"].user) == 0  # no second, ordinary coaching alert
        [event] = SafetyEvent.objects.filter(client=world["client"])
        assert (event.kind, event.asked, event.door) == ("craving", world["coach"], "portal")
    with time_machine.travel(at(3, 10, 16), tick=False):
        safety_escalations_run(organization=org)  # the coach did not acknowledge
        assert told(world["manager"].user) == ["email", "in_app"]
        alert.refresh_from_db()
        assert alert.escalated_at is None  # the spine escalates, not the coaching scan
    with time_machine.travel(at(5, 10), tick=False):
        checkin(world, craving=3)
        alert.refresh_from_db()
        assert alert.status == AlertStatus.CLEARED
        assert alert.cleared_reason == "Craving down to 3/10"


def test_reported_use_is_a_safety_event_until_resolved(world):
    engagement = world["engagement"]
    with time_machine.travel(at(2, 10), tick=False):
        checkin(world, sober=False)
        [alert] = outstanding(engagement, AlertCause.REPORTED_USE)
        assert told(world["coach"].user) == ["email", "in_app"]
        assert Notification.objects.filter(template="safety_event", urgent=False).count() == 0
    with time_machine.travel(at(3, 10), tick=False):
        checkin(world, sober=False)  # again, on a new day: asked again
        assert len(outstanding(engagement, AlertCause.REPORTED_USE)) == 1
        assert SafetyEvent.objects.filter(client=world["client"]).count() == 2
        services.alert_acknowledge(actor=world["coach"].user, alert=alert)
        # The coach's acknowledgement stops the spine's escalation too.
        assert not SafetyEvent.objects.filter(client=world["client"], status="open").exists()
        services.alert_resolve(actor=world["manager"].user, alert=alert, note="Called, safe")
        alert.refresh_from_db()
        assert alert.status == AlertStatus.CLEARED
    with time_machine.travel(at(4, 10), tick=False):
        checkin(world, sober=False)  # a new episode of use is a new alert
        assert len(outstanding(engagement, AlertCause.REPORTED_USE)) == 1
        assert Alert.objects.filter(engagement=engagement, cause="reported_use").count() == 2


def test_positive_sobriety_test_entered_by_staff_is_a_safety_event(world):
    engagement = world["engagement"]
    engagement.includes_monitoring = True
    engagement.save(update_fields=["includes_monitoring"])
    with time_machine.travel(at(2, 10), tick=False):
        services.sobriety_test_record(
            actor=world["coach"].user,
            engagement=engagement,
            tested_on=at(2, 9).date(),
            kind="urine",
            result="positive",
        )
    [event] = SafetyEvent.objects.filter(client=world["client"])
    assert (event.kind, event.door, event.asked) == ("reported_use", "staff", world["coach"])


def test_missed_checkins_marked_urgent_are_a_safety_event(world):
    org, engagement = world["org"], world["engagement"]
    engagement.missed_checkin_urgent = True
    engagement.save(update_fields=["missed_checkin_urgent"])
    with time_machine.travel(at(2, 21, 5), tick=False):
        scan(org)
        assert told(world["coach"].user) == ["email", "in_app"]
        [event] = SafetyEvent.objects.filter(client=world["client"])
        assert (event.kind, event.door) == ("missed_checkins", "system")
    with time_machine.travel(at(2, 22, 10), tick=False):
        scan(org)
        [alert] = outstanding(engagement, AlertCause.MISSED_CHECKIN)
        assert alert.escalated_at is None  # the spine's clock, not the coaching one
        assert notified(world["manager"].user) == 0


# --- help now -----------------------------------------------------------------------------


def test_help_now_goes_out_at_once_on_the_urgent_queue(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    from continuum.notifications import tasks as notification_tasks

    sent = []
    monkeypatch.setattr(
        notification_tasks.deliver_urgent_notification,
        "apply_async",
        lambda *a, **kw: sent.append(kw),
    )
    with (
        time_machine.travel(at(2, 23), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        alert = services.help_request(
            actor=world["members"][Role.CLIENT],
            client=world["client"],
            engagement=world["engagement"],
        )
        services.help_request(
            actor=world["members"][Role.CLIENT],
            client=world["client"],
            engagement=world["engagement"],
        )
    assert len(outstanding(world["engagement"], AlertCause.HELP_NOW)) == 1
    assert told(world["coach"].user) == ["email", "in_app"]
    [event] = SafetyEvent.objects.filter(client=world["client"])
    assert event.count == 2  # the second press adds to the first
    # One delivery per outbox row, each enqueued as soon as the press committed.
    rows = Notification.objects.filter(template="safety_event").values_list("pk", flat=True)
    assert sorted(kw["kwargs"]["notification_id"] for kw in sent) == sorted(rows)
    assert {kw["kwargs"]["organization_id"] for kw in sent} == {world["org"].pk}
    assert notification_tasks.deliver_urgent_notification.queue == "urgent"
    services.alert_resolve(actor=world["coach"].user, alert=alert)
    assert outstanding(world["engagement"], AlertCause.HELP_NOW) == []


def test_help_now_outside_the_coachs_hours_asks_the_next_person_first(world):
    services.coach_profile_save(
        actor=None,
        membership=world["coach"],
        hours_start=at(1, 8).time(),
        hours_end=at(1, 20).time(),
    )
    with time_machine.travel(at(2, 23), tick=False):
        services.help_request(actor=None, client=world["client"], engagement=world["engagement"])
    [event] = SafetyEvent.objects.filter(client=world["client"])
    assert event.asked == world["manager"]
    assert told(world["coach"].user) == []
    with time_machine.travel(at(3, 11), tick=False):  # within hours: the coach first
        services.help_request(actor=None, client=world["client"], engagement=world["engagement"])
    assert SafetyEvent.objects.filter(client=world["client"], asked=world["coach"]).exists()


def test_help_now_without_an_engagement_still_reaches_someone(world, members):
    client = ClientFactory(organization=world["org"])
    with time_machine.travel(at(2, 11), tick=False):
        assert services.help_request(actor=None, client=client) is None
    [event] = SafetyEvent.objects.filter(client=client)
    # No care team, no rota: every admin.
    assert event.asked_as == "admins"
    assert told(members[Role.ORG_ADMIN]) == ["email", "in_app"]


# --- isolation (no contact) ---------------------------------------------------------------


def test_no_contact_fires_once_escalates_and_clears(world):
    org, engagement = world["org"], world["engagement"]
    with time_machine.travel(at(3, 10), tick=False):
        checkin(world)
        scan(org)
        assert outstanding(engagement, AlertCause.NO_CONTACT) == []
    with time_machine.travel(at(4, 9, 30), tick=False):  # three days after activation
        checkin(world)
        # Whatever language is active where the scan runs, the coach's message names the
        # cause in the site's language.
        with translation.override("es"):
            scan(org)
            scan(org)
        [alert] = outstanding(engagement, AlertCause.NO_CONTACT)
        causes = Notification.objects.filter(
            recipient=world["coach"].user, template="coaching_alert"
        ).values_list("context__cause", flat=True)
        assert "No contact with the coach" in set(causes)
        assert "Sin contacto con el coach" not in set(causes)
    with time_machine.travel(at(4, 11), tick=False):
        scan(org)
        alert.refresh_from_db()
        assert alert.escalated_to == world["manager"]
    with time_machine.travel(at(4, 12), tick=False):
        services.contact_log(
            actor=world["coach"].user,
            engagement=engagement,
            kind=ContactKind.PHONE,
            started_at=at(4, 11, 30),
            duration_minutes=20,
        )
        alert.refresh_from_db()
        assert alert.status == AlertStatus.CLEARED
        scan(org)
        assert outstanding(engagement, AlertCause.NO_CONTACT) == []


def test_escalation_without_case_manager_goes_to_an_admin(world):
    CareTeamMember.objects.filter(client=world["client"], role=Role.CASE_MANAGER).delete()
    with time_machine.travel(at(2, 21, 5), tick=False):
        scan(world["org"])
    with time_machine.travel(at(2, 22, 30), tick=False):
        scan(world["org"])
    alert = Alert.objects.get(engagement=world["engagement"], cause=AlertCause.MISSED_CHECKIN)
    assert alert.escalated_to.user == world["members"][Role.ORG_ADMIN]


def test_pausing_clears_outstanding_alerts_and_stops_the_watch(world):
    org, engagement = world["org"], world["engagement"]
    with time_machine.travel(at(2, 21, 5), tick=False):
        scan(org)
        services.engagement_set_status(
            actor=None, engagement=engagement, status=EngagementStatus.PAUSED
        )
        assert outstanding(engagement, AlertCause.MISSED_CHECKIN) == []
    with time_machine.travel(at(5, 22), tick=False):
        scan(org)
        assert Alert.objects.filter(engagement=engagement, status="open").count() == 0


# --- check-in input -----------------------------------------------------------------------


def test_checkin_refuses_bad_input_and_saves_nothing(world):
    with time_machine.travel(at(2, 10), tick=False), pytest.raises(ValidationError) as error:
        services.checkin_record(
            actor=None,
            engagement=world["engagement"],
            sober=True,
            craving=11,
            mood=9,
            sleep="never",
            triggers=["casino"],
        )
    assert set(error.value.message_dict) == {"craving", "mood", "sleep", "triggers"}
    assert CheckIn.objects.count() == 0


def test_one_checkin_a_day(world):
    with time_machine.travel(at(2, 10), tick=False):
        checkin(world)
        with pytest.raises(ValidationError) as error:
            checkin(world)
    assert "already checked in today" in str(error.value)


def test_high_risk_event_schedules_reminders_and_extra_calls(world):
    with time_machine.travel(at(2, 10), tick=False):
        services.high_risk_event_add(
            actor=world["coach"].user,
            engagement=world["engagement"],
            title="Sister's wedding",
            starts_at=at(10, 16),
            extra_contacts=2,
        )
    reminders = Notification.objects.filter(
        template="coaching_reminder", recipient=world["coach"].user
    )
    assert sorted(n.due_at for n in reminders) == [at(9, 16), at(10, 14)]
    calls = Task.objects.filter(assignee=world["coach"], source="coaching.high_risk_event")
    assert sorted(t.due_at for t in calls) == [at(10, 15), at(10, 18)]


def test_certification_expiry_raises_a_task_once(world):
    profile = services.coach_profile_save(actor=None, membership=world["coach"])
    services.certification_add(
        actor=None, coach=profile, name="CCAR Recovery Coach", expires_on=at(20, 9).date()
    )
    assert services.certifications_scan(organization=world["org"], today=at(1, 9).date()) == 1
    assert services.certifications_scan(organization=world["org"], today=at(2, 9).date()) == 0
    task = Task.objects.get(source="coaching.certification_expiry")
    assert task.assignee == world["coach"]
    assert "CCAR Recovery Coach" in task.title


# --- the aftercare handoff ------------------------------------------------------------------


def test_entering_aftercare_proposes_an_engagement_with_a_matching_coach(in_org, members):
    from continuum.care.services import episode_open, episode_transition

    org = in_org
    spanish = CoachFactory(organization=org)
    services.coach_profile_save(actor=None, membership=spanish, languages=["es", "en"])
    english = CoachFactory(organization=org)
    services.coach_profile_save(actor=None, membership=english, languages=["en"])
    client = ClientFactory(organization=org, first_name="Lucía", preferred_language="es")
    actor = members[Role.ORG_ADMIN]
    episode = episode_open(actor=actor, client=client, phase=Phase.RESIDENTIAL)
    transition = episode_transition(
        actor=actor, episode=episode, to_phase=Phase.AFTERCARE, reason="Discharged"
    )
    run = HandoffRun.objects.get(transition=transition, name="coaching.propose_engagement")
    handoff_execute(run_id=run.pk)
    handoff_execute(run_id=run.pk)  # a repeat does nothing
    engagement = Engagement.objects.get(client=client)
    assert engagement.status == EngagementStatus.PROPOSED
    assert engagement.coach == spanish
    assert engagement.episode == CareEpisode.objects.get(pk=episode.pk)
