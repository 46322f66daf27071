"""API token authentication against hashed, expiring, revocable tokens."""

from django.urls import reverse
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .models import ApiToken
from .services import api_token_hash


class ApiTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`. `request.auth` is the ApiToken, so permissions can
    tell how it was obtained (`second_factor`)."""

    model = ApiToken

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user").filter(key_hash=api_token_hash(key)).first()
        renew = f"Request a new one at {reverse('api_token')}."
        if token is None:
            raise exceptions.AuthenticationFailed(f"Invalid token. {renew}")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(f"This token was revoked. {renew}")
        if token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(
                f"This token expired on {token.expires_at:%Y-%m-%d}. {renew}"
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("This account is deactivated.")
        return token.user, token
