from allauth.account.adapter import DefaultAccountAdapter

from continuum.audit.services import audit_record

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

    def validation_error(self, code, *args, **kwargs):
        if code in AUDITED_ERRORS:
            audit_record(actor=None, action=AUDITED_ERRORS[code], detail={"error": code})
        return super().validation_error(code, *args, **kwargs)
