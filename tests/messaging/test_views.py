import pytest
from django.urls import reverse
from django_scopes import scope

from continuum.care.models import SafetyEvent
from continuum.messaging import services
from continuum.messaging.models import Message, Thread
from continuum.notifications.models import Notification
from continuum.tenancy.models import Role
from tests.people.factories import (
    CareTeamMemberFactory,
    ClientFactory,
    FamilyMemberFactory,
    FamilyRelationshipFactory,
)
from tests.queries import assert_queries

from .conftest import family_consent, open_thread
from .factories import seated_threads

pytestmark = pytest.mark.django_db


def staff(name, org, **kwargs):
    return reverse(f"staff:{name}", kwargs={"org": org.slug, **kwargs})


def portal(name, org, **kwargs):
    return reverse(f"portal:{name}", kwargs={"org": org.slug, **kwargs})


def say(world, user, thread, body):
    from continuum.messaging.selectors import seat_get_for

    with scope(organization=world.org.pk):
        seat = seat_get_for(membership=world.membership(user), thread_id=thread.public_id)
        return services.message_send(
            actor=user, membership=world.membership(user), seat=seat, body=body
        )


def test_staff_inbox_lists_my_conversations_with_unread_counts(client, world):
    coach = world.members[Role.SOBER_COACH]
    thread = open_thread(world, coach)
    say(world, world.members[Role.CLIENT], thread, "I had a hard night")
    client.force_login(coach)
    response = client.get(staff("messaging_inbox", world.org))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Jordan Reyes" in page and "1 new" in page
    assert "hard night" not in page  # the list shows who and when, not what
    badge = client.get(staff("messaging_badge", world.org))
    assert badge.content.decode().startswith("1")


# 1 session, 2 membership with organization and user (tenant middleware), 3 the
# paginator's count, 4 "has several organizations" (the user menu), 5 the page of seats
# with thread, client, family member and unread count.
INBOX_QUERIES = 5


def test_staff_inbox_costs_the_same_queries_whatever_the_rows(client, org, members):
    coach = members[Role.SOBER_COACH]
    client.force_login(coach)
    seated_threads(org, coach, 3)
    with assert_queries(INBOX_QUERIES, label="inbox with 3 threads"):
        assert client.get(staff("messaging_inbox", org)).status_code == 200
    seated_threads(org, coach, 27)
    with assert_queries(INBOX_QUERIES, label="inbox with 30 threads"):
        response = client.get(staff("messaging_inbox", org))
    page = response.content.decode()
    assert page.count('class="messaging-list__item') == 20
    assert "Page 1 of 2" in page and 'href="?page=2"' in page
    with assert_queries(INBOX_QUERIES, label="second page of 30 threads"):
        second = client.get(staff("messaging_inbox", org), {"page": 2}).content.decode()
    assert second.count('class="messaging-list__item') == 10


def test_thread_page_shows_messages_marks_read_and_replies(client, world):
    coach, client_user = world.members[Role.SOBER_COACH], world.members[Role.CLIENT]
    thread = open_thread(world, coach)
    say(world, client_user, thread, "Can we talk tomorrow?")
    client.force_login(coach)
    url = staff("messaging_thread", world.org, thread_id=thread.public_id)
    page = client.get(url)
    assert page.status_code == 200
    assert "Can we talk tomorrow?" in page.content.decode()
    assert client.get(staff("messaging_badge", world.org)).content == b""
    response = client.post(url, {"body": "Yes, at 10."})
    assert response.status_code == 302 and response["Location"] == url
    with scope(organization=world.org.pk):
        assert list(Message.objects.filter(thread=thread).values_list("body", flat=True)) == [
            "Can we talk tomorrow?",
            "Yes, at 10.",
        ]


def test_empty_reply_is_refused_with_a_clear_error_and_nothing_saved(client, world):
    coach = world.members[Role.SOBER_COACH]
    thread = open_thread(world, coach)
    client.force_login(coach)
    response = client.post(
        staff("messaging_thread", world.org, thread_id=thread.public_id), {"body": "  "}
    )
    assert response.status_code == 400
    assert "Write a message before sending." in response.content.decode()
    with scope(organization=world.org.pk):
        assert not Message.objects.filter(thread=thread).exists()


@pytest.mark.parametrize("who", ["other_coach", "outsider"])
def test_someone_not_in_the_conversation_gets_404(client, world, outsider, who):
    thread = open_thread(world, world.members[Role.SOBER_COACH])
    client.force_login(world.other_coach if who == "other_coach" else outsider)
    for name in ("messaging_thread", "messaging_thread_urgent"):
        url = staff(name, world.org, thread_id=thread.public_id)
        assert client.get(url).status_code == 404
        assert client.post(url, {"body": "hi"}).status_code == 404
    with scope(organization=world.org.pk):
        assert not Message.objects.filter(thread=thread).exists()
        assert not SafetyEvent.objects.filter(client=world.client).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    thread = open_thread(world, world.members[Role.SOBER_COACH])
    for url in (
        staff("messaging_inbox", world.org),
        staff("messaging_thread", world.org, thread_id=thread.public_id),
        portal("messaging_inbox", world.org),
        portal("messaging_thread", world.org, thread_id=thread.public_id),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_staff_writing_to_a_family_without_consent_is_refused_with_the_way_forward(client, world):
    client.force_login(world.members[Role.INTERVENTIONIST])
    url = staff("messaging_client_threads", world.org, client_id=world.client.public_id)
    response = client.post(url, {"counterpart": str(world.parent.public_id)})
    assert response.status_code == 403
    page = response.content.decode()
    consent_new = staff("client_consent_new", world.org, client_id=world.client.public_id)
    assert f'href="{consent_new}?recipient_kind=family_member' in page
    assert "Record the consent" in page
    with scope(organization=world.org.pk):
        assert not Thread.objects.filter(client=world.client).exists()


def test_staff_open_a_family_conversation_under_consent(client, world):
    family_consent(world)
    client.force_login(world.members[Role.INTERVENTIONIST])
    url = staff("messaging_client_threads", world.org, client_id=world.client.public_id)
    assert "Ana Reyes (family)" in client.get(url).content.decode()
    response = client.post(url, {"counterpart": str(world.parent.public_id)})
    with scope(organization=world.org.pk):
        thread = Thread.objects.get(family_member=world.parent)
    assert response["Location"] == staff("messaging_thread", world.org, thread_id=thread.public_id)


def test_mark_urgent_has_its_own_page_and_says_who_was_asked(client, world):
    coach = world.members[Role.SOBER_COACH]
    thread = open_thread(world, coach)
    client.force_login(coach)
    url = staff("messaging_thread_urgent", world.org, thread_id=thread.public_id)
    assert "Mark urgent and ask for a call" in client.get(url).content.decode()
    response = client.post(url, follow=True)
    page = response.content.decode()
    name = world.members[Role.CASE_MANAGER].get_full_name()
    assert f"{name} (care team) has been asked to follow up today." in page
    with scope(organization=world.org.pk):
        assert (
            SafetyEvent.objects.get(client=world.client).asked.user
            == world.members[Role.CASE_MANAGER]
        )


def test_client_page_offers_messages_and_the_portal_invitation(client, world):
    client.force_login(world.members[Role.CASE_MANAGER])
    page = client.get(staff("client_detail", world.org, client_id=world.client.public_id))
    body = page.content.decode()
    assert staff("messaging_portal_invite", world.org, client_id=world.client.public_id) in body
    assert "Invite to the portal" in body
    assert staff("messaging_client_threads", world.org, client_id=world.client.public_id) in body


def test_inviting_from_the_client_record(client, org, members):
    with scope(organization=org.pk):
        person = ClientFactory(organization=org, first_name="Lee", last_name="Park")
    from continuum.tenancy.models import Membership

    with scope(organization=org.pk):
        CareTeamMemberFactory(
            organization=org,
            client=person,
            membership=Membership.objects.get(user=members[Role.CASE_MANAGER]),
            role=Role.CASE_MANAGER,
        )
    client.force_login(members[Role.CASE_MANAGER])
    url = staff("messaging_portal_invite", org, client_id=person.public_id)
    assert client.get(url).status_code == 200
    bad = client.post(url, {"counterpart": "client", "email": "not an address"})
    assert bad.status_code == 400 and "Enter a valid email address." in bad.content.decode()
    with scope(organization=org.pk):
        assert not Notification.objects.filter(
            template="portal_invitation", recipient__email="lee@example.com"
        ).exists()
    response = client.post(url, {"counterpart": "client", "email": "lee@example.com"})
    assert response.status_code == 302
    with scope(organization=org.pk):
        person.refresh_from_db()
        assert person.portal_user.email == "lee@example.com"
        assert Notification.objects.filter(
            template="portal_invitation", recipient=person.portal_user
        ).exists()


def test_inviting_a_family_member_from_the_client_record(client, world):
    with scope(organization=world.org.pk):
        sibling = FamilyMemberFactory(
            organization=world.org, first_name="Max", last_name="Reyes", email=""
        )

        FamilyRelationshipFactory(
            organization=world.org,
            client=world.client,
            family_member=sibling,
            relationship="sibling",
        )
    client.force_login(world.members[Role.INTERVENTIONIST])
    url = staff("messaging_portal_invite", world.org, client_id=world.client.public_id)
    response = client.post(url, {"counterpart": str(sibling.public_id), "email": "max@example.com"})
    assert response.status_code == 302
    with scope(organization=world.org.pk):
        sibling.refresh_from_db()
        assert sibling.portal_user.email == "max@example.com"


def test_a_coach_not_on_the_care_team_cannot_open_the_clients_pages(client, world):
    client.force_login(world.other_coach)
    for name in ("messaging_client_threads", "messaging_portal_invite"):
        assert (
            client.get(staff(name, world.org, client_id=world.client.public_id)).status_code == 404
        )


# --- portal -----------------------------------------------------------------------------


def test_client_writes_to_the_team_from_the_portal(client, world):
    client_user = world.members[Role.CLIENT]
    client.force_login(client_user)
    inbox = client.get(portal("messaging_inbox", world.org)).content.decode()
    start = portal("messaging_start", world.org, client_id=world.client.public_id)
    assert start in inbox and "Write to your team" in inbox
    response = client.post(start)
    with scope(organization=world.org.pk):
        thread = Thread.objects.get(client=world.client)
    url = portal("messaging_thread", world.org, thread_id=thread.public_id)
    assert response["Location"] == url
    assert client.post(url, {"body": "I need to move my appointment"}).status_code == 302
    with scope(organization=world.org.pk):
        assert Notification.objects.filter(recipient=world.members[Role.SOBER_COACH]).exists()
    page = client.get(url).content.decode()
    assert "I need to move my appointment" in page and "Mark urgent" not in page


def test_portal_home_links_messages_with_the_unread_badge(client, world):
    thread = open_thread(world, world.members[Role.SOBER_COACH])
    say(world, world.members[Role.SOBER_COACH], thread, "Welcome home")
    client.force_login(world.members[Role.CLIENT])
    home = client.get(portal("home", world.org)).content.decode()
    assert portal("messaging_badge", world.org) in home
    assert client.get(portal("messaging_badge", world.org)).content.decode().startswith("1")


def test_family_member_without_consent_is_refused_and_told_the_way_forward(client, world):
    client.force_login(world.members[Role.FAMILY_MEMBER])
    response = client.post(portal("messaging_start", world.org, client_id=world.client.public_id))
    assert response.status_code == 403
    assert "Ask your loved one, or call Harbor Recovery" in response.content.decode()
    with scope(organization=world.org.pk):
        assert not Thread.objects.filter(client=world.client).exists()


def test_family_member_reads_nothing_once_the_consent_is_revoked(client, world):
    from continuum.consent.services import consent_revoke

    consent = family_consent(world)
    thread = open_thread(world, world.members[Role.INTERVENTIONIST], family=True)
    say(world, world.members[Role.INTERVENTIONIST], thread, "The meeting is Thursday")
    client.force_login(world.members[Role.FAMILY_MEMBER])
    url = portal("messaging_thread", world.org, thread_id=thread.public_id)
    assert "The meeting is Thursday" in client.get(url).content.decode()
    with scope(organization=world.org.pk):
        consent_revoke(actor=world.members[Role.ORG_ADMIN], consent=consent)
    response = client.get(url)
    assert response.status_code == 403
    assert "The meeting is Thursday" not in response.content.decode()


def test_portal_in_spanish(client, world):
    client.force_login(world.members[Role.CLIENT])
    client.cookies["django_language"] = "es"
    page = client.get(portal("messaging_inbox", world.org), HTTP_ACCEPT_LANGUAGE="es")
    body = page.content.decode()
    assert "Mensajes" in body and "Escribir a su equipo" in body


def test_a_client_cannot_read_the_family_conversation(client, world):
    family_consent(world)
    thread = open_thread(world, world.members[Role.INTERVENTIONIST], family=True)
    client.force_login(world.members[Role.CLIENT])
    assert (
        client.get(portal("messaging_thread", world.org, thread_id=thread.public_id)).status_code
        == 404
    )


def test_leaving_the_care_team_ends_the_seat(client, world):
    from continuum.people.models import CareTeamMember
    from continuum.people.services import care_team_end

    coach = world.members[Role.SOBER_COACH]
    thread = open_thread(world, coach)
    url = staff("messaging_thread", world.org, thread_id=thread.public_id)
    client.force_login(coach)
    assert client.get(url).status_code == 200
    with scope(organization=world.org.pk):
        link = CareTeamMember.objects.get(client=world.client, membership__user=coach)
        care_team_end(actor=world.members[Role.ORG_ADMIN], link=link)
    assert client.get(url).status_code == 404


def _thread_page_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_thread_page_costs_the_same_queries_whatever_the_messages(client, world):
    coach, client_user = world.members[Role.SOBER_COACH], world.members[Role.CLIENT]
    thread = open_thread(world, coach)
    client.force_login(coach)
    url = staff("messaging_thread", world.org, thread_id=thread.public_id)
    for n in range(3):
        say(world, client_user, thread, f"Message {n}")
    with_three = _thread_page_queries(client, url)
    for n in range(3, 30):
        say(world, client_user, thread, f"Message {n}")
    # Reading marks the thread read and audits the page in one statement each, however
    # many messages the thread holds.
    assert _thread_page_queries(client, url) == with_three
    page = client.get(url).content.decode()
    assert all(f"Message {n}<" in page for n in range(5, 30))
    assert not any(f"Message {n}<" in page for n in range(5))
    assert "Page 1 of 2" in page and 'href="?page=2">Older<' in page


def test_a_long_thread_opens_on_its_latest_messages_and_pages_back(client, world):
    from continuum.audit.models import AuditEvent

    coach, client_user = world.members[Role.SOBER_COACH], world.members[Role.CLIENT]
    thread = open_thread(world, coach)
    for n in range(30):
        say(world, client_user, thread, f"Message {n}")
    client.force_login(coach)
    url = staff("messaging_thread", world.org, thread_id=thread.public_id)
    with scope(organization=world.org.pk):
        before = AuditEvent.objects.filter(action="message.viewed").count()
    older = client.get(url, {"page": 2}).content.decode()
    # The first five, oldest first as a conversation reads, and a way back to the latest.
    shown = [n for n in range(30) if f"Message {n}<" in older]
    assert shown == [0, 1, 2, 3, 4]
    assert older.index("Message 0<") < older.index("Message 4<")
    assert 'href="?page=1">Newer<' in older
    with scope(organization=world.org.pk):
        # Only what was shown is recorded as read.
        assert AuditEvent.objects.filter(action="message.viewed").count() - before == 5
    # Paging back leaves the newest messages unread; the latest page reads them.
    assert client.get(staff("messaging_badge", world.org)).content.decode().startswith("30")
    client.get(url)
    assert client.get(staff("messaging_badge", world.org)).content.decode() == ""
    # A page past the end shows the oldest page; a page that is not a number, the latest.
    assert "Message 0<" in client.get(url, {"page": 99}).content.decode()
    assert "Message 29<" in client.get(url, {"page": "x"}).content.decode()
