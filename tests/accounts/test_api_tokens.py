"""API tokens: stored hashed and shown once, expiring after the organization's lifetime,
ended by a password, second-factor or membership change, and never a way around the
second factor an organization requires of its staff."""

import re
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from continuum.accounts.models import ApiToken
from continuum.tenancy.models import Membership
from continuum.tenancy.scoping import organization_scope
from continuum.tenancy.services import membership_deactivate
from tests.factories import PASSWORD, api_token

pytestmark = pytest.mark.django_db

SECRET = "JBSWY3DPEHPK3PXP"


def _code(secret=SECRET):
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def _obtain(client, user, **extra):
    response = client.post(
        reverse("api_token"),
        {"email": user.email, "password": PASSWORD, **extra},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()


def _me(client, org, key):
    return client.get(
        reverse("api:me", kwargs={"org": org.slug}), HTTP_AUTHORIZATION=f"Token {key}"
    )


def test_a_token_is_shown_once_and_only_its_hash_is_stored(client, org, members):
    user = members["case_manager"]
    first = _obtain(client, user)
    second = _obtain(client, user)
    assert first["token"] != second["token"]
    assert _me(client, org, first["token"]).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT key_hash, prefix FROM accounts_apitoken")
        stored = cursor.fetchall()
    assert len(stored) == 2
    for key_hash, prefix in stored:
        assert first["token"] not in key_hash and second["token"] not in key_hash
        assert len(prefix) == 8


def test_a_token_expires_after_the_organizations_lifetime(client, org, members):
    org.api_token_days = 7
    org.save(update_fields=["api_token_days"])
    user = members["case_manager"]
    with time_machine.travel(timezone.now(), tick=False):
        answer = _obtain(client, user)
        token = ApiToken.objects.get()
        assert token.expires_at == timezone.now() + timedelta(days=7)
    assert answer["expires_at"].startswith(token.expires_at.date().isoformat())
    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23)):
        assert _me(client, org, answer["token"]).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        response = _me(client, org, answer["token"])
    assert response.status_code == 401
    detail = response.json()["detail"]
    assert "expired on" in detail and reverse("api_token") in detail


def test_the_default_lifetime_is_thirty_days(members):
    api_token(members["case_manager"])
    token = ApiToken.objects.get()
    assert (token.expires_at - token.created_at).days == 30


def test_a_password_reset_ends_the_users_tokens(client, org, members):
    user = members["case_manager"]
    key = _obtain(client, user)["token"]
    client.post(reverse("account_reset_password"), {"email": user.email})
    link = re.search(r"https?://[^/]+(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body)
    response = client.get(link.group(1), follow=True)
    set_password_url = response.redirect_chain[-1][0]
    new = "another-long-password-2"
    response = client.post(set_password_url, {"password1": new, "password2": new})
    assert response.status_code == 302
    response = _me(client, org, key)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]
    assert ApiToken.objects.get().revoked_reason == "password_changed"


def test_a_password_change_ends_the_users_tokens(client, org, members):
    user = members["family_member"]
    key = _obtain(client, user)["token"]
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    new = "another-long-password-2"
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )
    assert response.status_code == 302
    assert _me(client, org, key).status_code == 401


def test_deactivating_the_membership_ends_the_members_tokens(client, org, members, admin_user):
    user = members["sober_coach"]
    key = _obtain(client, user)["token"]
    with organization_scope(org):
        membership = Membership.objects.get(user=user)
        membership_deactivate(actor=admin_user, membership=membership)
    response = _me(client, org, key)
    assert response.status_code == 401
    assert ApiToken.objects.get(user=user).revoked_reason == "deactivated"


def test_setting_up_a_second_factor_ends_the_tokens_minted_without_it(
    client, org, members, django_capture_on_commit_callbacks
):
    user = members["case_manager"]
    key = _obtain(client, user)["token"]
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    # Adding a second factor asks for the password again first.
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret
    # allauth announces the new authenticator once its transaction has committed.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": _code(secret)})
    assert response.status_code == 302, response.content.decode()[:500]
    assert _me(client, org, key).status_code == 401
    assert ApiToken.objects.get().revoked_reason == "second_factor_changed"


def test_a_token_minted_without_the_code_does_not_stand_in_for_the_second_factor(
    client, org, members
):
    """Replaying an org admin's token, minted with the password alone, must not reach the
    records of an organization that requires two-factor login for its staff."""
    org.staff_mfa_required = True
    org.save(update_fields=["staff_mfa_required"])
    admin = members["org_admin"]
    TOTP.activate(admin, SECRET)
    clients_url = reverse("api:client_list", kwargs={"org": org.slug})
    replayed = api_token(admin, second_factor=False)
    response = client.get(clients_url, HTTP_AUTHORIZATION=f"Token {replayed}")
    assert response.status_code == 403
    assert reverse("api_token") in response.json()["detail"]
    with_code = _obtain(client, admin, code=_code())["token"]
    assert ApiToken.objects.get(prefix=with_code[:8]).second_factor
    response = client.get(clients_url, HTTP_AUTHORIZATION=f"Token {with_code}")
    assert response.status_code == 200
    # Families have no second factor to give: their token works as before.
    family = api_token(members["family_member"], second_factor=False)
    assert _me(client, org, family).status_code == 200


def test_a_made_up_token_is_refused_with_the_way_to_a_real_one(client, org):
    response = _me(client, org, "not-a-token")
    assert response.status_code == 401
    assert reverse("api_token") in response.json()["detail"]


def test_clear_text_tokens_are_hashed_by_the_migration(members):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("continuum.accounts.migrations.0003_hash_legacy_api_tokens")
    user = members["client"]
    legacy = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        # The table rest_framework.authtoken left behind, as a temporary stand-in.
        cursor.execute(
            "CREATE TEMP TABLE authtoken_token "
            "(key varchar(40), user_id bigint, created timestamptz)"
        )
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s, now())", [legacy, user.pk])

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.hash_legacy_tokens(apps, editor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0
    token = ApiToken.objects.get(user=user)
    assert token.key_hash != legacy and not token.second_factor
