"""What people adds through the extension contract (continuum.extensions): the
break-glass notification kind and the emergency-access menu entries, which close the
staff menu."""

from django.utils.translation import gettext_lazy as _

from continuum.notifications import kinds
from continuum.tenancy import navigation
from continuum.tenancy.models import STAFF_ROLES, Role
from continuum.tenancy.navigation import NavEntry

kinds.register("break_glass", _("Emergency access to a client record"))
navigation.register_all(
    NavEntry("staff", "Emergency access", "staff:break_glass", STAFF_ROLES, 900),
    NavEntry(
        "staff", "Emergency access log", "staff:break_glass_log", frozenset({Role.ORG_ADMIN}), 910
    ),
)
