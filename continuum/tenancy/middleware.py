from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from .models import PORTAL_ROLES, STAFF_ROLES
from .scoping import organization_scope
from .selectors import membership_for, organization_get_by_slug

# URL namespaces that live under an organization, by area.
TENANT_AREAS = {"public", "portal", "staff", "api", "fhir"}


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
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        area = match.namespaces[0] if match.namespaces else None
        if area not in TENANT_AREAS or "org" not in match.kwargs:
            return self.get_response(request)

        organization = organization_get_by_slug(slug=match.kwargs["org"])
        request.organization = organization
        with organization_scope(organization):
            request.membership = membership_for(user=request.user, organization=organization)
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
