"""TOTP secrets and recovery-code seeds are stored encrypted under the field-encryption
keys; sign-in with them still works, old plaintext rows are encrypted by the migration
and `reencrypt_fields` moves them to a new key."""

import json

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SECRET = "JBSWY3DPEHPK3PXP"


def _code():
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(SECRET, counter))


def _stored(authenticator) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT data::text FROM mfa_authenticator WHERE id = %s", [authenticator.pk])
        return json.loads(cursor.fetchone()[0])


def _sign_in_with_totp(client, user) -> bool:
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": _code()})
    return client.session.get("_auth_user_id") == str(user.pk)


def test_the_stored_totp_secret_is_not_the_secret_and_sign_in_still_works(client, members):
    user = members["case_manager"]
    totp = TOTP.activate(user, SECRET)
    stored = _stored(totp.instance)
    assert SECRET not in json.dumps(stored)
    assert stored["secret"].startswith("fernet:")
    assert _sign_in_with_totp(client, user)


def test_the_stored_recovery_seed_is_encrypted_and_its_codes_still_work(members):
    user = members["case_manager"]
    codes = RecoveryCodes.activate(user)
    stored = _stored(codes.instance)
    assert stored["seed"].startswith("fernet:")
    seed = codes.instance.data["seed"]
    assert seed == stored["seed"]
    first = codes.get_unused_codes()[0]
    assert first not in json.dumps(stored)
    assert RecoveryCodes(Authenticator.objects.get(pk=codes.instance.pk)).validate_code(first)


def test_plaintext_secrets_are_encrypted_and_follow_a_key_rotation(client, members, settings):
    user = members["case_manager"]
    totp = TOTP.activate(user, SECRET)
    # A row as it was stored before encryption.
    Authenticator.objects.filter(pk=totp.instance.pk).update(data={"secret": SECRET})
    assert _stored(totp.instance) == {"secret": SECRET}
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, *settings.FIELD_ENCRYPTION_KEYS]
    call_command("reencrypt_fields", stdout=open("/dev/null", "w"))  # noqa: SIM115
    stored = _stored(totp.instance)["secret"]
    assert stored.startswith("fernet:") and SECRET not in stored
    # Only the new key is needed now.
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert _sign_in_with_totp(client, user)
