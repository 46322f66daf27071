from django.utils.functional import SimpleLazyObject

from .navigation import navigation_for
from .selectors import memberships_for_user


def tenancy(request):
    user = getattr(request, "user", None)
    membership = getattr(request, "membership", None)
    return {
        "organization": getattr(request, "organization", None),
        "membership": membership,
        # Lazy: only pages that show the switcher pay for its query.
        "my_memberships": SimpleLazyObject(
            lambda: memberships_for_user(user=user) if user and user.is_authenticated else []
        ),
        "staff_nav": navigation_for(request, membership, area="staff"),
        "portal_nav": navigation_for(request, membership, area="portal"),
    }
