"""Rewrite every encrypted field, and the TOTP secrets and recovery seeds, under the
newest key in FIELD_ENCRYPTION_KEYS.

Key rotation: put the new key first in FIELD_ENCRYPTION_KEYS (keep the old ones after
it), deploy, run this command, then remove the old keys. Safe to re-run.
"""

from allauth.mfa.models import Authenticator
from django.apps import apps
from django.core.management.base import BaseCommand

from continuum.accounts.encryption import encrypt_authenticator_secrets
from continuum.fields import EncryptedTextField, encrypt_existing_rows
from continuum.tenancy.models import Organization
from continuum.tenancy.scoping import across_organizations, organization_scope


def encrypted_fields():
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            yield model, names


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field with the newest key (after adding a key)."

    def handle(self, *args, **options):
        with across_organizations("re-encrypting fields under the newest key"):
            organizations = list(Organization.objects.order_by("pk"))
        total = 0
        for organization in organizations:
            # One organization at a time, inside its scope, as every tenant write is.
            with organization_scope(organization):
                for model, names in encrypted_fields():
                    rows = model._base_manager.filter(organization=organization)
                    total += encrypt_existing_rows(model, names, queryset=rows)
        # Second-factor secrets belong to accounts, which are global, not to a tenant.
        total += encrypt_authenticator_secrets(Authenticator)
        self.stdout.write(f"Re-encrypted {total} rows under the newest key.")
