"""Staff pages name roles and settings in words, in the language chosen: the pending
invitations list says "Sober coach", never the stored `sober_coach`, and the organization
settings form says what each setting does rather than its column name."""

from django.conf import settings
from django.urls import reverse

from continuum.tenancy.models import Role
from tests.factories import InvitationFactory


def test_pending_invitations_name_their_roles(client, org, admin_user):
    InvitationFactory(
        organization=org,
        email="new.coach@harbor.example.com",
        roles=[Role.SOBER_COACH, Role.CASE_MANAGER],
    )
    client.force_login(admin_user)
    url = reverse("staff:team", kwargs={"org": org.slug})
    page = client.get(url).content.decode()
    assert '<td data-label="Roles">Sober coach, Case manager</td>' in page
    # Members' e-mail addresses here begin with their roles: look for the raw cell whole.
    assert "<td>sober_coach, case_manager</td>" not in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    page = client.get(url).content.decode()
    assert '<td data-label="Roles">Coach de sobriedad, Gestor de casos</td>' in page


def test_the_settings_form_names_each_setting(client, org, admin_user):
    client.force_login(admin_user)
    url = reverse("staff:settings", kwargs={"org": org.slug})
    page = client.get(url).content.decode()
    for label in ("Staff must use two-factor authentication", "Time zone", "Phone hours"):
        assert f">{label}</label>" in page or f">{label}:</label>" in page, label
    assert "Staff mfa required" not in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    page = client.get(url).content.decode()
    assert "El personal debe usar la verificación en dos pasos" in page
