"""Encryption at rest for the most sensitive free text (intake narrative, letters, notes).

Values are Fernet tokens (AES-128-CBC + HMAC-SHA256) under the keys in
settings.FIELD_ENCRYPTION_KEYS: the first key encrypts, every key decrypts, so a new key is
put first, `manage.py reencrypt_fields` rewrites the rows under it, and the old key is then removed.
A stored value carries a prefix so rows written before the field was encrypted still read
(the data migrations encrypt them). An empty string stays empty: "no note" is not a secret
and `field=""` filters keep working.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "fernet:"


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be URL-safe base64 Fernet keys (44 characters)."
        ) from exc


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return PREFIX + fernet().encrypt(value.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        return stored  # written before encryption; the data migration rewrites it
    try:
        return fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "An encrypted value does not decrypt with any key in FIELD_ENCRYPTION_KEYS."
        ) from exc


def encrypt_existing_rows(model, fields: list[str], *, queryset=None, batch_size: int = 500) -> int:
    """Rewrite `fields` of every row under the newest key: reading decrypts with any key
    (or passes legacy plaintext through), writing encrypts with the first. Used by the
    data migrations and by `manage.py reencrypt_fields` after a key is added."""
    rows = queryset if queryset is not None else model._base_manager.all()
    batch, count = [], 0
    for obj in rows.only("pk", *fields).order_by("pk").iterator(chunk_size=batch_size):
        batch.append(obj)
        if len(batch) >= batch_size:
            model._base_manager.bulk_update(batch, fields)
            count += len(batch)
            batch = []
    if batch:
        model._base_manager.bulk_update(batch, fields)
        count += len(batch)
    return count


class EncryptedTextField(models.TextField):
    """A TextField stored encrypted. Its contents cannot be searched, sorted or compared
    in SQL; only `isnull` and equality with the empty string are meaningful."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name not in {"exact", "isnull", "in"}:
            return None  # a LIKE over ciphertext would silently match nothing
        return super().get_lookup(lookup_name)
