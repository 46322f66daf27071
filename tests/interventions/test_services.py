from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from continuum.care.models import CareEpisode, HandoffRun, Phase, Task
from continuum.care.services import handoff_execute
from continuum.notifications.models import Notification, Status
from continuum.people.models import CareTeamMember, Client, FamilyMember, FamilyRelationship
from continuum.tenancy.models import Membership, Role
from continuum.tenancy.scoping import across_organizations
from interventions import selectors, services
from interventions.models import (
    FamilyCheckin,
    Intervention,
    InterventionModel,
    InterventionOutcome,
    InterventionRequest,
    LetterStatus,
    Outcome,
    RequestStatus,
)
from tests.factories import MembershipFactory, UserFactory
from tests.interventions.conftest import notifications_for
from tests.interventions.factories import (
    InterventionFactory,
    ParticipantFactory,
)

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def submit(org, data, **extra):
    return services.request_submit(organization=org, **{**data, **extra})


def held(intervention, *, on=None):
    """The day took place (yesterday, or at `on`), so its outcome is on time."""
    intervention.scheduled_at = on or timezone.now() - timedelta(days=1)
    Intervention.objects.filter(pk=intervention.pk).update(scheduled_at=intervention.scheduled_at)
    return intervention


# --- the family's request ---------------------------------------------------------------


def test_request_creates_family_client_and_inquiry_episode_with_a_portal_login(in_org, help_data):
    request, merged = submit(in_org, help_data)

    assert merged is False
    client = Client.objects.get()
    assert (client.first_name, client.last_name) == ("Sam", "Lopez")
    assert client.primary_substances == ["alcohol", "opioids"]
    episode = CareEpisode.objects.get(client=client)
    assert episode.phase == Phase.INQUIRY and request.episode == episode
    family = FamilyMember.objects.get()
    assert family.email == "maria.lopez@example.com"
    assert family.client_links.get().is_primary_contact
    # The login by e-mailed code needs a verified address and a family membership.
    user = family.portal_user
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    assert Membership.objects.get(organization=in_org, user=user).roles == [Role.FAMILY_MEMBER]
    confirmation = notifications_for(user, "interventions_request_received")
    assert len(confirmation) == 1 and confirmation[0].channels == ["email"]
    assert request.is_urgent is False


def test_danger_signs_flag_urgent_and_the_email_leads_with_911_and_988(
    in_org, help_data, members, deliver
):
    request, _ = submit(in_org, help_data, danger_signs=["suicidal", "overdose"])

    assert request.is_urgent
    assert Client.objects.get().risk_flags == ["overdose", "suicidal"]
    intake = members[Role.INTAKE_COORDINATOR]
    alert = notifications_for(intake, "interventions_request_urgent")
    assert len(alert) == 1 and alert[0].urgent
    sent = {m.to[0]: m for m in deliver()}
    family_mail = sent["maria.lopez@example.com"]
    # The e-mail leads with the crisis lines and says no more than who and to sign in.
    assert family_mail.subject == "Urgent: a message from Harbor Recovery"
    first_line = family_mail.body.strip().splitlines()[0]
    assert "911" in first_line and "988" in first_line
    assert "Sam" not in family_mail.body and "overdose" not in family_mail.body
    assert "/harbor/portal/inbox/" in family_mail.body
    assert "/accounts/login/code/" in family_mail.body


def test_a_second_submission_within_a_day_merges(in_org, help_data):
    with time_machine.travel(NOW, tick=False):
        first, _ = submit(in_org, help_data)
    with time_machine.travel(NOW + timedelta(hours=5), tick=False):
        second, merged = submit(
            in_org,
            {**help_data, "requester_email": "Maria.Lopez@Example.com"},
            loved_one_first_name="sam",
            danger_signs=["withdrawal"],
        )

    assert merged and second.pk == first.pk
    assert InterventionRequest.objects.count() == 1
    assert CareEpisode.objects.count() == 1 and Client.objects.count() == 1
    second.refresh_from_db()
    assert second.submission_count == 2 and second.is_urgent
    assert second.danger_signs == ["withdrawal"]


def test_a_submission_after_a_day_adds_a_request_to_the_same_open_episode(in_org, help_data):
    with time_machine.travel(NOW, tick=False):
        first, _ = submit(in_org, help_data)
    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        second, merged = submit(in_org, help_data)

    assert not merged and second.pk != first.pk
    assert second.episode_id == first.episode_id
    assert Client.objects.count() == 1 and CareEpisode.objects.count() == 1


def test_a_request_without_consent_saves_nothing(in_org, help_data):
    with pytest.raises(ValidationError) as error:
        submit(in_org, help_data, consent_to_contact=False)

    assert "consent_to_contact" in error.value.message_dict
    assert not Client.objects.exists() and not FamilyMember.objects.exists()
    assert not CareEpisode.objects.exists()


def test_closed_intake_refuses_requests(in_org, help_data):
    in_org.intake_open = False
    in_org.save()
    with pytest.raises(ValidationError):
        submit(in_org, help_data)
    assert not InterventionRequest.objects.exists()


# --- triage -----------------------------------------------------------------------------


@pytest.fixture
def new_request(in_org, help_data):
    return submit(in_org, help_data)[0]


def test_accept_assigns_the_interventionist_and_moves_to_pre_treatment(
    new_request, members, memberships
):
    intake = members[Role.INTAKE_COORDINATOR]
    interventionist = memberships[Role.INTERVENTIONIST]

    intervention = services.request_accept(
        actor=intake, request=new_request, interventionist=interventionist
    )

    new_request.refresh_from_db()
    assert new_request.status == RequestStatus.ACCEPTED and new_request.first_contact_at
    assert CareEpisode.objects.get().phase == Phase.PRE_TREATMENT
    assert CareTeamMember.objects.filter(
        client=new_request.client, membership=interventionist, role=Role.INTERVENTIONIST
    ).exists()
    requester = intervention.participants.get()
    assert requester.family_member == new_request.requester
    assert notifications_for(new_request.requester.portal_user, "interventions_request_update")
    # The interventionist now sees the case through the care team.
    assert selectors.intervention_get_for(
        membership=interventionist, intervention_id=intervention.public_id
    )


def test_accept_refuses_a_non_interventionist_and_changes_nothing(
    new_request, members, memberships
):
    with pytest.raises(ValidationError) as error:
        services.request_accept(
            actor=members[Role.INTAKE_COORDINATOR],
            request=new_request,
            interventionist=memberships[Role.SOBER_COACH],
        )
    assert "interventionist" in error.value.message_dict
    new_request.refresh_from_db()
    assert new_request.status == RequestStatus.NEW
    assert CareEpisode.objects.get().phase == Phase.INQUIRY


def test_refer_and_close_end_the_episode_and_tell_the_family(in_org, help_data, members):
    intake = members[Role.INTAKE_COORDINATOR]
    referred, _ = submit(in_org, help_data)
    services.request_refer(actor=intake, request=referred, referred_to="Lakeside Adolescent Center")
    closed, _ = submit(in_org, {**help_data, "loved_one_first_name": "Leo"})
    with pytest.raises(ValidationError):
        services.request_close(actor=intake, request=closed, reason="declined", note="")
    services.request_close(
        actor=intake, request=closed, reason="lost_to_contact", note="No answer after 5 calls"
    )

    episodes = {e.client.first_name: e for e in CareEpisode.objects.select_related("client")}
    assert episodes["Sam"].phase == Phase.CLOSED and episodes["Sam"].closed_reason == "transferred"
    assert episodes["Leo"].closed_reason == "lost_to_contact"
    user = referred.requester.portal_user
    assert len(notifications_for(user, "interventions_request_update")) == 2
    with pytest.raises(ValidationError):
        services.request_refer(actor=intake, request=referred, referred_to="Again")


def _triage_task(request):
    return Task.objects.get(episode=request.episode, source="handoff:care.inquiry_triage")


@pytest.mark.parametrize("decide", ["accept", "refer", "close"])
def test_deciding_a_request_closes_its_triage_task(new_request, members, memberships, decide):
    intake = members[Role.INTAKE_COORDINATOR]
    handoff_execute(run_id=HandoffRun.objects.get(name="care.inquiry_triage").pk)
    assert _triage_task(new_request).status == "open"
    if decide == "accept":
        services.request_accept(
            actor=intake, request=new_request, interventionist=memberships[Role.INTERVENTIONIST]
        )
    elif decide == "refer":
        services.request_refer(actor=intake, request=new_request, referred_to="Lakeside")
    else:
        services.request_close(actor=intake, request=new_request, reason="declined", note="No")
    task = _triage_task(new_request)
    assert (task.status, task.completed_by) == ("done", intake)


def test_a_triage_handoff_running_after_the_decision_creates_no_task(
    new_request, members, memberships
):
    services.request_accept(
        actor=members[Role.INTAKE_COORDINATOR],
        request=new_request,
        interventionist=memberships[Role.INTERVENTIONIST],
    )
    handoff_execute(run_id=HandoffRun.objects.get(name="care.inquiry_triage").pk)
    assert not Task.objects.filter(source="handoff:care.inquiry_triage").exists()


def test_requests_not_answered_in_time_alert_intake_once(in_org, help_data, members):
    with time_machine.travel(NOW, tick=False):
        _request, _ = submit(in_org, help_data)
    with time_machine.travel(NOW + timedelta(hours=23), tick=False):
        assert services.request_alert_overdue(organization=in_org) == 0
    with time_machine.travel(NOW + timedelta(hours=25), tick=False):
        assert services.request_alert_overdue(organization=in_org) == 1
        assert services.request_alert_overdue(organization=in_org) == 0
    alerts = notifications_for(members[Role.INTAKE_COORDINATOR], "interventions_request_overdue")
    assert len(alerts) == 1


# --- planning, letters and reminders ----------------------------------------------------


@pytest.fixture
def planning(new_request, members, memberships):
    intervention = services.request_accept(
        actor=members[Role.INTAKE_COORDINATOR],
        request=new_request,
        interventionist=memberships[Role.INTERVENTIONIST],
    )
    return intervention


def test_moving_the_date_moves_the_reminders(planning, members):
    interventionist = members[Role.INTERVENTIONIST]
    mother = planning.request.requester.portal_user
    with time_machine.travel(NOW, tick=False):
        services.intervention_plan_update(
            actor=interventionist, intervention=planning, scheduled_at=NOW + timedelta(days=5)
        )
        services.intervention_plan_update(
            actor=interventionist, intervention=planning, scheduled_at=NOW + timedelta(days=6)
        )
    reminders = notifications_for(mother, "interventions_reminder")
    assert [(n.status, n.due_at) for n in reminders] == [
        (Status.CANCELLED, NOW + timedelta(days=4)),
        (Status.PENDING, NOW + timedelta(days=5)),
    ]


def test_a_past_date_is_refused(planning, members):
    with pytest.raises(ValidationError) as error:
        services.intervention_plan_update(
            actor=members[Role.INTERVENTIONIST],
            intervention=planning,
            scheduled_at=NOW - timedelta(days=400),
        )
    assert "scheduled_at" in error.value.message_dict


def test_meetings_remind_every_portal_participant(planning, members):
    with time_machine.travel(NOW, tick=False):
        brother = services.participant_add(
            actor=members[Role.INTERVENTIONIST],
            intervention=planning,
            name="Leo Lopez",
            email="leo@example.com",
            role="family",
        )
        services.participant_invite_to_portal(
            actor=members[Role.INTERVENTIONIST], participant=brother
        )
        services.session_schedule(
            actor=members[Role.INTERVENTIONIST],
            intervention=planning,
            kind="education",
            starts_at=NOW + timedelta(days=3),
            topics="What addiction does to a family",
        )
    brother.refresh_from_db()
    leo = brother.family_member.portal_user
    assert Membership.objects.get(user=leo).roles == [Role.FAMILY_MEMBER]
    assert notifications_for(leo, "interventions_portal_invite")
    for user in (leo, planning.request.requester.portal_user):
        (reminder,) = notifications_for(user, "interventions_reminder")
        assert reminder.due_at == NOW + timedelta(days=2)


@pytest.mark.parametrize(
    ("typed", "role", "kind"),
    [
        ("Father", "family", "parent"),
        ("sister", "family", "sibling"),
        ("sibling", "family", "sibling"),
        ("Spouse or partner", "family", "spouse_partner"),
        ("Mother-in-law", "family", "other_relative"),
        ("Godmother", "family", "other_relative"),
        ("", "friend", "friend"),
        ("Pastor", "clergy", "other"),
    ],
)
def test_a_participant_invited_keeps_their_relationship_on_the_client_record(
    planning, members, typed, role, kind
):
    person = services.participant_add(
        actor=members[Role.INTERVENTIONIST],
        intervention=planning,
        name="Leo Lopez",
        email="leo@example.com",
        role=role,
        relationship=typed,
    )
    services.participant_invite_to_portal(actor=members[Role.INTERVENTIONIST], participant=person)
    link = FamilyRelationship.objects.get(
        client=planning.client, family_member__email="leo@example.com"
    )
    assert link.relationship == kind


def test_the_requester_joins_the_team_with_the_relationship_they_gave(planning):
    requester = planning.participants.get()
    assert (requester.relationship, requester.relationship_label) == ("parent", "Parent")


def test_participants_are_corrected_ordered_and_removed(planning, members):
    interventionist = members[Role.INTERVENTIONIST]
    mother = planning.participants.get()
    leo = services.participant_add(
        actor=interventionist,
        intervention=planning,
        name="Leo",
        email="leo@example.com",
        role="family",
    )
    with pytest.raises(ValidationError) as error:
        services.participant_update(
            actor=interventionist,
            participant=leo,
            name="",
            role="family",
            email=mother.email,
        )
    assert set(error.value.message_dict) == {"name", "email"}
    leo.refresh_from_db()
    assert leo.name == "Leo"
    services.participant_update(
        actor=interventionist,
        participant=leo,
        name="Leo Lopez",
        role="family",
        email="leo@example.com",
        relationship="sibling",
        speaking_order=None,
    )
    # A portal participant's address is their sign-in: changed on their family record.
    with pytest.raises(ValidationError) as error:
        services.participant_update(
            actor=interventionist,
            participant=mother,
            name=mother.name,
            role="family",
            email="new@example.com",
        )
    assert "family record" in error.value.message_dict["email"][0]

    services.participant_set_order(
        actor=interventionist, intervention=planning, order=[leo.public_id, mother.public_id]
    )
    assert [
        (p.name, p.speaking_order) for p in planning.participants.order_by("speaking_order")
    ] == [
        ("Leo Lopez", 1),
        ("Maria Lopez", 2),
    ]
    services.participant_set_order(
        actor=interventionist, intervention=planning, order=[mother.public_id]
    )
    leo.refresh_from_db()
    assert leo.speaking_order is None

    assert services.participant_remove(actor=interventionist, participant=leo) == "Leo Lopez"
    assert list(planning.participants.values_list("name", flat=True)) == ["Maria Lopez"]


def test_an_outcome_before_the_day_needs_a_reason_and_keeps_it(planning, members):
    interventionist = members[Role.INTERVENTIONIST]
    services.intervention_plan_update(
        actor=interventionist,
        intervention=planning,
        scheduled_at=timezone.now() + timedelta(days=5),
    )
    with pytest.raises(ValidationError) as error:
        services.outcome_record(actor=interventionist, intervention=planning, outcome="declined")
    assert "is scheduled for" in error.value.message_dict["early_reason"][0]
    planning.refresh_from_db()
    assert planning.outcome == "" and not InterventionOutcome.objects.exists()
    record = services.outcome_record(
        actor=interventionist,
        intervention=planning,
        outcome="declined",
        early_reason="Sam refused to meet at the first planning call",
        notes="He left the room.",
    )
    assert record.notes == (
        "Recorded before the day: Sam refused to meet at the first planning call\n\nHe left the room."
    )


def test_only_the_author_and_the_interventionist_see_a_letter(in_org, members, memberships):
    intervention = InterventionFactory(
        organization=in_org, interventionist=memberships[Role.INTERVENTIONIST]
    )
    author = UserFactory()
    MembershipFactory(organization=in_org, user=author, roles=[Role.FAMILY_MEMBER])
    sister = UserFactory()
    MembershipFactory(organization=in_org, user=sister, roles=[Role.FAMILY_MEMBER])
    participant = ParticipantFactory(intervention=intervention, user=author, name="Ana Lopez")
    ParticipantFactory(intervention=intervention, user=sister, name="Eva Lopez")
    other_interventionist = MembershipFactory(
        organization=in_org, user=UserFactory(), roles=[Role.INTERVENTIONIST]
    )

    letter = services.letter_save(actor=author, participant=participant, body="Dear Sam,")

    def sees(membership):
        try:
            selectors.letter_get_for(membership=membership, letter_id=letter.public_id)
        except Http404:
            return False
        return True

    assert letter.status == LetterStatus.DRAFT
    assert sees(Membership.objects.get(user=author))
    assert sees(memberships[Role.INTERVENTIONIST])
    assert not sees(memberships[Role.ORG_ADMIN])
    assert not sees(memberships[Role.INTAKE_COORDINATOR])
    assert not sees(other_interventionist)
    assert not sees(Membership.objects.get(user=sister))
    with pytest.raises(ValidationError):
        services.letter_save(actor=sister, participant=participant, body="Overwrite")


def test_letter_review_cycle(in_org, members, memberships):
    intervention = InterventionFactory(
        organization=in_org, interventionist=memberships[Role.INTERVENTIONIST]
    )
    author = UserFactory()
    MembershipFactory(organization=in_org, user=author, roles=[Role.FAMILY_MEMBER])
    participant = ParticipantFactory(intervention=intervention, user=author)
    reviewer = members[Role.INTERVENTIONIST]

    with pytest.raises(ValidationError):
        services.letter_save(actor=author, participant=participant, body=" ", submit=True)
    letter = services.letter_save(
        actor=author, participant=participant, body="Dear Sam", submit=True
    )
    with pytest.raises(ValidationError) as error:
        services.letter_review(actor=reviewer, letter=letter, approve=False, comment="")
    assert "comment" in error.value.message_dict
    services.letter_review(actor=reviewer, letter=letter, approve=False, comment="Add a memory")
    assert letter.status == LetterStatus.CHANGES_REQUESTED
    services.letter_save(
        actor=author, participant=participant, body="Dear Sam, I remember", submit=True
    )
    letter.refresh_from_db()
    services.letter_review(actor=reviewer, letter=letter, approve=True)
    assert letter.status == LetterStatus.APPROVED
    with pytest.raises(ValidationError):
        services.letter_save(actor=author, participant=participant, body="Changed")
    with pytest.raises(ValidationError):
        services.letter_review(actor=members[Role.ORG_ADMIN], letter=letter, approve=True)
    assert notifications_for(reviewer, "interventions_letter_submitted")


# --- the day and the outcome ------------------------------------------------------------


def test_accepted_moves_to_residential_and_hands_off(planning, members):
    interventionist = members[Role.INTERVENTIONIST]
    with pytest.raises(ValidationError) as error:
        services.outcome_record(actor=interventionist, intervention=planning, outcome="accepted")
    # No program arranged yet, and no day set: both are said at once.
    assert set(error.value.message_dict) == {"outcome", "early_reason"}
    assert not InterventionOutcome.objects.exists()
    held(planning)
    services.intervention_treatment_update(
        actor=interventionist,
        intervention=planning,
        program_name="Harbor House Residential",
        bed_hold_date=timezone.localdate(),  # the organization's day (its scope is active)
    )
    services.intervention_transport_update(
        actor=interventionist, intervention=planning, transport_provider="SafeRide"
    )

    services.outcome_record(actor=interventionist, intervention=planning, outcome="accepted")

    episode = CareEpisode.objects.get()
    assert episode.phase == Phase.RESIDENTIAL
    assert episode.residential_program == "Harbor House Residential"
    assert episode.admission_date == timezone.localdate()
    planning.refresh_from_db()
    assert planning.transport_dispatched_at is not None
    run = HandoffRun.objects.get(name="interventions.admission_handoff")
    handoff_execute(run_id=run.pk)
    titles = set(
        Task.objects.filter(source__startswith="handoff:interventions").values_list(
            "title", flat=True
        )
    )
    assert titles == {
        "Hand Sam Lopez over to Harbor House Residential",
        "Form the aftercare team for Sam Lopez",
    }


def test_declined_leads_to_a_shared_response_plan_and_arise_escalation(planning, members):
    interventionist = members[Role.INTERVENTIONIST]
    services.intervention_plan_update(actor=interventionist, intervention=planning, model="arise")
    mother = planning.request.requester.portal_user
    held(planning, on=NOW - timedelta(hours=3))
    with time_machine.travel(NOW, tick=False):
        services.outcome_record(actor=interventionist, intervention=planning, outcome="declined")
        with pytest.raises(ValidationError) as error:
            services.response_plan_save(
                actor=interventionist,
                intervention=planning,
                boundaries="",
                next_checkin_on=date(2026, 3, 1),
            )
        assert set(error.value.message_dict) == {"boundaries", "next_checkin_on"}
        services.response_plan_save(
            actor=interventionist,
            intervention=planning,
            boundaries="No money; no rides except to treatment.",
            next_checkin_on=date(2026, 3, 16),
            share=True,
        )

    assert CareEpisode.objects.get().phase == Phase.PRE_TREATMENT
    assert notifications_for(mother, "interventions_response_plan")
    follow_ups = notifications_for(mother, "interventions_follow_up")
    assert sorted(n.due_at.date() for n in follow_ups) == [date(2026, 3, 9), date(2026, 3, 16)]
    services.intervention_resume_planning(actor=interventionist, intervention=planning)
    planning.refresh_from_db()
    assert planning.outcome == "" and planning.arise_level == 2
    assert planning.model == InterventionModel.ARISE


def test_a_family_check_in_is_range_checked_and_only_for_oneself(planning, members):
    family_member = planning.request.requester
    with pytest.raises(ValidationError) as error:
        services.family_checkin_record(
            actor=family_member.portal_user, family_member=family_member, mood=0, stress=9
        )
    assert set(error.value.message_dict) == {"mood", "stress"}
    with pytest.raises(ValidationError):
        services.family_checkin_record(
            actor=members[Role.INTERVENTIONIST], family_member=family_member, mood=3, stress=3
        )
    too_long = "x" * (services.NOTE_MAX_LENGTH + 1)
    with pytest.raises(ValidationError) as error:
        services.family_checkin_record(
            actor=family_member.portal_user,
            family_member=family_member,
            mood=3,
            stress=3,
            note=too_long,
        )
    assert set(error.value.message_dict) == {"note"}
    assert not FamilyCheckin.objects.exists()
    checkin = services.family_checkin_record(
        actor=family_member.portal_user, family_member=family_member, mood=2, stress=4, note=" ok "
    )
    assert (checkin.mood, checkin.stress, checkin.note) == (2, 4, "ok")


def test_measures(in_org, help_data, members, memberships):
    intake = members[Role.INTAKE_COORDINATOR]
    with time_machine.travel(NOW, tick=False):
        accepted, _ = submit(in_org, help_data)
        declined, _ = submit(in_org, {**help_data, "loved_one_first_name": "Leo"})
        submit(in_org, {**help_data, "loved_one_first_name": "Ben"})
    with time_machine.travel(NOW + timedelta(hours=4), tick=False):
        one = services.request_accept(
            actor=intake, request=accepted, interventionist=memberships[Role.INTERVENTIONIST]
        )
        two = services.request_accept(
            actor=intake, request=declined, interventionist=memberships[Role.INTERVENTIONIST]
        )
    with time_machine.travel(NOW + timedelta(days=10), tick=False):
        services.intervention_treatment_update(
            actor=intake, intervention=one, program_name="Harbor House"
        )
        held(one)
        held(two)
        services.outcome_record(actor=intake, intervention=one, outcome="accepted")
        services.outcome_record(actor=intake, intervention=two, outcome="declined")
        data = selectors.measures(organization=in_org)

    assert {r["value"]: r["count"] for r in data["by_status"]} == {
        "new": 1,
        "accepted": 2,
        "referred": 0,
        "closed": 0,
    }
    assert data["first_contact_hours"] == 4.0
    assert data["days_to_engagement"] == 10.0
    johnson = next(r for r in data["acceptance"] if r["model"] == "Johnson-style")
    assert (johnson["accepted"], johnson["total"], johnson["rate"]) == (1, 2, 50)
    assert InterventionOutcome.objects.filter(outcome=Outcome.DECLINED).count() == 1


def test_an_urgent_request_reaches_this_organizations_intake_desk_and_no_one_else(
    in_org, help_data, members, outsider
):
    # `outsider` holds every role in Lear, intake included: a leak across organizations
    # or roles would reach that person or Harbor's other staff.
    submit(in_org, help_data, danger_signs=["overdose"])

    # Read across organizations: inside Harbor's scope the outbox shows only Harbor's
    # rows, and a row anywhere else would go unseen.
    with across_organizations("test: every outbox row a request produced"):
        outbox = {
            (n.organization_id, n.recipient.email, n.template)
            for n in Notification.objects.select_related("recipient")
        }
    assert outbox == {
        (in_org.pk, "maria.lopez@example.com", "interventions_request_received"),
        (in_org.pk, members[Role.INTAKE_COORDINATOR].email, "interventions_request_urgent"),
    }
