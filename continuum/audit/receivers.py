"""Authentication events are recorded from Django's and allauth's signals: login happens
inside those libraries, so there is no service of ours to call."""

from allauth.mfa.signals import authentication_failed as mfa_failed
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .services import audit_record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_record(actor=user, action="auth.login")


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action="auth.logout")


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    attempted = str(credentials.get("email") or credentials.get("username") or "")
    audit_record(actor=None, action="auth.login_failed", actor_email=attempted)


@receiver(mfa_failed)
def _mfa_failed(sender, user, authenticator, **kwargs):
    audit_record(
        actor=None,
        action="auth.login_failed",
        actor_email=user.email,
        detail={"factor": authenticator.type},
    )
