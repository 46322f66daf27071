import pytest
from django.urls import reverse
from django_scopes import scope

from continuum.messaging import services
from continuum.messaging.models import Message
from continuum.tenancy.models import Role
from tests.factories import api_token
from tests.queries import assert_queries

from .conftest import family_consent, open_thread
from .factories import seated_threads

pytestmark = pytest.mark.django_db


def api(name, org, **kwargs):
    return reverse(f"api:{name}", kwargs={"org": org.slug, **kwargs})


def test_staff_and_client_converse_through_the_api(client, world):
    coach, client_user = world.members[Role.SOBER_COACH], world.members[Role.CLIENT]
    thread = open_thread(world, coach)
    client.force_login(coach)
    sent = client.post(
        api("messaging_message_send", world.org, thread_id=thread.public_id),
        {"body": "How was the meeting?"},
        content_type="application/json",
    )
    assert sent.status_code == 201, sent.content
    assert sent.json()["mine"] is True and sent.json()["side"] == "staff"
    client.logout()
    # The client, with the token the project's apps use.
    token = api_token(client_user)
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    listing = client.get(api("messaging_threads", world.org), **headers).json()
    assert [(t["id"], t["unread"]) for t in listing["results"]] == [(str(thread.public_id), 1)]
    detail = client.get(api("messaging_thread", world.org, thread_id=thread.public_id), **headers)
    body = detail.json()
    assert [m["body"] for m in body["messages"]] == ["How was the meeting?"]
    assert body["thread"]["unread"] == 1  # reading the detail does not mark it read
    read = client.post(
        api("messaging_thread_read", world.org, thread_id=thread.public_id), **headers
    )
    assert read.status_code == 200 and read.json()["unread"] == 0
    listing = client.get(api("messaging_threads", world.org), **headers).json()
    assert listing["results"][0]["unread"] == 0


def test_bad_input_is_a_field_error_and_nothing_saved(client, world):
    coach = world.members[Role.SOBER_COACH]
    thread = open_thread(world, coach)
    client.force_login(coach)
    url = api("messaging_message_send", world.org, thread_id=thread.public_id)
    for payload in ({}, {"body": "   "}, {"body": "x" * (services.MAX_BODY + 1)}):
        response = client.post(url, payload, content_type="application/json")
        assert response.status_code == 400
        assert "body" in response.json()
    with scope(organization=world.org.pk):
        assert not Message.objects.filter(thread=thread).exists()


def test_anonymous_gets_401(client, world):
    thread = open_thread(world, world.members[Role.SOBER_COACH])
    assert client.get(api("messaging_threads", world.org)).status_code == 401
    url = api("messaging_message_send", world.org, thread_id=thread.public_id)
    assert client.post(url, {"body": "hi"}, content_type="application/json").status_code == 401


@pytest.mark.parametrize("who", ["other_coach", "outsider", "family"])
def test_anyone_without_a_seat_gets_404(client, world, outsider, who):
    thread = open_thread(world, world.members[Role.SOBER_COACH])
    user = {
        "other_coach": world.other_coach,
        "outsider": outsider,
        "family": world.members[Role.FAMILY_MEMBER],
    }[who]
    client.force_login(user)
    for name in ("messaging_thread", "messaging_thread_read"):
        url = api(name, world.org, thread_id=thread.public_id)
        response = client.get(url) if name == "messaging_thread" else client.post(url)
        assert response.status_code == 404
    url = api("messaging_message_send", world.org, thread_id=thread.public_id)
    assert client.post(url, {"body": "hi"}, content_type="application/json").status_code == 404
    with scope(organization=world.org.pk):
        assert not Message.objects.filter(thread=thread).exists()


def test_family_member_is_refused_once_the_consent_ends(client, world):
    from continuum.consent.services import consent_revoke

    consent = family_consent(world)
    thread = open_thread(world, world.members[Role.FAMILY_MEMBER], family=True)
    with scope(organization=world.org.pk):
        consent_revoke(actor=world.members[Role.ORG_ADMIN], consent=consent)
    client.force_login(world.members[Role.FAMILY_MEMBER])
    url = api("messaging_message_send", world.org, thread_id=thread.public_id)
    response = client.post(url, {"body": "Hello?"}, content_type="application/json")
    assert response.status_code == 403
    assert "consent" in response.json()["detail"]
    assert (
        client.get(api("messaging_thread", world.org, thread_id=thread.public_id)).status_code
        == 403
    )
    client.force_login(world.members[Role.INTERVENTIONIST])
    response = client.post(url, {"body": "Hello?"}, content_type="application/json")
    assert response.status_code == 403
    assert "/staff/clients/" in response.json()["detail"]  # where to record the consent
    with scope(organization=world.org.pk):
        assert not Message.objects.filter(thread=thread).exists()


# 1 session, 2 membership with organization and user (tenant middleware), 3 the page's
# count, 4 the page of seats with their unread counts.
LIST_QUERIES = 4


def test_thread_list_costs_the_same_queries_whatever_the_rows(client, org, members):
    coach = members[Role.SOBER_COACH]
    client.force_login(coach)
    seated_threads(org, coach, 2)
    with assert_queries(LIST_QUERIES, label="2 threads"):
        assert client.get(api("messaging_threads", org)).json()["count"] == 2
    seated_threads(org, coach, 12)
    with assert_queries(LIST_QUERIES, label="14 threads"):
        assert client.get(api("messaging_threads", org)).json()["count"] == 14


def test_the_endpoints_are_in_the_schema(client, admin_user):
    client.force_login(admin_user)
    schema = client.get(reverse("api_schema"), {"format": "json"}).json()
    paths = set(schema["paths"])
    assert {
        "/api/v1/{org}/messages/",
        "/api/v1/{org}/messages/{thread_id}/",
        "/api/v1/{org}/messages/{thread_id}/messages/",
        "/api/v1/{org}/messages/{thread_id}/read/",
    } <= paths
