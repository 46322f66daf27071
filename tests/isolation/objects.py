"""How the isolation matrix builds a URL's objects.

Each entry maps a URL keyword (as named in the URL patterns) to a function that creates
an object of that kind in the given organization and returns the value for the URL.
A new URL keyword needs an entry here; the matrix fails for any keyword it cannot fill."""

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from continuum.tenancy.models import Invitation, Membership, Role
from tests.factories import UserFactory


def _member_id(org):
    membership = Membership.objects.create(
        organization=org, user=UserFactory(), roles=[Role.SOBER_COACH]
    )
    return str(membership.public_id)


def _invitation(org):
    token = secrets.token_urlsafe(16)
    inviter = UserFactory()
    invitation = Invitation.objects.create(
        organization=org,
        email=f"invitee-{token[:6].lower()}@example.com",
        roles=[Role.CASE_MANAGER],
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        invited_by=inviter,
        expires_at=timezone.now() + timedelta(days=7),
    )
    return invitation, token


URL_OBJECTS = {
    "member_id": _member_id,
    "invitation_id": lambda org: str(_invitation(org)[0].public_id),
    "token": lambda org: _invitation(org)[1],
}
