"""Account use cases that are ours rather than allauth's: API tokens, and the changes
platform operators make to accounts from the Django admin."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from continuum.audit.services import audit_change, audit_record

from .models import ApiToken, User

# Why a token stopped working; kept on the row and in the audit trail.
REVOKED_PASSWORD = "password_changed"
REVOKED_SECOND_FACTOR = "second_factor_changed"
REVOKED_DEACTIVATED = "deactivated"
REVOKED_MIGRATED = "stored_in_clear"


def api_token_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def api_token_lifetime_days(*, user: User) -> int:
    """The shortest `api_token_days` of the user's active organizations, as the idle
    timeout takes the shortest: a token must not outlive any organization's rule."""
    from continuum.tenancy.models import Membership
    from continuum.tenancy.scoping import across_organizations

    with across_organizations("an API token's lifetime follows the user's organizations"):
        days = list(
            Membership.objects.filter(
                user=user, is_active=True, organization__is_active=True
            ).values_list("organization__api_token_days", flat=True)
        )
    return min(days, default=settings.API_TOKEN_DAYS_DEFAULT)


@transaction.atomic
def api_token_create(*, actor: User, second_factor: bool) -> tuple[ApiToken, str]:
    """Mint a token for `actor` and return it with its key. The key is not stored, so
    this is the only time anyone sees it."""
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=actor,
        key_hash=api_token_hash(key),
        prefix=key[:8],
        second_factor=second_factor,
        created_at=now,
        expires_at=now + timedelta(days=api_token_lifetime_days(user=actor)),
    )
    audit_change(
        actor,
        None,
        "auth.api_token_created",
        None,
        detail={
            "token": token.prefix,
            "second_factor": second_factor,
            "expires_at": token.expires_at.isoformat(),
        },
    )
    return token, key


@transaction.atomic
def api_tokens_revoke(*, actor: User | None, user: User, reason: str) -> int:
    """End every live token of `user` (after a password or second-factor change, or a
    deactivation): whatever the token was obtained with no longer holds."""
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )
    if revoked:
        audit_record(
            actor=actor,
            action="auth.api_tokens_revoked",
            actor_email="" if actor is not None else user.email,
            detail={"user": str(user.public_id), "reason": reason, "count": revoked},
        )
    return revoked


# What the Django admin may change on an account. No password: operators never set one
# (the person resets their own); no second-factor devices (allauth's pages, by the owner).
OPERATOR_USER_FIELDS = ("email", "full_name", "is_active", "is_staff", "is_superuser")


@transaction.atomic
def user_operator_save(*, actor: User, user: User, changed: list[str], created: bool) -> User:
    """Save an account edited by a platform operator in the Django admin, audited like
    any change. A new account has no usable password: its owner sets one through the
    password reset, which proves the address is theirs."""
    unknown = set(changed) - set(OPERATOR_USER_FIELDS)
    if unknown:
        raise ValueError(f"Not editable from the admin: {', '.join(sorted(unknown))}.")
    user.email = user.email.lower()
    if created:
        user.set_unusable_password()
        user.save()
    elif changed:
        user.save(update_fields=changed)
    audit_change(
        actor,
        None,
        "account.created" if created else "account.changed",
        user,
        detail={"user": str(user.public_id), "fields": sorted(changed), "via": "admin"},
    )
    if not created and "is_active" in changed and not user.is_active:
        api_tokens_revoke(actor=actor, user=user, reason=REVOKED_DEACTIVATED)
    return user
