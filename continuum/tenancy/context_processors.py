from django.utils.functional import SimpleLazyObject

from .navigation import navigation_for
from .selectors import has_several_organizations


def tenancy(request):
    user = getattr(request, "user", None)
    membership = getattr(request, "membership", None)
    return {
        "organization": getattr(request, "organization", None),
        "membership": membership,
        # Lazy: only pages that show the switcher pay for its query.
        "several_organizations": SimpleLazyObject(
            lambda: bool(user and user.is_authenticated and has_several_organizations(user=user))
        ),
        "staff_nav": navigation_for(request, membership, area="staff"),
        "portal_nav": navigation_for(request, membership, area="portal"),
    }
