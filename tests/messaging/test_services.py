import pytest
from django.core import mail
from django.db import DatabaseError, transaction
from django.utils import timezone

from continuum.audit.models import AuditEvent
from continuum.care import safety
from continuum.care.models import SafetyEvent
from continuum.care.timeline import client_timeline
from continuum.consent.models import Disclosure
from continuum.consent.services import ConsentRequired, consent_revoke
from continuum.messaging import selectors, services
from continuum.messaging.models import Message, Participant, Side
from continuum.notifications.models import Channel, Notification, NotificationPreference
from continuum.notifications.services import render_outbound
from continuum.tenancy.models import Membership, Role
from tests.people.factories import CareTeamMemberFactory, ClientFactory

from .conftest import family_consent, open_thread

pytestmark = pytest.mark.django_db


def seat(world, user, thread):
    return selectors.seat_get_for(membership=world.membership(user), thread_id=thread.public_id)


def send(world, user, thread, body="How are you today?"):
    return services.message_send(
        actor=user, membership=world.membership(user), seat=seat(world, user, thread), body=body
    )


def test_client_thread_seats_the_aftercare_team_and_the_client(world, in_org):
    coach = world.members[Role.SOBER_COACH]
    thread = open_thread(world, coach)
    seated = dict(Participant.objects.filter(thread=thread).values_list("user__email", "side"))
    assert seated == {
        "sober_coach@harbor.example.com": Side.STAFF,
        "case_manager@harbor.example.com": Side.STAFF,
        "client@harbor.example.com": Side.COUNTERPART,
    }
    assert AuditEvent.objects.filter(action="message_thread.started", object_id=thread.public_id)
    # One thread per pair: the client opening it finds the same one.
    assert open_thread(world, world.members[Role.CLIENT]) == thread


def test_a_message_is_sent_audited_and_cannot_be_changed(world, in_org):
    coach = world.members[Role.SOBER_COACH]
    thread = open_thread(world, coach)
    message = send(world, coach, thread, "  Checking in after your first week.  ")
    assert message.body == "Checking in after your first week."
    event = AuditEvent.objects.get(action="message.sent", object_id=message.public_id)
    assert event.client_id == world.client.public_id
    assert "Checking" not in str(event.detail)
    with pytest.raises(DatabaseError), transaction.atomic():
        Message.objects.filter(pk=message.pk).update(body="edited")
    assert not hasattr(services, "message_edit")


def test_empty_and_overlong_messages_are_refused_and_nothing_saved(world, in_org):
    coach = world.members[Role.SOBER_COACH]
    thread = open_thread(world, coach)
    for body in ("   ", "x" * (services.MAX_BODY + 1)):
        with pytest.raises(Exception) as refused:
            send(world, coach, thread, body)
        assert "body" in refused.value.message_dict
    assert not Message.objects.filter(thread=thread).exists()


def test_unread_counts_follow_each_reader(world, in_org):
    coach, client_user = world.members[Role.SOBER_COACH], world.members[Role.CLIENT]
    thread = open_thread(world, coach)
    send(world, coach, thread, "One")
    send(world, coach, thread, "Two")
    client_membership = world.membership(client_user)
    assert [s.unread for s in selectors.seat_list_for(membership=client_membership)] == [2]
    assert selectors.unread_total_for(membership=client_membership) == 2
    # The author has read their own messages.
    assert selectors.unread_total_for(membership=world.membership(coach)) == 0
    services.thread_open(actor=client_user, seat=seat(world, client_user, thread))
    assert selectors.unread_total_for(membership=client_membership) == 0
    assert (
        selectors.unread_total_for(membership=world.membership(world.members[Role.CASE_MANAGER]))
        == 2
    )


def test_notifications_carry_no_content_and_one_per_unread_stretch(world, in_org, settings):
    settings.SITE_URL = "https://care.example.org"
    coach, client_user = world.members[Role.SOBER_COACH], world.members[Role.CLIENT]
    NotificationPreference.objects.create(
        organization=world.org, user=client_user, sms_number="+16175550100"
    )
    thread = open_thread(world, coach)
    send(world, coach, thread, "Your relapse plan is attached")
    to_client = Notification.objects.filter(recipient=client_user)
    assert sorted(n.channels[0] for n in to_client) == [Channel.EMAIL, Channel.IN_APP, Channel.SMS]
    # The case manager gave no mobile number: no text for them.
    to_case_manager = Notification.objects.filter(recipient=world.members[Role.CASE_MANAGER])
    assert sorted(n.channels[0] for n in to_case_manager) == [Channel.EMAIL, Channel.IN_APP]
    for notification in to_client:
        assert "relapse" not in str(notification.context)
        for part in ("subject", "text", "html", "sms"):
            words = render_outbound(notification, part)
            assert "relapse" not in words
            assert "Harbor Recovery" in words
        assert "https://care.example.org/" in render_outbound(notification, "text")
    # A second message before the first is read adds nothing; after reading, it notifies.
    send(world, coach, thread, "And another thing")
    assert to_client.all().count() == 3
    services.thread_mark_read(actor=client_user, seat=seat(world, client_user, thread))
    send(world, coach, thread, "After you read")
    assert to_client.all().count() == 6


def test_family_thread_needs_the_clients_consent_both_ways(world, in_org):
    interventionist = world.members[Role.INTERVENTIONIST]
    with pytest.raises(ConsentRequired) as refused:
        open_thread(world, interventionist, family=True)
    assert refused.value.wanted["recipient_family_member"] == world.parent
    with pytest.raises(ConsentRequired):
        open_thread(world, world.members[Role.FAMILY_MEMBER], family=True)
    consent = family_consent(world)
    thread = open_thread(world, world.members[Role.FAMILY_MEMBER], family=True)
    seated = set(Participant.objects.filter(thread=thread).values_list("user__email", flat=True))
    # The family talks to the interventionist, not to the aftercare team or the client.
    assert seated == {"interventionist@harbor.example.com", "family_member@harbor.example.com"}
    message = send(world, interventionist, thread, "The planning meeting is on Thursday.")
    disclosure = Disclosure.objects.get(consent=consent)
    assert str(message.public_id) in disclosure.description
    consent_revoke(actor=world.members[Role.ORG_ADMIN], consent=consent)
    parent = world.members[Role.FAMILY_MEMBER]
    with pytest.raises(ConsentRequired):
        services.thread_open(actor=parent, seat=seat(world, parent, thread))
    with pytest.raises(ConsentRequired):
        send(world, interventionist, thread, "Are you there?")
    assert Message.objects.filter(thread=thread).count() == 1


def test_marking_urgent_asks_the_named_person_through_the_safety_service(world, in_org):
    coach = world.members[Role.SOBER_COACH]
    thread = open_thread(world, coach)
    urgent = services.thread_mark_urgent(
        actor=coach, membership=world.membership(coach), seat=seat(world, coach, thread)
    )
    event = SafetyEvent.objects.get(pk=urgent.event.pk)
    # A client's conversation asks the case manager first.
    assert event.asked.user == world.members[Role.CASE_MANAGER]
    assert event.kind == "urgent_message"
    sentence = safety.staff_told_sentence(event)
    assert world.members[Role.CASE_MANAGER].get_full_name() in sentence
    thread.refresh_from_db()
    assert thread.urgent_at is not None and thread.urgent_by == coach


def test_family_thread_marked_urgent_asks_the_interventionist(world, in_org):
    family_consent(world)
    interventionist = world.members[Role.INTERVENTIONIST]
    thread = open_thread(world, interventionist, family=True)
    urgent = services.thread_mark_urgent(
        actor=interventionist,
        membership=world.membership(interventionist),
        seat=seat(world, interventionist, thread),
    )
    assert urgent.event.asked.user == interventionist


def test_portal_user_cannot_mark_urgent(world, in_org):
    client_user = world.members[Role.CLIENT]
    thread = open_thread(world, client_user)
    with pytest.raises(Exception, match="Only the team"):
        services.thread_mark_urgent(
            actor=client_user,
            membership=world.membership(client_user),
            seat=seat(world, client_user, thread),
        )
    assert not SafetyEvent.objects.filter(client=world.client).exists()


def test_portal_start_without_anyone_on_the_team_names_the_way_forward(org, members, in_org):
    client_user = members[Role.CLIENT]
    client = ClientFactory(
        organization=org, first_name="Sam", last_name="Lee", portal_user=client_user
    )
    membership = Membership.objects.get(organization=org, user=client_user)
    with pytest.raises(Exception, match="Please call Harbor Recovery"):
        services.thread_start(actor=client_user, membership=membership, client=client)


def test_timeline_says_who_wrote_to_whom_never_the_words(world, in_org):
    coach, client_user = world.members[Role.SOBER_COACH], world.members[Role.CLIENT]
    thread = open_thread(world, coach)
    send(world, coach, thread, "Secret words")
    send(world, client_user, thread, "More secret words")
    entries = [
        e
        for e in client_timeline(client=world.client, organization=world.org).entries
        if e.kind == "message"
    ]
    coach_name = coach.get_full_name()
    assert [e.title for e in entries] == [
        f"Message from {client_user.get_full_name()} to the team",
        f"Message from {coach_name} to Jordan Reyes",
    ]
    assert all("secret" not in (e.title + e.detail).lower() for e in entries)
    assert entries[0].url == f"/harbor/staff/messages/{thread.public_id}/"


def test_portal_invitation_creates_a_code_login_and_mails_it_once(world, org, members, in_org):
    client = ClientFactory(organization=org, first_name="Lee", last_name="Park")
    user = services.portal_invite(
        actor=members[Role.CASE_MANAGER], record=client, email="Lee.Park@Example.com"
    )
    client.refresh_from_db()
    assert client.portal_user == user and user.email == "lee.park@example.com"
    assert not user.has_usable_password()
    assert Membership.objects.get(organization=org, user=user).roles == [Role.CLIENT]
    invitation = Notification.objects.get(recipient=user, template="portal_invitation")
    text = render_outbound(invitation, "text")
    assert "/accounts/login/code/" in text
    services.portal_invite(
        actor=members[Role.CASE_MANAGER], record=client, email="lee.park@example.com"
    )
    assert Notification.objects.filter(recipient=user, template="portal_invitation").count() == 1
    assert (
        AuditEvent.objects.filter(
            action="portal_invitation.sent", client_id=client.public_id
        ).count()
        == 2
    )
    assert mail.outbox == []  # the outbox delivers it, not the request


def test_portal_invitation_refuses_a_staff_address(world, org, members, in_org):
    with pytest.raises(Exception) as refused:
        services.portal_invite(
            actor=members[Role.ORG_ADMIN],
            record=world.parent,
            email="sober_coach@harbor.example.com",
        )
    assert "email" in refused.value.message_dict
    world.parent.refresh_from_db()
    assert world.parent.portal_user == members[Role.FAMILY_MEMBER]


def test_new_team_member_is_seated_when_the_conversation_goes_on(world, in_org):

    coach = world.members[Role.SOBER_COACH]
    thread = open_thread(world, coach)
    CareTeamMemberFactory(
        organization=world.org,
        client=world.client,
        membership=world.membership(world.other_coach),
        role=Role.SOBER_COACH,
        started_on=timezone.localdate(),
    )
    send(world, world.members[Role.CLIENT], thread, "Hello new coach")
    assert Participant.objects.filter(thread=thread, user=world.other_coach).exists()
