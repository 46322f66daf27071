"""The family portal home: what a parent sees of her request and of the intervention, the
answers she gives to invitations, her own check-ins, and who else may see any of it."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from continuum.audit.models import AuditEvent
from continuum.tenancy.models import Role
from interventions import services
from interventions.models import FamilyCheckin, Intervention, MeetingAnswer, Participant, Rsvp
from tests.consent.factories import ConsentFactory
from tests.factories import MembershipFactory, UserFactory
from tests.interventions.factories import (
    FamilyCheckinFactory,
    InterventionFactory,
    InterventionRequestFactory,
    LetterFactory,
    ParticipantFactory,
    SessionFactory,
)
from tests.queries import assert_queries


def url(name, org, **kw):
    return reverse(name, kwargs={"org": org.slug, **kw})


def home(org):
    return url("portal:home", org)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def parent(org, members):
    """Maria, signed in to the family portal, who asked for help with Sam."""
    return members[Role.FAMILY_MEMBER]


@pytest.fixture
def sent(org, parent):
    return InterventionRequestFactory(
        organization=org,
        client__first_name="Sam",
        client__last_name="Lopez",
        requester__first_name="Maria",
        requester__last_name="Lopez",
        requester__email=parent.email,
        requester__portal_user=parent,
        recent_events="He lost his job last month & stopped calling.",
        substances="alcohol, opioids",
        danger_signs=["withdrawal"],
        insurance="",
    )


@pytest.fixture
def planning(org, sent, memberships):
    """Intake accepted; Maria is the first participant; a meeting next week."""
    intervention = InterventionFactory(
        organization=org, request=sent, interventionist=memberships[Role.INTERVENTIONIST]
    )
    participant = ParticipantFactory(
        intervention=intervention, family_member=sent.requester, name="Maria Lopez"
    )
    session = SessionFactory(intervention=intervention)
    return {"intervention": intervention, "participant": participant, "session": session}


# --- what the home shows ----------------------------------------------------------------


def test_the_home_shows_the_request_as_she_wrote_it_and_where_it_stands(client, org, parent, sent):
    client.force_login(parent)
    body = text(client.get(home(org)))
    assert "The request you sent" in body
    assert sent.reference in body
    # Her words, escaped as typed, under the form's own questions.
    assert "What has happened recently?" in body
    assert "He lost his job last month &amp; stopped calling." in body
    assert "alcohol, opioids" in body
    assert "Shaking, seizures or severe sickness when stopping (withdrawal)" in body
    # A question she skipped is not invented.
    assert "What insurance" not in body
    assert "We received your request on" in body
    assert f"within {org.response_time_hours} hours" in body
    # Nothing is planned yet: no meeting to answer, no letter to start.
    assert "Your next meeting" not in body and "Start my letter" not in body
    with scope(organization=org.pk):
        assert AuditEvent.objects.filter(
            action="interventionrequest.viewed", object_id=str(sent.public_id)
        ).exists()


def test_after_acceptance_she_sees_her_interventionist_the_next_meeting_and_her_letter(
    client, org, parent, members, planning
):
    client.force_login(parent)
    body = text(client.get(home(org)))
    name = members[Role.INTERVENTIONIST].get_full_name()
    assert f"Your interventionist is <strong>{name}</strong>" in body
    assert "We are planning the intervention for Sam together." in body
    assert "Your next meeting" in body and "Education session" in body
    assert "Please let us know whether you can come." in body
    assert "Start my letter" in body


def test_an_answer_to_a_meeting_is_recorded_audited_and_confirmed(client, org, parent, planning):
    client.force_login(parent)
    session = planning["session"]
    answer = url(
        "portal:intervention_meeting_answer",
        org,
        intervention_id=planning["intervention"].public_id,
        session_id=session.public_id,
    )
    response = client.post(answer, {"rsvp": "yes"}, follow=True)
    assert response.redirect_chain[-1][0] == home(org)
    body = text(response)
    assert "we recorded your answer: “Will attend”" in body
    assert "Your answer: <strong>Will attend</strong>" in body
    # A change of mind replaces the answer.
    client.post(answer, {"rsvp": "maybe"})
    with scope(organization=org.pk):
        saved = MeetingAnswer.objects.get()
        assert (saved.participant, saved.answer) == (planning["participant"], Rsvp.MAYBE)
        assert AuditEvent.objects.filter(action="intervention.meeting_answered").count() == 2


def test_a_missing_answer_is_refused_and_nothing_is_saved(client, org, parent, planning):
    client.force_login(parent)
    answer = url(
        "portal:intervention_meeting_answer",
        org,
        intervention_id=planning["intervention"].public_id,
        session_id=planning["session"].public_id,
    )
    response = client.post(answer, {"rsvp": "perhaps"})
    assert response.status_code == 400
    assert "Nothing was saved yet." in text(response)
    assert "Select a valid choice" in text(response)
    with scope(organization=org.pk):
        assert not MeetingAnswer.objects.exists()


def test_a_meeting_that_has_started_cannot_be_answered(client, org, parent, planning):
    with scope(organization=org.pk):
        session = SessionFactory(
            intervention=planning["intervention"], starts_at=timezone.now() - timedelta(hours=1)
        )
    client.force_login(parent)
    response = client.post(
        url(
            "portal:intervention_meeting_answer",
            org,
            intervention_id=planning["intervention"].public_id,
            session_id=session.public_id,
        ),
        {"rsvp": "yes"},
    )
    assert response.status_code == 400
    assert "has already started" in text(response)
    with scope(organization=org.pk):
        assert not MeetingAnswer.objects.exists()


def test_the_day_is_answered_and_the_interventionist_sees_the_answer(
    client, org, parent, members, planning
):
    intervention = planning["intervention"]
    with scope(organization=org.pk):
        Intervention.objects.filter(pk=intervention.pk).update(
            scheduled_at=timezone.now() + timedelta(days=10), location="The family home"
        )
    client.force_login(parent)
    body = text(client.get(home(org)))
    # The meeting comes first; the day is next in line.
    assert body.index("Education session") < body.index("Send my answer")
    response = client.post(
        url("portal:intervention_answer", org, intervention_id=intervention.public_id),
        {"rsvp": "no"},
    )
    assert response.status_code == 302
    with scope(organization=org.pk):
        participant = Participant.objects.get(pk=planning["participant"].pk)
        assert participant.rsvp == Rsvp.NO and participant.rsvp_at is not None
        assert AuditEvent.objects.filter(action="intervention.rsvp").exists()
    client.force_login(members[Role.INTERVENTIONIST])
    staff_page = text(
        client.get(url("staff:intervention_detail", org, intervention_id=intervention.public_id))
    )
    assert "What the family answered" in staff_page
    assert "Maria Lopez: Cannot attend" in staff_page


def test_after_a_decline_without_consent_she_is_not_told_the_outcome_nor_asked_for_a_letter(
    client, org, parent, members, planning
):
    with scope(organization=org.pk):
        services.outcome_record(
            actor=members[Role.INTERVENTIONIST],
            intervention=planning["intervention"],
            outcome="declined",
            early_reason="The family met before a date was set",
        )
    client.force_login(parent)
    body = text(client.get(home(org)))
    assert "The day of the intervention has taken place." in body
    assert "declined" not in body.lower() and "said no" not in body
    assert "Start my letter" not in body
    assert "Your next meeting" not in body
    assert "Our family's response plan" not in body
    intervention_page = text(
        client.get(
            url(
                "portal:intervention_family",
                org,
                intervention_id=planning["intervention"].public_id,
            )
        )
    )
    assert "The date is not set yet" not in intervention_page
    assert "Start my letter" not in intervention_page


def test_after_a_decline_with_consent_she_reads_the_plan_or_who_will_write_it(
    client, org, parent, members, planning
):
    intervention = planning["intervention"]
    interventionist = members[Role.INTERVENTIONIST]
    with scope(organization=org.pk):
        services.outcome_record(
            actor=interventionist,
            intervention=intervention,
            outcome="declined",
            early_reason="The family met before a date was set",
        )
        ConsentFactory(
            client=intervention.client,
            recipient_kind="family_member",
            recipient_name="",
            recipient_family_member=planning["participant"].family_member,
            purposes=["family_involvement"],
            information_categories=["status"],
        )
    client.force_login(parent)
    body = text(client.get(home(org)))
    assert "Sam said no to treatment for now." in body
    assert (
        f"No plan is written yet. {interventionist.get_full_name()}, your interventionist, "
        "will write it" in body
    )
    with scope(organization=org.pk):
        services.response_plan_save(
            actor=interventionist,
            intervention=intervention,
            boundaries="No more money. No rides except to treatment.",
            next_checkin_on=timezone.localdate() + timedelta(days=14),
            share=True,
        )
    body = text(client.get(home(org)))
    assert "No more money. No rides except to treatment." in body
    assert "No plan is written yet" not in body


def test_her_letter_section_follows_the_letter(client, org, parent, planning):
    with scope(organization=org.pk):
        LetterFactory(participant=planning["participant"], author=parent, body="Sam, we love you.")
    client.force_login(parent)
    body = text(client.get(home(org)))
    assert "Continue my letter" in body and "Start my letter" not in body


def test_letters_are_closed_after_the_day(org, parent, members, planning):
    with scope(organization=org.pk):
        services.outcome_record(
            actor=members[Role.INTERVENTIONIST],
            intervention=planning["intervention"],
            outcome="postponed",
            early_reason="The family met before a date was set",
        )
        with pytest.raises(ValidationError) as refused:
            services.letter_save(actor=parent, participant=planning["participant"], body="Sam")
    assert "can no longer be written" in str(refused.value)


# --- her own check-ins ------------------------------------------------------------------


def test_a_check_in_is_saved_and_shown_in_her_history(client, org, parent, sent):
    client.force_login(parent)
    response = client.post(
        url("portal:family_checkin", org), {"mood": "2", "stress": "4", "note": "Tired."}
    )
    assert response.status_code == 302 and response["Location"] == home(org)
    with scope(organization=org.pk):
        checkin = FamilyCheckin.objects.get()
        assert (checkin.family_member, checkin.mood, checkin.stress) == (sent.requester, 2, 4)
        assert checkin.note == "Tired."
        assert AuditEvent.objects.filter(action="family_checkin.recorded").exists()
    body = text(client.get(home(org)))
    assert "Your recent check-ins" in body and "mood 2 of 5, calm 4 of 5" in body


def test_a_check_in_out_of_range_is_refused_and_nothing_is_saved(client, org, parent, sent):
    client.force_login(parent)
    response = client.post(url("portal:family_checkin", org), {"mood": "9", "note": "x"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"mood", "stress"}
    with scope(organization=org.pk):
        assert not FamilyCheckin.objects.exists()


def test_the_team_sees_the_familys_check_ins_on_the_staff_page(
    client, org, parent, members, planning
):
    with scope(organization=org.pk):
        FamilyCheckinFactory(family_member=planning["participant"].family_member, mood=1, stress=2)
    client.force_login(members[Role.INTERVENTIONIST])
    body = text(
        client.get(
            url(
                "staff:intervention_detail", org, intervention_id=planning["intervention"].public_id
            )
        )
    )
    assert "mood 1/5, calm 2/5" in body


# --- who may ----------------------------------------------------------------------------


def _portal_pages(org, planning):
    intervention_id = planning["intervention"].public_id
    return [
        url("portal:intervention_answer", org, intervention_id=intervention_id),
        url(
            "portal:intervention_meeting_answer",
            org,
            intervention_id=intervention_id,
            session_id=planning["session"].public_id,
        ),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client, org, planning):
    for page in [*_portal_pages(org, planning), url("portal:family_checkin", org)]:
        response = client.post(page, {"rsvp": "yes", "mood": "3", "stress": "3"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_family_and_another_organization_get_404(client, org, outsider, planning):
    other_family = UserFactory()
    MembershipFactory(organization=org, user=other_family, roles=[Role.FAMILY_MEMBER])
    for user in (other_family, outsider):
        client.force_login(user)
        for page in _portal_pages(org, planning):
            assert client.post(page, {"rsvp": "yes"}).status_code == 404, (user, page)
    with scope(organization=org.pk):
        assert not MeetingAnswer.objects.exists()
        assert Participant.objects.get(pk=planning["participant"].pk).rsvp == Rsvp.PENDING


def test_staff_cannot_answer_for_the_family(client, org, members, planning):
    client.force_login(members[Role.INTERVENTIONIST])
    for page in [*_portal_pages(org, planning), url("portal:family_checkin", org)]:
        assert client.post(page, {"rsvp": "yes"}).status_code == 403


def test_a_family_login_without_a_family_record_is_told_nothing_was_saved(client, org):
    user = UserFactory()
    MembershipFactory(organization=org, user=user, roles=[Role.FAMILY_MEMBER])
    client.force_login(user)
    response = client.post(url("portal:family_checkin", org), {"mood": "3", "stress": "3"})
    assert "Nothing was saved" in text(response)
    with scope(organization=org.pk):
        assert not FamilyCheckin.objects.exists()


# --- cost -------------------------------------------------------------------------------


def test_the_home_query_count_does_not_grow_with_meetings_letters_or_check_ins(
    client, org, parent, planning
):
    client.force_login(parent)
    # 1 session, 2 membership with organization and user, 3 her requests, 4 the interventions
    # she takes part in, 5 their response plans, 6 her place on the team, 7 her letter,
    # 8 the meetings, 9 her answers to them, 10 the outcomes, 11 the audit line for the
    # reads, 12 her family record, 13 her check-ins, 14 family-support groups from the
    # directory, 15 the header's organization switcher
    with assert_queries(15, label="home with one meeting"):
        client.get(home(org))
    with scope(organization=org.pk):
        for days in (8, 9, 10):
            SessionFactory(
                intervention=planning["intervention"],
                starts_at=timezone.now() + timedelta(days=days),
            )
        for _ in range(4):
            FamilyCheckinFactory(family_member=planning["participant"].family_member)
        LetterFactory(participant=planning["participant"], author=parent)
    with assert_queries(15, label="home with four meetings, a letter and four check-ins"):
        response = client.get(home(org))
    assert text(response).count("mood 3 of 5") == 4


# --- a family member added to the intervention ------------------------------------------


def test_a_participant_invited_by_staff_signs_in_by_code_and_finds_the_home(
    client, org, members, planning, deliver
):
    intervention = planning["intervention"]
    with scope(organization=org.pk):
        aunt = ParticipantFactory(
            intervention=intervention, name="Rosa Diaz", email="rosa@example.com"
        )
    client.force_login(members[Role.INTERVENTIONIST])
    page = url(
        "staff:intervention_participant_invite",
        org,
        intervention_id=intervention.public_id,
        participant_id=aunt.public_id,
    )
    response = client.post(page)
    assert response.status_code == 302
    client.logout()

    sent = [m for m in deliver() if m.to == ["rosa@example.com"]]
    assert len(sent) == 1
    # The e-mail links the sign-in by code, branded with the organization.
    link = re.search(r"(https?://\S+/accounts/login/code/\?org=" + org.slug + ")", sent[0].body)
    assert link, sent[0].body
    assert "Sam" not in sent[0].body

    path = link.group(1).split("://", 1)[1].split("/", 1)[1]
    response = client.post("/" + path, {"email": "rosa@example.com"})
    assert response.status_code == 302
    code_mail = [m for m in mail.outbox if m.to == ["rosa@example.com"]][-1]
    code = re.search(r"^\s*([A-Z0-9-]{6,12})\s*$", code_mail.body, re.M).group(1)
    response = client.post(reverse("account_confirm_login_code"), {"code": code}, follow=True)
    assert response.redirect_chain[-1][0] == home(org)
    body = text(response)
    assert (
        f"Your interventionist is <strong>{members[Role.INTERVENTIONIST].get_full_name()}</strong>"
        in body
    )
    assert "Start my letter" in body
    # Maria's request is hers alone.
    assert "The request you sent" not in body


def test_another_family_of_the_organization_sees_nothing_of_her_case(client, org, planning):
    other_family = UserFactory()
    MembershipFactory(organization=org, user=other_family, roles=[Role.FAMILY_MEMBER])
    with scope(organization=org.pk):
        # A family member with a request of their own, about someone else.
        InterventionRequestFactory(
            organization=org,
            client__first_name="Alex",
            requester__email=other_family.email,
            requester__portal_user=other_family,
        )
    client.force_login(other_family)
    body = text(client.get(home(org)))
    assert "About Alex" in body
    assert "Sam" not in body and planning["intervention"].request.reference not in body
    assert "Your next meeting" not in body and "Your letter" not in body
