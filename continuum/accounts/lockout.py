"""One lock-out per address across every way in.

allauth limits wrong second-factor codes on the web per user, in a bucket of its own; the
API charges them to the address's failed-login bucket. Charging the web's wrong codes to
that bucket too means a password known to an attacker buys the same few guesses at the
code whichever door they try, and a lock-out on one door holds on the other."""

from contextlib import suppress

from allauth.account.adapter import get_adapter
from allauth.mfa.signals import authentication_failed
from django.core.exceptions import ValidationError
from django.dispatch import receiver


@receiver(authentication_failed)
def _charge_the_address(sender, request, user, reauthentication=False, **kwargs):
    if request is None or reauthentication:
        # Re-authentication happens inside a signed-in session; the session's idle and
        # MFA rules already cover it.
        return
    # Already locked out: the adapter has audited it and the form shows its own error.
    with suppress(ValidationError):
        get_adapter(request).pre_authenticate(request, email=user.email)
