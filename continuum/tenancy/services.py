import hashlib
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from continuum.accounts.services import REVOKED_DEACTIVATED, api_tokens_revoke
from continuum.audit.services import audit_change
from continuum.fields import encrypt
from continuum.notifications.services import letter_send

from . import letters
from .models import Invitation, Membership, Organization, Role
from .selectors import active_admins

INVITATION_TTL = timedelta(days=getattr(settings, "INVITATION_TTL_DAYS", 7))


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _clean_roles(roles) -> list[str]:
    cleaned = sorted({str(r) for r in roles})
    if not cleaned:
        raise ValidationError({"roles": "Choose at least one role."})
    unknown = set(cleaned) - set(Role.values)
    if unknown:
        raise ValidationError({"roles": f"Unknown role: {', '.join(sorted(unknown))}."})
    return cleaned


@transaction.atomic
def invitation_create(*, actor, organization: Organization, email: str, roles) -> Invitation:
    email = email.strip().lower()
    roles = _clean_roles(roles)
    if Membership.objects.filter(
        organization=organization, user__email=email, is_active=True
    ).exists():
        raise ValidationError(
            {"email": "This person is already a member. Change their roles instead."}
        )
    now = timezone.now()
    # A new invitation replaces any pending one for the same address.
    Invitation.objects.filter(
        organization=organization, email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organization=organization,
        email=email,
        roles=roles,
        token_hash=_hash_token(token),
        invited_by=actor,
        expires_at=now + INVITATION_TTL,
    )
    audit_change(actor, organization, "invitation.created", invitation, detail={"roles": roles})
    # Through the outbox, keyed by the invitation, so it is sent once. The token is only
    # hashed on the invitation; the outbox row carries it encrypted, for the letter.
    letter_send(
        organization=organization,
        to_address=invitation.email,
        kind=letters.INVITATION,
        context={"invitation_id": invitation.pk, "token": encrypt(token)},
        dedup_key=f"invitation:{invitation.public_id}",
        actor=actor,
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, actor, invitation: Invitation) -> Invitation:
    if invitation.status != "pending":
        raise ValidationError("Only a pending invitation can be revoked.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_change(actor, invitation.organization, "invitation.revoked", invitation)
    return invitation


def invitation_get_by_token(*, organization: Organization, token: str) -> Invitation | None:
    """The pending, unexpired invitation for this token, or None: expired, used, revoked
    and unknown tokens are indistinguishable to the visitor."""
    invitation = (
        Invitation.objects.filter(organization=organization, token_hash=_hash_token(token))
        .select_related("invited_by")
        .first()
    )
    if invitation is None or invitation.status != "pending":
        return None
    return invitation


@transaction.atomic
def invitation_accept(
    *,
    organization: Organization,
    token: str,
    user=None,
    full_name: str = "",
    password: str = "",
) -> Membership:
    """Accept as the logged-in `user`, or create the account when the address is new.

    The row is locked so two clicks on the same link cannot both succeed."""
    invitation = (
        Invitation.objects.select_for_update()
        .filter(organization=organization, token_hash=_hash_token(token))
        .first()
    )
    if invitation is None or invitation.status != "pending":
        raise ValidationError("This invitation link has expired or has already been used.")
    User = get_user_model()
    if user is not None and user.is_authenticated:
        if user.email.lower() != invitation.email:
            raise ValidationError(
                f"This invitation was sent to {invitation.email}. Log in with that address to accept it."
            )
    else:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationError(
                "An account with this address exists. Log in to accept the invitation."
            )
        if not full_name.strip():
            raise ValidationError({"full_name": "Please enter your name."})
        user = User(email=invitation.email, full_name=full_name.strip())
        validate_password(password, user)
        user.set_password(password)
        user.save()
        # Following the e-mailed link proves the address.
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    membership = Membership.objects.filter(organization=organization, user=user).first()
    if membership is None:
        membership = Membership.objects.create(
            organization=organization, user=user, roles=invitation.roles
        )
    else:
        membership.roles = sorted(set(membership.roles) | set(invitation.roles))
        membership.is_active = True
        membership.deactivated_at = None
        membership.save(update_fields=["roles", "is_active", "deactivated_at"])
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_change(
        user,
        organization,
        "membership.joined",
        membership,
        detail={"roles": membership.roles, "invitation": str(invitation.public_id)},
    )
    return membership


@transaction.atomic
def membership_update(
    *, actor, membership: Membership, roles, title: str | None = None
) -> Membership:
    roles = _clean_roles(roles)
    organization = membership.organization
    before = list(membership.roles)
    if (
        Role.ORG_ADMIN in before
        and Role.ORG_ADMIN not in roles
        and not active_admins(organization=organization).exclude(pk=membership.pk).exists()
    ):
        raise ValidationError({"roles": "The organization must keep at least one active admin."})
    membership.roles = roles
    fields = ["roles"]
    if title is not None:
        membership.title = title.strip()
        fields.append("title")
    membership.save(update_fields=fields)
    audit_change(
        actor,
        organization,
        "membership.roles_changed",
        membership,
        detail={"from": before, "to": roles},
    )
    return membership


@transaction.atomic
def membership_deactivate(*, actor, membership: Membership) -> Membership:
    if not membership.is_active:
        raise ValidationError("This member is already deactivated.")
    if (
        Role.ORG_ADMIN in membership.roles
        and not active_admins(organization=membership.organization)
        .exclude(pk=membership.pk)
        .exists()
    ):
        raise ValidationError("The organization must keep at least one active admin.")
    membership.is_active = False
    membership.deactivated_at = timezone.now()
    membership.save(update_fields=["is_active", "deactivated_at"])
    audit_change(actor, membership.organization, "membership.deactivated", membership)
    # Tokens are per account, not per organization: a deactivated member gets a new one
    # for the organizations they still belong to.
    api_tokens_revoke(actor=actor, user=membership.user, reason=REVOKED_DEACTIVATED)
    return membership


@transaction.atomic
def membership_reactivate(*, actor, membership: Membership) -> Membership:
    if membership.is_active:
        raise ValidationError("This member is already active.")
    membership.is_active = True
    membership.deactivated_at = None
    membership.save(update_fields=["is_active", "deactivated_at"])
    audit_change(actor, membership.organization, "membership.reactivated", membership)
    return membership


ORGANIZATION_SETTINGS = (
    "name",
    "timezone",
    "staff_mfa_required",
    "intake_open",
    "crisis_line_text",
    "response_time_hours",
    "contact_phone",
    "contact_email",
    "contact_hours",
    "safety_escalation_minutes",
)


@transaction.atomic
def organization_update_settings(*, actor, organization: Organization, **values) -> Organization:
    unknown = set(values) - set(ORGANIZATION_SETTINGS)
    if unknown:
        raise ValidationError(f"Not a setting: {', '.join(sorted(unknown))}.")
    changed = [name for name, value in values.items() if getattr(organization, name) != value]
    for name in changed:
        setattr(organization, name, values[name])
    organization.full_clean()
    if changed:
        organization.save(update_fields=changed)
        audit_change(
            actor,
            organization,
            "organization.settings_changed",
            organization,
            detail={"fields": changed},
        )
    return organization


@transaction.atomic
def organization_operator_save(
    *, actor, organization: Organization, changed: list[str], created: bool
) -> Organization:
    """Save an organization created or edited by a platform operator in the Django admin
    (the form has validated and set the values), audited like an org admin's change."""
    if created:
        organization.save()
        action, detail = "organization.created", {"via": "admin"}
    elif changed:
        organization.save(update_fields=changed)
        action, detail = (
            "organization.settings_changed",
            {"fields": sorted(changed), "via": "admin"},
        )
    else:
        return organization
    audit_change(actor, organization, action, organization, detail=detail)
    return organization


@transaction.atomic
def portal_account_ensure(
    *, organization: Organization, email: str, full_name: str, role: str = Role.FAMILY_MEMBER
):
    """A portal login for a family member or client: a passwordless account (they log in
    by e-mailed code; the address is theirs because the code reaches it) holding `role`
    in the organization. A staff membership is left as it is."""
    if role not in (Role.FAMILY_MEMBER, Role.CLIENT):
        raise ValidationError("Portal accounts are for family members and clients.")
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, full_name=full_name)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    membership = Membership.objects.filter(organization=organization, user=user).first()
    if membership is None:
        membership = Membership.objects.create(organization=organization, user=user, roles=[role])
        audit_change(
            None, organization, "membership.portal_created", membership, detail={"roles": [role]}
        )
    elif not membership.has_role(role) and not membership.is_staff_member:
        membership.roles = sorted({*membership.roles, role})
        membership.save(update_fields=["roles"])
    return user
