"""The most sensitive free text is stored encrypted, reads back in clear, and survives a
key rotation."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from continuum.fields import PREFIX
from interventions.models import Intervention, Letter
from tests.interventions.factories import (
    InterventionFactory,
    LetterFactory,
)

SECRET = "He drinks every night and hides bottles in the garage."


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.fixture
def keys(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    return old, new


def test_intake_narrative_is_ciphertext_in_the_database_and_clear_in_the_app(in_org, keys):
    intervention = InterventionFactory(organization=in_org, history=SECRET, risks="")
    stored = _raw("interventions_intervention", "history", intervention.pk)
    assert stored.startswith(PREFIX)
    assert "bottles" not in stored
    # An empty field stays empty: nothing to hide, and `risks=""` filters keep working.
    assert _raw("interventions_intervention", "risks", intervention.pk) == ""
    assert Intervention.objects.get(pk=intervention.pk).history == SECRET
    assert Intervention.objects.filter(risks="").count() == 1


def test_letters_are_encrypted(in_org, keys):
    letter = LetterFactory(participant__intervention__organization=in_org)
    assert "Dear Sam" not in _raw("interventions_letter", "body", letter.pk)
    assert Letter.objects.get(pk=letter.pk).body == "Dear Sam"


def test_searching_inside_an_encrypted_field_is_refused(in_org, keys):
    with pytest.raises(Exception, match="Unsupported lookup 'icontains'"):
        list(Letter.objects.filter(body__icontains="Sam"))


def test_rotation_reencrypts_every_row_under_the_new_key(in_org, settings, keys):
    old, new = keys
    letter = LetterFactory(participant__intervention__organization=in_org)
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    # Before re-encryption the old key still decrypts.
    assert Letter.objects.get(pk=letter.pk).body == "Dear Sam"
    call_command("reencrypt_fields", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert Letter.objects.get(pk=letter.pk).body == "Dear Sam"
    token = _raw("interventions_letter", "body", letter.pk)[len(PREFIX) :]
    assert Fernet(new).decrypt(token.encode()) == b"Dear Sam"


def test_legacy_plaintext_rows_are_encrypted_by_the_rewrite(in_org, keys):
    letter = LetterFactory(participant__intervention__organization=in_org)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE interventions_letter SET body = 'old plain text' WHERE id = %s", [letter.pk]
        )
    assert Letter.objects.get(pk=letter.pk).body == "old plain text"
    call_command("reencrypt_fields", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert "old plain" not in _raw("interventions_letter", "body", letter.pk)
    assert Letter.objects.get(pk=letter.pk).body == "old plain text"


def test_a_value_under_an_unknown_key_fails_loudly(in_org, settings, keys):
    letter = LetterFactory(participant__intervention__organization=in_org)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(Exception, match="does not decrypt"):
        Letter.objects.get(pk=letter.pk)
