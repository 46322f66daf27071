"""Which organization the sign-in pages and account e-mails speak for.

The account pages (/accounts/) are global, but a family reaches them from one
organization's pages or e-mails. The organization comes from `?org=<slug>` on the link,
or from the organization page being returned to (`?next=/<slug>/...`), and is kept in
the session so the pages that follow (enter the code, choose a new password) and the
e-mails they send carry the same name. Without one, the platform's name is used, never
the host."""

from django.core.validators import slug_re
from django.urls import Resolver404, resolve

from continuum.tenancy.models import Organization

PLATFORM_NAME = "Continuum"
SESSION_KEY = "accounts_branding_org"


def _slug_from_next(request) -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    if not target.startswith("/"):
        return ""
    try:
        match = resolve(target.split("?", 1)[0])
    except Resolver404:
        return ""
    return match.kwargs.get("org", "")


def branding_organization(request) -> Organization | None:
    if request is None:
        return None
    slug = request.GET.get("org") or _slug_from_next(request)
    if slug and not slug_re.fullmatch(slug):
        slug = ""  # not an organization's address: never worth a query
    session = getattr(request, "session", None)
    if not slug and session is not None:
        slug = session.get(SESSION_KEY, "")
    if not slug:
        return None
    organization = Organization.objects.filter(slug=slug, is_active=True).first()
    if organization is not None and session is not None:
        session[SESSION_KEY] = organization.slug
    return organization


def brand_name(organization: Organization | None) -> str:
    return organization.name if organization is not None else PLATFORM_NAME
