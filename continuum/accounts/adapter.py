from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter

from continuum import fields
from continuum.audit.services import audit_record

from .branding import brand_name, branding_organization

# allauth raises these through the adapter: a wrong e-mailed login code, and a lock-out
# after too many failed attempts (password, code request).
AUDITED_ERRORS = {
    "incorrect_code": "auth.login_code_failed",
    "too_many_login_attempts": "auth.locked_out",
}


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Staff join by invitation and families through an intake request; an open
        # sign-up page would only create accounts that belong to no organization.
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        organization = branding_organization(allauth_context.request)
        context = {**context, "organization": organization, "brand_name": brand_name(organization)}
        super().send_mail(template_prefix, email, context)

    def format_email_subject(self, subject: str) -> str:
        # allauth's default prefix is the Site's name, which is the host in development.
        return f"[{brand_name(branding_organization(allauth_context.request))}] {subject}"

    def validation_error(self, code, *args, **kwargs):
        if code in AUDITED_ERRORS:
            audit_record(actor=None, action=AUDITED_ERRORS[code], detail={"error": code})
        return super().validation_error(code, *args, **kwargs)


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are stored encrypted under the field-encryption
    keys (continuum.fields), so the database, its backups and the application role hold
    ciphertext. A value written before encryption still reads; the accounts data migration
    encrypts those and `manage.py reencrypt_fields` moves them to the newest key."""

    def encrypt(self, text: str) -> str:
        return fields.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return fields.decrypt(encrypted_text)
