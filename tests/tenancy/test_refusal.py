"""A member whose role lacks a page is refused (403) with a page in words, in their own
area and language, that names the way forward: an administrator can add the role, and a
link leads back to where the member belongs."""

from django.conf import settings
from django.urls import reverse

from continuum.tenancy.models import Role


def test_a_staff_role_without_the_page_is_told_whom_to_ask(client, org, members):
    client.force_login(members[Role.SOBER_COACH])
    response = client.get(reverse("staff:team", kwargs={"org": org.slug}))
    assert response.status_code == 403
    page = response.content.decode()
    assert "This page is not part of your role" in page
    assert "Your role here: Sober coach." in page
    assert "ask an administrator of Harbor Recovery to add the role" in page
    assert f'href="{reverse("staff:dashboard", kwargs={"org": org.slug})}"' in page


def test_a_family_member_is_refused_in_spanish_with_the_way_home(client, org, members):
    client.force_login(members[Role.FAMILY_MEMBER])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    response = client.get(reverse("portal:my_care", kwargs={"org": org.slug}))
    assert response.status_code == 403
    page = response.content.decode()
    assert '<html lang="es">' in page
    assert "Esta página no forma parte de su función" in page
    assert "pida a un administrador de Harbor Recovery" in page
    assert f'href="{reverse("portal:home", kwargs={"org": org.slug})}"' in page
    # The portal's refusal offers the portal's way home, not the staff dashboard.
    assert "/staff/" not in page
