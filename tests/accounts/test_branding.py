"""Sign-in pages and account e-mails reached from an organization's pages or links speak
in its name; without one, in the platform's, never the host's."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(org):
    user = UserFactory(email="maria@example.com")
    MembershipFactory(organization=org, user=user, roles=["family_member"])
    return user


def test_the_code_sign_in_page_and_e_mail_carry_the_organizations_name(client, org, family):
    page = client.get(reverse("account_request_login_code") + f"?org={org.slug}")
    assert "Harbor Recovery" in page.content.decode()

    # The form posts without ?org: the session remembers whom the family came from.
    response = client.post(reverse("account_request_login_code"), {"email": family.email})
    assert response.status_code == 302
    assert "Harbor Recovery" in client.get(response["Location"]).content.decode()
    message = mail.outbox[-1]
    assert message.subject.startswith("[Harbor Recovery] ")
    assert message.body.startswith("Hello from Harbor Recovery.")
    assert re.search(r"^[A-Z0-9]{4}-[A-Z0-9]{4}$", message.body, re.M)
    assert "127.0.0.1" not in message.body and "example.com!" not in message.body


def test_the_sign_in_page_reached_from_the_portal_carries_its_name(client, org):
    response = client.get(reverse("portal:home", kwargs={"org": org.slug}))
    page = client.get(response["Location"])
    assert "Harbor Recovery" in page.content.decode()


def test_password_reset_without_an_organization_speaks_for_the_platform(client, family):
    client.post(reverse("account_reset_password"), {"email": family.email})
    message = mail.outbox[-1]
    assert message.subject.startswith("[Continuum] ")
    assert message.body.startswith("Hello from Continuum.")
    assert "127.0.0.1" not in message.body


def test_another_organizations_slug_does_not_stick_to_a_later_visit(client, org, other_org):
    client.get(reverse("account_login") + f"?org={other_org.slug}")
    page = client.get(reverse("account_login") + f"?org={org.slug}").content.decode()
    assert "Harbor Recovery" in page and "Lear Recovery" not in page
