"""Who may do what. Pages declare their roles with `roles_required`; API views with a
`required_roles` attribute. The isolation test matrix reads both declarations."""

from functools import wraps

from allauth.mfa.utils import is_mfa_enabled
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from rest_framework import exceptions
from rest_framework.permissions import BasePermission

from continuum.accounts.models import ApiToken

from .models import PORTAL_ROLES, STAFF_ROLES, Role
from .selectors import membership_for

AREA_ROLES = {"staff": STAFF_ROLES, "portal": PORTAL_ROLES, "api": frozenset(Role.values)}


def roles_required(*roles: str):
    """Restrict a page to members holding any of `roles` (403 otherwise). The tenant
    middleware has already turned away anonymous visitors and non-members."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            membership = getattr(request, "membership", None)
            if membership is None or not membership.has_role(*roles):
                raise PermissionDenied("Your role does not allow this.")
            return view(request, *args, **kwargs)

        wrapped.required_roles = frozenset(roles)
        return wrapped

    return decorator


def public_view(view):
    """Mark a page in an organization's public area as open to anyone."""
    view.is_public = True
    return view


class IsOrganizationMember(BasePermission):
    """API requests in /api/v1/<org>/ need an active membership in that organization.

    Token authentication happens inside DRF, after the tenant middleware ran, so the
    membership is looked up here. A non-member is told the resource does not exist."""

    def has_permission(self, request, view) -> bool:
        organization = getattr(request, "organization", None)
        if organization is None:
            return True  # not a tenant endpoint
        if not request.user or not request.user.is_authenticated:
            return False
        membership = getattr(request._request, "membership", None)
        if membership is None or membership.user_id != request.user.pk:
            membership = membership_for(user=request.user, organization=organization)
            request._request.membership = membership
        if membership is None:
            raise Http404
        if (
            organization.staff_mfa_required
            and membership.is_staff_member
            and not is_mfa_enabled(request.user, ["totp"])
        ):
            raise exceptions.PermissionDenied(
                "Set up two-factor authentication to use the staff API."
            )
        if (
            organization.staff_mfa_required
            and membership.is_staff_member
            and isinstance(request.auth, ApiToken)
            and not request.auth.second_factor
        ):
            # A token minted with the password alone must not stand in for the second
            # factor the organization requires (docs/security.md, API tokens).
            raise exceptions.PermissionDenied(
                "This token was created without your authenticator code. Request a new "
                f"one at {reverse('api_token')} with your e-mail, password and code."
            )
        required = getattr(view, "required_roles", None)
        if required and not membership.has_role(*required):
            raise exceptions.PermissionDenied("Your role does not allow this.")
        return True
