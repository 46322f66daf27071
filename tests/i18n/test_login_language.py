"""A family member's or client's saved language follows them to a new device: signing in
without a language cookie gives their pages in it. Changing the language while signed in
saves it on their record, from the public pages as from the portal."""

import re

from django.conf import settings
from django.core import mail
from django.urls import reverse
from django_scopes import scope

from continuum.people.models import Client, FamilyMember
from continuum.tenancy.models import Role
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory


def _record(org, user, model=FamilyMember, language="es"):
    with scope(organization=org.pk):
        return model.objects.create(
            organization=org,
            first_name="Ana",
            last_name="Ruiz",
            email=user.email,
            portal_user=user,
            preferred_language=language,
        )


def _sign_in(client, user, next_url=""):
    data = {"login": user.email, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("account_login"), data)


def test_signing_in_on_a_new_device_brings_the_saved_language(client, org, members):
    family = members[Role.FAMILY_MEMBER]
    _record(org, family)
    response = _sign_in(client, family)
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    page = client.get(reverse("portal:home", kwargs={"org": org.slug})).content.decode()
    assert '<html lang="es">' in page
    assert "Este es su espacio privado con Harbor Recovery." in page


def test_a_client_gets_their_saved_language_too(client, org, members):
    user = members[Role.CLIENT]
    _record(org, user, model=Client)
    _sign_in(client, user)
    page = client.get(reverse("portal:my_care", kwargs={"org": org.slug})).content.decode()
    assert "Su equipo de atención" in page


def test_signing_in_by_e_mailed_code_brings_it_as_well(client, org, members):
    family = members[Role.FAMILY_MEMBER]
    _record(org, family)
    client.post(reverse("account_request_login_code"), {"email": family.email})
    code = re.search(r"^\s*([A-Z0-9-]{6,12})\s*$", mail.outbox[-1].body, re.M).group(1)
    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"


def test_the_organization_signed_in_to_decides(client, org, members):
    """A person's records, and their languages, are per organization."""
    family = members[Role.FAMILY_MEMBER]
    _record(org, family, language="en")
    other = OrganizationFactory(slug="bayside", name="Bayside Recovery")
    MembershipFactory(organization=other, user=family, roles=[Role.FAMILY_MEMBER])
    _record(other, family, language="es")
    response = _sign_in(client, family, next_url=f"/{other.slug}/portal/")
    assert response["Location"] == f"/{other.slug}/portal/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    client.logout()  # and a fresh cookie jar: another new device
    response = _sign_in(client, family, next_url=f"/{org.slug}/portal/")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_a_choice_already_made_on_this_device_stays(client, org, members):
    family = members[Role.FAMILY_MEMBER]
    _record(org, family, language="es")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = _sign_in(client, family)
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    page = client.get(reverse("portal:home", kwargs={"org": org.slug})).content.decode()
    assert '<html lang="en">' in page


def test_staff_sign_in_sets_no_language(client, members):
    response = _sign_in(client, members[Role.CASE_MANAGER])
    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_changing_language_on_a_public_page_while_signed_in_saves_it(client, org, members):
    family = members[Role.FAMILY_MEMBER]
    record = _record(org, family, language="en")
    client.force_login(family)
    landing = reverse("public:landing", kwargs={"org": org.slug})
    switcher = reverse("portal:language", kwargs={"org": org.slug})
    assert f'action="{switcher}"' in client.get(landing).content.decode()
    response = client.post(switcher, {"language": "es", "next": landing})
    assert response["Location"] == landing
    with scope(organization=org.pk):
        record.refresh_from_db()
    assert record.preferred_language == "es"
    assert "Pedir ayuda para alguien" in client.get(landing).content.decode()


def test_visitors_and_staff_switch_language_without_a_record(client, org, members):
    landing = reverse("public:landing", kwargs={"org": org.slug})
    anonymous = client.get(landing).content.decode()
    assert f'action="{reverse("set_language")}"' in anonymous
    client.force_login(members[Role.CASE_MANAGER])
    assert f'action="{reverse("set_language")}"' in client.get(landing).content.decode()
