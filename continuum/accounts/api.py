from allauth.account.adapter import get_adapter
from allauth.core import ratelimit
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from continuum.accounts.services import api_token_create
from continuum.audit.services import audit_record
from continuum.tenancy.api import validated
from continuum.tenancy.serializers import TokenRequestSerializer, TokenSerializer


class ObtainTokenView(APIView):
    """Exchange e-mail and password (and the authenticator code, when the account has
    one) for an API token. The token is shown once and expires after the shortest
    `api_token_days` of the user's organizations.

    Goes through allauth's authentication, so the API shares the web login's failed-
    attempt limits (per address and per IP) and its audit of failed logins."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer})
    def post(self, request):
        if not ratelimit.consume(request._request, action="login"):
            return Response({"detail": "Too many attempts. Try again later."}, status=429)
        data = validated(TokenRequestSerializer, request.data)
        adapter = get_adapter(request._request)
        try:
            user = adapter.authenticate(
                request._request,
                email=data["email"].lower(),
                password=data["password"],
            )
        except ValidationError:
            return Response({"detail": "Too many failed attempts. Try again later."}, status=429)
        if user is None or not user.is_active:
            return Response(
                {"detail": "E-mail or password is not correct."}, status=status.HTTP_400_BAD_REQUEST
            )
        totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        # A password alone must not mint a token for an account protected by a second factor.
        code = data.get("code", "")
        if totp is not None and not code:
            return Response(
                {"code": ["Enter the current code from your authenticator app."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if totp is not None and not TOTP(totp).validate_code(code):
            # A wrong second factor counts towards the address's lock-out like a wrong
            # password, so the code cannot be guessed with a known password.
            audit_record(
                actor=None,
                action="auth.login_failed",
                actor_email=user.email,
                detail={"factor": "totp", "via": "api"},
            )
            try:
                adapter.pre_authenticate(request._request, email=user.email)
            except ValidationError:
                return Response(
                    {"detail": "Too many failed attempts. Try again later."}, status=429
                )
            return Response(
                {"code": ["Enter the current code from your authenticator app."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        # A new token each time, shown only in this answer (its hash is what is kept).
        token, key = api_token_create(actor=user, second_factor=totp is not None)
        return Response({"token": key, "expires_at": token.expires_at})
