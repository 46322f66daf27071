import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core import mail
from django.urls import reverse

from continuum.audit.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _audit(action):
    return AuditEvent.objects.with_scopes_disabled().filter(action=action)


def test_web_login_and_audit(client, members):
    user = members["interventionist"]
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert _audit("auth.login").filter(actor=user).exists()


def test_failed_web_logins_lock_the_address_out(client, members):
    user = members["interventionist"]
    for _ in range(5):
        response = client.post(reverse("account_login"), {"login": user.email, "password": "wrong"})
        assert response.status_code == 200
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert _audit("auth.login_failed").count() == 5


def test_failed_api_logins_lock_the_address_out(client, members):
    user = members["interventionist"]
    url = reverse("api_token")
    for _ in range(5):
        response = client.post(
            url, {"email": user.email, "password": "wrong"}, content_type="application/json"
        )
        assert response.status_code == 400
    response = client.post(
        url, {"email": user.email, "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 429
    assert "token" not in response.json()


def test_api_token_bad_input(client):
    response = client.post(reverse("api_token"), {"email": "x"}, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"email", "password"}


def test_api_token_needs_the_second_factor_when_enabled(client, members):
    user = members["case_manager"]
    totp = TOTP.activate(user, "JBSWY3DPEHPK3PXP")
    url = reverse("api_token")
    response = client.post(
        url, {"email": user.email, "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "code" in response.json()
    counter = next(iter(yield_hotp_counters_from_time()))
    code = format_hotp_value(hotp_value("JBSWY3DPEHPK3PXP", counter))
    response = client.post(
        url,
        {"email": user.email, "password": PASSWORD, "code": code},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert totp.instance.type == Authenticator.Type.TOTP


def test_family_member_logs_in_by_emailed_code(client, members):
    user = members["family_member"]
    response = client.post(reverse("account_request_login_code"), {"email": user.email})
    assert response.status_code == 302
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[-1].body, re.MULTILINE).group(1)
    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_signup_is_closed(client):
    response = client.get(reverse("account_signup"))
    assert "closed" in response.content.decode().lower()


def _code_now(secret="JBSWY3DPEHPK3PXP"):
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def test_wrong_second_factors_on_the_api_lock_the_address_out_and_are_audited(client, members):
    user = members["case_manager"]
    TOTP.activate(user, "JBSWY3DPEHPK3PXP")
    url = reverse("api_token")
    wrong = "000000" if _code_now() != "000000" else "111111"
    statuses = [
        client.post(
            url,
            {"email": user.email, "password": PASSWORD, "code": wrong},
            content_type="application/json",
        ).status_code
        for _ in range(5)
    ]
    assert statuses[:4] == [400] * 4
    # Locked out: even the right password and code are refused now.
    response = client.post(
        url,
        {"email": user.email, "password": PASSWORD, "code": _code_now()},
        content_type="application/json",
    )
    assert response.status_code == 429
    assert "token" not in response.json()
    assert _audit("auth.login_failed").filter(actor_email=user.email).count() >= 4


def test_wrong_login_codes_are_audited_and_the_code_dies_after_three(client, members):
    user = members["family_member"]
    client.post(reverse("account_request_login_code"), {"email": user.email})
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[-1].body, re.MULTILINE).group(1)
    for _ in range(3):
        client.post(reverse("account_confirm_login_code"), {"code": "WRNG-CODE"})
    assert _audit("auth.login_code_failed").count() == 3
    # The right code no longer works: the attempt was abandoned after three failures.
    client.post(reverse("account_confirm_login_code"), {"code": code})
    assert "_auth_user_id" not in client.session


def test_a_locked_out_web_login_is_audited(client, members):
    user = members["interventionist"]
    for _ in range(6):
        client.post(reverse("account_login"), {"login": user.email, "password": "wrong"})
    assert _audit("auth.locked_out").exists()


def test_wrong_second_factors_on_the_web_lock_the_address_out_on_every_door(client, members):
    user = members["case_manager"]
    TOTP.activate(user, "JBSWY3DPEHPK3PXP")
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    wrong = "000000" if _code_now() != "000000" else "111111"
    for _ in range(5):
        response = client.post(reverse("mfa_authenticate"), {"code": wrong})
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
    assert _audit("auth.login_failed").filter(actor_email=user.email).count() == 5
    # The right code is refused now, on the web ...
    response = client.post(reverse("mfa_authenticate"), {"code": _code_now()})
    assert "_auth_user_id" not in client.session
    assert _audit("auth.locked_out").exists()
    # ... and the same address is locked out of the API and of a fresh web login.
    response = client.post(
        reverse("api_token"),
        {"email": user.email, "password": PASSWORD, "code": _code_now()},
        content_type="application/json",
    )
    assert response.status_code == 429
    client.logout()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
