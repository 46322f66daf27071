"""The visitor's language: the switcher's cookie for everyone, and for family members and
clients a stored preference that the messages we send them follow."""

import pytest
from django.conf import settings
from django.urls import reverse
from django_scopes import scope

from continuum.audit.models import AuditEvent
from continuum.notifications.models import Notification
from continuum.notifications.services import recipient_language
from continuum.tenancy.models import Role
from tests.people.factories import ClientFactory, FamilyMemberFactory


@pytest.fixture
def family(org, members):
    user = members[Role.FAMILY_MEMBER]
    with scope(organization=org.pk):
        return FamilyMemberFactory(
            organization=org, first_name="Ana", last_name="Ruiz", email=user.email, portal_user=user
        )


def _switch(client, org, language, next_url="/harbor/portal/"):
    return client.post(
        reverse("portal:language", kwargs={"org": org.slug}),
        {"language": language, "next": next_url},
    )


def test_family_member_choice_is_kept_in_the_cookie_and_their_record(client, org, family):
    client.force_login(family.portal_user)
    response = _switch(client, org, "es")
    assert response.status_code == 302
    assert response["Location"] == "/harbor/portal/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    with scope(organization=org.pk):
        family.refresh_from_db()
        assert family.preferred_language == "es"
        event = AuditEvent.objects.get(action="familymember.language_changed")
    assert event.detail == {"language": "es"}
    # The next page comes in Spanish.
    page = client.get(reverse("public:intervention_help", kwargs={"org": org.slug}))
    assert "Enviar mi solicitud" in page.content.decode()


def test_unknown_language_changes_nothing(client, org, family):
    client.force_login(family.portal_user)
    response = _switch(client, org, "xx")
    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    with scope(organization=org.pk):
        family.refresh_from_db()
        assert family.preferred_language == "en"
        assert not AuditEvent.objects.filter(action="familymember.language_changed").exists()


def test_staff_cannot_use_the_portal_switcher(client, org, members):
    client.force_login(members[Role.CASE_MANAGER])
    assert _switch(client, org, "es").status_code == 403


def test_messages_follow_the_recipients_language(org, members, family):
    with scope(organization=org.pk):
        family.preferred_language = "es"
        family.save()
        client_user = members[Role.CLIENT]
        ClientFactory(organization=org, first_name="Sam", last_name="Ruiz", portal_user=client_user)
        to_family = Notification(organization=org, recipient=family.portal_user)
        to_client = Notification(organization=org, recipient=client_user)
        to_staff = Notification(organization=org, recipient=members[Role.CASE_MANAGER])
        assert recipient_language(to_family) == "es"
        assert recipient_language(to_client) == "en"
        assert recipient_language(to_staff) == settings.LANGUAGE_CODE
