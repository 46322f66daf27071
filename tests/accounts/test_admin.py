"""The platform operator's admin: behind the web login's lock-out and second factor, no
secrets and no clinical records on it, no password setting or device deletion, and its
saves audited like any other change."""

from urllib.parse import unquote

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django_scopes import scope

from continuum.accounts.models import ApiToken
from continuum.audit.models import AuditEvent
from continuum.tenancy.models import Organization
from tests.factories import PASSWORD, UserFactory, api_token

pytestmark = pytest.mark.django_db

SECRET = "JBSWY3DPEHPK3PXP"
# What the operator may see: organizations and accounts (DESIGN.md), nothing clinical.
OPERATOR_MODELS = {"accounts.user", "tenancy.organization", "account.emailaddress", "auth.group"}


def _code(secret=SECRET):
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


@pytest.fixture
def operator(db):
    user = UserFactory(email="operator@platform.example.com", is_staff=True, is_superuser=True)
    TOTP.activate(user, SECRET)
    return user


def _sign_in(client, user, *, with_code=True):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    if with_code:
        assert response["Location"] == reverse("mfa_authenticate")
        response = client.post(reverse("mfa_authenticate"), {"code": _code()})
        assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def _audit(action):
    return AuditEvent.objects.with_scopes_disabled().filter(action=action)


def test_the_admin_sends_anonymous_visitors_to_the_web_login(client):
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login") + "?next=")
    assert "/admin/" in response.redirect_chain[-1][0]


def test_the_admin_has_no_password_only_login_form(client, operator):
    # Posting credentials to the admin's own login page signs nobody in.
    response = client.post(
        reverse("admin:login"), {"username": operator.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_an_operator_signed_in_with_password_and_code_reaches_the_admin(client, operator):
    _sign_in(client, operator)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "Organizations and accounts" in response.content.decode()


def test_an_operator_without_an_authenticator_is_sent_to_set_one_up(client):
    user = UserFactory(email="new-operator@platform.example.com", is_staff=True)
    _sign_in(client, user, with_code=False)
    response = client.get(reverse("admin:index"), follow=True)
    assert reverse("mfa_activate_totp") in unquote(response.redirect_chain[-1][0])
    assert "Organizations and accounts" not in response.content.decode()


def test_a_session_without_the_second_factor_must_confirm_a_code(client, operator):
    # Signed in without the TOTP step (force_login records no authentication method).
    client.force_login(operator)
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("mfa_reauthenticate"))


def test_an_organization_member_is_refused(client, members):
    client.force_login(members["org_admin"])
    response = client.get(reverse("admin:login"))
    assert response.status_code == 403


def test_the_admin_login_shares_the_web_lock_out(client, operator):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": operator.email, "password": "wrong"})
    response = client.post(
        reverse("account_login"), {"login": operator.email, "password": PASSWORD}
    )
    assert "Too many failed login attempts" in response.content.decode()
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))


def test_the_admin_shows_organizations_and_accounts_only():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered <= OPERATOR_MODELS, registered - OPERATOR_MODELS
    clinical_apps = {
        "people",
        "care",
        "consent",
        "audit",
        "notifications",
        "interventions",
        "coaching",
        "casemanagement",
        "referrals",
        "fhir",
    }
    assert not {label.split(".")[0] for label in registered} & clinical_apps
    assert apps.is_installed("rest_framework.authtoken") is False


def test_no_admin_field_exposes_a_secret():
    for model, model_admin in admin.site._registry.items():
        shown = set(model_admin.get_fields(None)) | set(model_admin.list_display)
        for name in map(str, shown):
            assert name not in {"password", "key", "key_hash", "secret", "data"}, (
                f"{model._meta.label}.{name} is shown in the admin"
            )


def test_the_operator_cannot_set_a_password_or_delete_devices(client, operator, members):
    _sign_in(client, operator)
    user = members["case_manager"]
    page = client.get(reverse("admin:accounts_user_change", args=[user.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="password' not in html and "/password/" not in html
    assert client.get(f"/admin/accounts/user/{user.pk}/password/").status_code in (302, 404)
    assert client.get("/admin/mfa/authenticator/").status_code == 404
    response = client.post(reverse("admin:accounts_user_delete", args=[user.pk]), {"post": "yes"})
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.has_usable_password()


def test_the_operator_cannot_redirect_an_account_to_another_address(client, operator, members):
    """Changing or adding a verified address would let the operator reset the password
    there and sign in as the member."""
    _sign_in(client, operator)
    user = members["org_admin"]
    response = client.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        {"email": "operator-controlled@example.com", "full_name": "X", "is_active": "on"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "org_admin@harbor.example.com"
    assert client.get(reverse("admin:account_emailaddress_add")).status_code == 403
    address = user.emailaddress_set.get()
    response = client.post(
        reverse("admin:account_emailaddress_change", args=[address.pk]),
        {"user": user.pk, "email": "operator-controlled@example.com", "verified": "on"},
    )
    assert response.status_code == 403
    address.refresh_from_db()
    assert address.email == "org_admin@harbor.example.com"


def test_an_account_created_in_the_admin_has_no_usable_password_and_is_audited(client, operator):
    _sign_in(client, operator)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {"email": "New.Person@Example.com", "full_name": "New Person", "is_active": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = type(operator).objects.get(email="new.person@example.com")
    assert not created.has_usable_password()
    event = _audit("account.created").get()
    assert event.actor == operator
    assert event.detail["via"] == "admin"


def test_deactivating_an_account_in_the_admin_is_audited_and_ends_its_tokens(
    client, operator, members
):
    user = members["case_manager"]
    api_token(user)
    _sign_in(client, operator)
    response = client.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        {"email": user.email, "full_name": user.full_name},  # is_active unticked
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    assert not user.is_active
    assert _audit("account.changed").get().detail["fields"] == ["is_active"]
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert ApiToken.objects.get(user=user).revoked_reason == "deactivated"


def test_organization_changes_in_the_admin_are_audited_in_that_organization(client, operator, org):
    _sign_in(client, operator)
    url = reverse("admin:tenancy_organization_change", args=[org.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form.initial.get(name, field.initial) for name, field in form.fields.items()}
    data = {k: v for k, v in data.items() if v is not None and v is not False}
    data["staff_mfa_required"] = "on"
    data["api_token_days"] = 7
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    org.refresh_from_db()
    assert org.staff_mfa_required and org.api_token_days == 7
    with scope(organization=org.pk):
        event = _audit("organization.settings_changed").get()
    assert event.organization_id == org.pk
    assert event.actor == operator
    assert event.detail == {"fields": ["api_token_days", "staff_mfa_required"], "via": "admin"}


def test_an_organization_created_in_the_admin_is_audited(client, operator):
    _sign_in(client, operator)
    response = client.post(
        reverse("admin:tenancy_organization_add"),
        {
            "name": "Cove Recovery",
            "slug": "cove",
            "timezone": "America/Chicago",
            "staff_mfa_required": "on",
            "intake_open": "on",
            "crisis_line_text": "Call 988.",
            "response_time_hours": 24,
            "staff_idle_timeout_minutes": 15,
            "portal_idle_timeout_minutes": 60,
            "break_glass_minutes": 60,
            "api_token_days": 30,
            "safety_escalation_minutes": 15,
            "is_active": "on",
            "created_at_0": "2026-01-01",
            "created_at_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    cove = Organization.objects.get(slug="cove")
    with scope(organization=cove.pk):
        event = _audit("organization.created").get()
    assert event.organization_id == cove.pk
    assert event.actor == operator
