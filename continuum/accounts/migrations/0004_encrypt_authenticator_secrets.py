"""Encrypt the TOTP secrets and recovery-code seeds stored before the MFA adapter
encrypted them (continuum.accounts.adapter.MFAAdapter)."""

from django.db import migrations

from continuum.accounts.encryption import encrypt_authenticator_secrets


def encrypt_secrets(apps, schema_editor):
    encrypt_authenticator_secrets(apps.get_model("mfa", "Authenticator"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_hash_legacy_api_tokens"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_secrets, migrations.RunPython.noop)]
