"""The alumni use cases: the sobriety date, RSVPs, the monthly check-in and asking for
help again (each choice: the transition, and which aftercare handoffs do their work)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alumni import services
from alumni.models import AlumniProfile, HelpRequest, MonthlyCheckIn, Rsvp
from casemanagement.models import CarePlan
from coaching.models import Engagement
from continuum.audit.models import AuditEvent
from continuum.care.models import (
    CareEpisode,
    HandoffRun,
    HandoffStatus,
    Phase,
    SafetyEvent,
    Task,
)
from continuum.care.services import episode_transition, handoff_execute
from continuum.tenancy.models import Role
from tests.care.factories import EpisodeFactory
from tests.people.factories import ClientFactory

from .factories import EventFactory, RsvpFactory


def run_handoffs(transition) -> dict[str, str]:
    for run in HandoffRun.objects.filter(transition=transition):
        handoff_execute(run_id=run.pk)
    return dict(HandoffRun.objects.filter(transition=transition).values_list("name", "status"))


# --- the sobriety date -------------------------------------------------------------------


def test_the_sobriety_date_is_saved_and_audited_and_refused_in_the_future(alumnus, members):
    user = members[Role.CLIENT]
    profile = services.profile_save(
        actor=user, client=alumnus, sobriety_date=date(2025, 1, 5), milestone_messages=True
    )
    assert (profile.sobriety_date, profile.milestone_messages) == (date(2025, 1, 5), True)
    assert AuditEvent.objects.filter(action="alumni_profile.updated").count() == 1
    with pytest.raises(ValidationError) as refused:
        services.profile_save(
            actor=user, client=alumnus, sobriety_date=timezone.localdate() + timedelta(days=1)
        )
    assert "future" in str(refused.value)
    profile.refresh_from_db()
    assert profile.sobriety_date == date(2025, 1, 5)
    # Staff correcting the date leave the client's choices as they are.
    services.profile_save(
        actor=members[Role.CASE_MANAGER], client=alumnus, sobriety_date=date(2025, 2, 1)
    )
    profile.refresh_from_db()
    assert (profile.sobriety_date, profile.milestone_messages) == (date(2025, 2, 1), True)


def test_anniversary_messages_need_a_date(alumnus, members):
    with pytest.raises(ValidationError):
        services.profile_save(
            actor=members[Role.CLIENT], client=alumnus, sobriety_date=None, milestone_messages=True
        )
    assert not AlumniProfile.objects.exists()


# --- RSVPs -----------------------------------------------------------------------------------


def test_an_answer_can_be_changed_and_stays_one_row(in_org, alumnus, members):
    event = EventFactory(organization=in_org)
    services.rsvp_set(actor=members[Role.CLIENT], event=event, client=alumnus, answer="maybe")
    services.rsvp_set(actor=members[Role.CLIENT], event=event, client=alumnus, answer="yes")
    assert list(Rsvp.objects.values_list("answer", flat=True)) == ["yes"]


def test_a_full_event_refuses_another_yes_but_takes_a_maybe(in_org, alumnus, members):
    event = EventFactory(organization=in_org, capacity=1)
    RsvpFactory(organization=in_org, event=event, client__organization=in_org)
    with pytest.raises(ValidationError) as refused:
        services.rsvp_set(actor=members[Role.CLIENT], event=event, client=alumnus, answer="yes")
    assert "full" in str(refused.value)
    services.rsvp_set(actor=members[Role.CLIENT], event=event, client=alumnus, answer="maybe")
    assert Rsvp.objects.get(client=alumnus).answer == "maybe"


def test_a_started_event_takes_no_answers(in_org, alumnus, members):
    event = EventFactory(organization=in_org, starts_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError):
        services.rsvp_set(actor=members[Role.CLIENT], event=event, client=alumnus, answer="no")
    assert not Rsvp.objects.exists()


def test_an_event_needs_a_place_and_a_future_time(in_org, members):
    with pytest.raises(ValidationError) as refused:
        services.event_create(
            actor=members[Role.ORG_ADMIN],
            organization=in_org,
            title="Picnic",
            starts_at=timezone.now() - timedelta(hours=1),
        )
    assert set(refused.value.message_dict) == {"starts_at", "location"}


# --- the monthly check-in -------------------------------------------------------------------


def test_a_good_month_raises_nothing_and_one_check_in_a_month(alumnus, members):
    checkin, event = services.checkin_record(
        actor=members[Role.CLIENT], client=alumnus, doing=4, still_sober=True, unsafe=False
    )
    assert event is None and checkin.month == timezone.localdate().replace(day=1)
    with pytest.raises(ValidationError) as refused:
        services.checkin_record(
            actor=members[Role.CLIENT], client=alumnus, doing=3, still_sober=True, unsafe=False
        )
    assert "already checked in" in str(refused.value)
    assert MonthlyCheckIn.objects.count() == 1
    assert not SafetyEvent.objects.exists()


@pytest.mark.parametrize(
    ("still_sober", "unsafe", "kind"),
    [(True, True, "alumni_help_now"), (False, False, "alumni_reported_use")],
)
def test_danger_or_a_return_to_use_reaches_a_named_person(
    alumnus, members, case_manager, still_sober, unsafe, kind
):
    _checkin, event = services.checkin_record(
        actor=members[Role.CLIENT], client=alumnus, doing=2, still_sober=still_sober, unsafe=unsafe
    )
    assert event.kind == kind
    # The case manager still on the team is the one asked.
    assert event.asked == case_manager


# --- asking for help again ----------------------------------------------------------------------


def test_asking_for_a_coach_returns_to_aftercare_and_opens_coaching_only(alumnus, members):
    request = services.help_ask(actor=members[Role.CLIENT], client=alumnus, choice="coach")
    transition = request.transition
    assert (transition.from_phase, transition.to_phase) == (Phase.ALUMNI, Phase.AFTERCARE)
    assert transition.details == {"return_line": Role.SOBER_COACH}
    assert "sober coach" in transition.reason
    statuses = run_handoffs(transition)
    assert set(statuses.values()) == {HandoffStatus.SUCCEEDED}
    assert Engagement.objects.filter(client=alumnus).count() == 1
    assert not CarePlan.objects.filter(client=alumnus).exists()
    task = Task.objects.get(client=alumnus, source="handoff:care.aftercare_first_contact")
    # No coach on the team yet: intake makes the call, within 72 h of asking.
    assert task.assignee is None and task.queue_role == Role.INTAKE_COORDINATOR
    assert "asked for a sober coach again" in task.title
    assert abs(task.due_at - (transition.at + timedelta(hours=72))) < timedelta(seconds=1)
    episode = CareEpisode.objects.get(client=alumnus)
    assert episode.phase == Phase.AFTERCARE and episode.discharge_date == date(2024, 1, 10)


def test_asking_for_services_opens_case_management_only(alumnus, members, case_manager):
    request = services.help_ask(
        actor=members[Role.CLIENT], client=alumnus, choice="services", note="Housing, again"
    )
    statuses = run_handoffs(request.transition)
    assert set(statuses.values()) == {HandoffStatus.SUCCEEDED}
    assert not Engagement.objects.filter(client=alumnus).exists()
    assert CarePlan.objects.filter(client=alumnus).count() == 1
    contact = Task.objects.get(client=alumnus, title__contains="back from alumni")
    assert contact.assignee == case_manager
    assert "help with services" in contact.title
    assert "Housing, again" in request.transition.reason


def test_struggling_now_raises_a_safety_event_and_keeps_the_phase(alumnus, members, case_manager):
    request = services.help_ask(actor=members[Role.CLIENT], client=alumnus, choice="struggling")
    assert request.transition is None
    assert request.safety_event.kind == "alumni_help_now"
    assert request.safety_event.asked == case_manager
    assert CareEpisode.objects.get(client=alumnus).phase == Phase.ALUMNI


def test_only_alumni_ask_for_help_again(alumnus, members):
    episode = CareEpisode.objects.get(client=alumnus)
    episode_transition(actor=members[Role.ORG_ADMIN], episode=episode, to_phase=Phase.AFTERCARE)
    with pytest.raises(ValidationError) as refused:
        services.help_ask(actor=members[Role.CLIENT], client=alumnus, choice="coach")
    assert "Help now" in str(refused.value)
    assert not HelpRequest.objects.exists()


def test_the_line_asked_for_only_applies_to_a_return(in_org, members):
    episode = EpisodeFactory(
        organization=in_org, client=ClientFactory(organization=in_org), phase=Phase.RESIDENTIAL
    )
    with pytest.raises(ValidationError) as refused:
        episode_transition(
            actor=members[Role.ORG_ADMIN],
            episode=episode,
            to_phase=Phase.AFTERCARE,
            return_line=Role.SOBER_COACH,
        )
    assert "return_line" in refused.value.message_dict


def test_a_return_refuses_an_unknown_line_and_a_new_discharge(alumnus, members):
    episode = CareEpisode.objects.get(client=alumnus)
    for details in ({"return_line": Role.INTERVENTIONIST}, {"discharge_date": date(2025, 1, 1)}):
        with pytest.raises(ValidationError):
            episode_transition(
                actor=members[Role.ORG_ADMIN], episode=episode, to_phase=Phase.AFTERCARE, **details
            )
    assert CareEpisode.objects.get(client=alumnus).phase == Phase.ALUMNI
