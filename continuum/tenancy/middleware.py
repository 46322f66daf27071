from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
    load_backend,
)
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from .models import PORTAL_ROLES, STAFF_ROLES
from .scoping import organization_scope
from .selectors import membership_for, membership_signed_in, organization_get_by_slug

# URL namespaces that live under an organization, by area.
TENANT_AREAS = {"public", "portal", "staff", "api", "fhir"}


def _tenant_area(request) -> tuple[str, str] | None:
    """(area, organization slug) of an address under an organization, else None;
    resolved once per request for both middlewares."""
    if not hasattr(request, "_tenant_area"):
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
        area = match.namespaces[0] if match is not None and match.namespaces else None
        found = None
        if area in TENANT_AREAS and "org" in match.kwargs:
            found = (area, match.kwargs["org"])
        request._tenant_area = found
    return request._tenant_area


class TenantAuthenticationMiddleware(AuthenticationMiddleware):
    """Django's authentication middleware, except that under an organization's address
    the signed-in user comes in the same statement as their membership and the
    organization (`membership_signed_in`), which the tenant middleware then uses instead
    of two more look-ups. A request elsewhere, or by someone who is not a member, loads
    the user as Django does."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _signed_in_user(request))


def _signed_in_user(request):
    if hasattr(request, "_cached_user"):
        return request._cached_user
    user = None
    try:
        user_id = get_user_model()._meta.pk.to_python(request.session[SESSION_KEY])
        backend_path = request.session[BACKEND_SESSION_KEY]
    except KeyError:
        pass
    else:
        if backend_path in settings.AUTHENTICATION_BACKENDS:
            user = _verified_user(request, load_backend(backend_path), user_id)
    request._cached_user = user or AnonymousUser()
    return request._cached_user


def _verified_user(request, backend, user_id):
    """django.contrib.auth.get_user's checks (the backend admits the user, the session's
    password hash still matches, else the fallback keys, else the session ends), on the
    user read with the membership where there is one."""
    tenant = _tenant_area(request)
    membership = None
    if tenant is not None and hasattr(backend, "user_can_authenticate"):
        membership = membership_signed_in(slug=tenant[1], user_id=user_id)
    if membership is not None and backend.user_can_authenticate(membership.user):
        user = membership.user
    else:
        membership = None
        user = backend.get_user(user_id)
    if not hasattr(user, "get_session_auth_hash"):
        return user
    session_hash = request.session.get(HASH_SESSION_KEY)
    session_auth_hash = user.get_session_auth_hash()
    if session_hash and constant_time_compare(session_hash, session_auth_hash):
        request._signed_in_membership = membership
        return user
    if session_hash and any(
        constant_time_compare(session_hash, fallback)
        for fallback in user.get_session_auth_fallback_hash()
    ):
        request.session.cycle_key()
        request.session[HASH_SESSION_KEY] = session_auth_hash
        request._signed_in_membership = membership
        return user
    request.session.flush()
    return None


class TenantMiddleware:
    """Resolves the organization from the URL, admits only members to the portal and
    staff areas, and runs the request inside that organization's query scope.

    Requests outside an organization run with no scope, so a tenant query there raises.
    Unknown organizations and non-members both get 404: a 403 would confirm the
    organization or object exists."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organization = None
        request.membership = None
        tenant = _tenant_area(request)
        if tenant is None:
            return self.get_response(request)
        area, slug = tenant

        # Loads the signed-in user, and with them their membership here where they have one.
        signed_in = request.user.is_authenticated
        membership = getattr(request, "_signed_in_membership", None) if signed_in else None
        if membership is not None and membership.user_id == request.user.pk:
            organization = membership.organization
        else:
            membership = None
            organization = organization_get_by_slug(slug=slug)
        request.organization = organization
        with organization_scope(organization):
            if membership is None:
                membership = membership_for(user=request.user, organization=organization)
            request.membership = membership
            refusal = self._admit(request, area)
            if refusal is not None:
                return refusal
            response = self.get_response(request)
        if response.streaming:
            response.streaming_content = _scoped_stream(organization, response.streaming_content)
        return response

    def _admit(self, request, area: str):
        if area not in {"staff", "portal"}:
            return None  # public pages are open; the API authenticates inside DRF
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        membership = request.membership
        if membership is None:
            raise Http404("No such organization.")
        allowed = STAFF_ROLES if area == "staff" else PORTAL_ROLES
        if not membership.has_role(*allowed):
            raise PermissionDenied("This area is not part of your role.")
        if (
            area == "staff"
            and request.organization.staff_mfa_required
            and not is_mfa_enabled(request.user, ["totp"])
        ):
            return redirect(reverse("mfa_activate_totp") + "?next=" + request.get_full_path())
        return None


def _scoped_stream(organization, content):
    """A streamed body (a CSV export) is produced after the view has returned; each chunk
    is produced in the request's organization scope, or the database would show it
    nothing (continuum.tenancy.rls)."""
    iterator = iter(content)
    while True:
        with organization_scope(organization):
            try:
                chunk = next(iterator)
            except StopIteration:
                return
        yield chunk
