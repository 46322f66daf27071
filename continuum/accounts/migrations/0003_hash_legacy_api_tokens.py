"""API tokens used to be stored in clear (rest_framework.authtoken). Each is moved here
as its hash, so it keeps working until it expires (30 days from this migration), and the
clear copy is deleted. They were minted without a recorded second factor, so an
organization requiring staff two-factor login refuses them for its staff with a message
saying how to get a new one."""

import hashlib
from datetime import timedelta

from django.db import migrations
from django.utils import timezone


def hash_legacy_tokens(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('authtoken_token')")
        if cursor.fetchone()[0] is None:
            return  # a database that never had the clear-text tokens
        cursor.execute("SELECT key, user_id, created FROM authtoken_token")
        rows = cursor.fetchall()
        now = timezone.now()
        ApiToken.objects.bulk_create(
            ApiToken(
                user_id=user_id,
                key_hash=hashlib.sha256(key.encode()).hexdigest(),
                prefix=key[:8],
                second_factor=False,
                created_at=created,
                expires_at=now + timedelta(days=30),
            )
            for key, user_id, created in rows
        )
        cursor.execute("DELETE FROM authtoken_token")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_apitoken")]

    operations = [migrations.RunPython(hash_legacy_tokens, migrations.RunPython.noop)]
