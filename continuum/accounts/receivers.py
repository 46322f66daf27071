"""Password and second-factor changes happen inside allauth's views, so there is no
service of ours to call; these receivers call ours. Whatever an API token was obtained
with (a password, a second factor) no longer holds after such a change, so the user's
tokens end with it."""

from allauth.account.signals import password_changed, password_reset, password_set
from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_reset
from django.dispatch import receiver

from .services import REVOKED_PASSWORD, REVOKED_SECOND_FACTOR, api_tokens_revoke


@receiver(password_changed)
@receiver(password_set)
@receiver(password_reset)
def _password_changed(sender, request, user, **kwargs):
    api_tokens_revoke(actor=user, user=user, reason=REVOKED_PASSWORD)


@receiver(authenticator_added)
@receiver(authenticator_removed)
@receiver(authenticator_reset)
def _second_factor_changed(sender, request, user, **kwargs):
    api_tokens_revoke(actor=user, user=user, reason=REVOKED_SECOND_FACTOR)
