"""TOTP secrets and recovery-code seeds at rest (allauth keeps them in
`Authenticator.data`; the MFA adapter encrypts what allauth writes)."""

from continuum.fields import decrypt, encrypt

SECRET_KEYS = ("secret", "seed")


def _reencrypted(data: dict) -> dict:
    data = dict(data)
    for key in SECRET_KEYS:
        if isinstance(data.get(key), str) and data[key]:
            data[key] = encrypt(decrypt(data[key]))
    if isinstance(data.get("migrated_codes"), list):
        data["migrated_codes"] = [encrypt(decrypt(code)) for code in data["migrated_codes"]]
    return data


def encrypt_authenticator_secrets(model, *, batch_size: int = 500) -> int:
    """Rewrite every authenticator's secrets under the newest key: plaintext written before
    encryption is encrypted, ciphertext under an older key is re-encrypted. Used by the
    data migration and by `manage.py reencrypt_fields`; safe to re-run."""
    batch, count = [], 0
    for authenticator in model.objects.only("pk", "data").order_by("pk").iterator(batch_size):
        authenticator.data = _reencrypted(authenticator.data)
        batch.append(authenticator)
        if len(batch) >= batch_size:
            model.objects.bulk_update(batch, ["data"])
            count, batch = count + len(batch), []
    if batch:
        model.objects.bulk_update(batch, ["data"])
        count += len(batch)
    return count
