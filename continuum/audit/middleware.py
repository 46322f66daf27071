from django.urls import Resolver404, resolve

from .services import audit_record

# Areas where a refusal means someone reached for records they may not see.
AUDITED_AREAS = {"portal", "staff", "api", "fhir"}
REFUSED = {403: "access.forbidden", 404: "access.not_found"}


class RefusedAccessMiddleware:
    """Records 403 and 404 answers in an organization's portal, staff and API areas.

    Placed before the tenant middleware, it sees the refusals made at the door (another
    organization's member, a role from the wrong area) and those raised by views,
    selectors and API permissions (an object outside the caller's visibility)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        action = REFUSED.get(response.status_code)
        organization = getattr(request, "organization", None)
        if action and organization is not None and self._area(request) in AUDITED_AREAS:
            audit_record(
                actor=getattr(request, "user", None),
                organization=organization,
                action=action,
                detail={"method": request.method, "path": request.path[:300]},
            )
        return response

    @staticmethod
    def _area(request) -> str | None:
        match = getattr(request, "resolver_match", None)
        if match is None:
            try:
                match = resolve(request.path_info)
            except Resolver404:
                return None
        return match.namespaces[0] if match.namespaces else None
