"""Help now is one press away on every client page of the portal."""

import pytest
from django.urls import reverse
from django_scopes import scope

from coaching.models import Alert, AlertCause
from continuum.care import safety
from continuum.care.models import SafetyEvent
from continuum.tenancy.models import Role
from tests.people.factories import ClientFactory

HELP_FORM = 'action="/harbor/portal/recovery/help/"'


@pytest.fixture
def own_record(org, members):
    with scope(organization=org.pk):
        return ClientFactory(organization=org, portal_user=members[Role.CLIENT])


@pytest.mark.parametrize(
    "name",
    [
        "portal:home",
        "portal:coaching_home",
        "portal:casemgmt_portal_plan",
        "portal:casemgmt_portal_appointments",
        "portal:messaging_inbox",
    ],
)
def test_every_client_page_carries_the_help_now_button(client, org, members, own_record, name):
    client.force_login(members[Role.CLIENT])
    page = client.get(reverse(name, kwargs={"org": org.slug})).content.decode()
    assert page.count(HELP_FORM) == 1
    assert "I need help now" in page


def test_the_help_page_itself_does_not_repeat_it(client, org, members, own_record):
    client.force_login(members[Role.CLIENT])
    page = client.get(reverse("portal:coaching_help", kwargs={"org": org.slug})).content.decode()
    assert HELP_FORM not in page and "tel:988" in page


def test_family_members_pages_do_not_carry_it(client, org, members):
    client.force_login(members[Role.FAMILY_MEMBER])
    page = client.get(reverse("portal:home", kwargs={"org": org.slug})).content.decode()
    assert HELP_FORM not in page


def test_pressing_it_from_another_page_asks_the_team_and_says_who(client, org, members, own_record):
    client.force_login(members[Role.CLIENT])
    response = client.post(reverse("portal:coaching_help", kwargs={"org": org.slug}))
    assert response.status_code == 200
    # No engagement, no care team: the order reaches past the team, and the page says
    # whom, in the spine's own words.
    with scope(organization=org.pk):
        assert not Alert.objects.filter(cause=AlertCause.HELP_NOW).exists()
        event = SafetyEvent.objects.get(client=own_record)
        assert event.kind == "help_now"
        told = safety.told_or_crisis_sentence(event)
    assert told and told in response.content.decode()
