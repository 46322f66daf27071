from django.utils.functional import SimpleLazyObject

from continuum.accounts.branding import branding_organization

from .navigation import navigation_for
from .selectors import has_several_organizations


def tenancy(request):
    user = getattr(request, "user", None)
    membership = getattr(request, "membership", None)
    organization = getattr(request, "organization", None)
    if organization is None and request.path.startswith("/accounts/"):
        organization = branding_organization(request)
    return {
        "organization": organization,
        "membership": membership,
        # Lazy: only pages that show the switcher pay for its query.
        "several_organizations": SimpleLazyObject(
            lambda: bool(user and user.is_authenticated and has_several_organizations(user=user))
        ),
        "staff_nav": navigation_for(request, membership, area="staff"),
        "portal_nav": navigation_for(request, membership, area="portal"),
    }
