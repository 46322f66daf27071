"""What tenancy adds through the extension contract (continuum.extensions), imported
once from `TenancyConfig.ready()`: the dashboard, team and settings menu entries and the
portal's home."""

from django.utils.translation import gettext_lazy as _

from . import navigation
from .models import STAFF_ROLES, Role
from .navigation import NavEntry

ADMINS = frozenset({Role.ORG_ADMIN})

navigation.register_all(
    NavEntry("staff", "Dashboard", "staff:dashboard", STAFF_ROLES, 10),
    NavEntry("staff", "Team", "staff:team", ADMINS, 20),
    NavEntry("staff", "Settings", "staff:settings", ADMINS, 30),
    NavEntry("portal", _("Home"), "portal:home", frozenset({Role.FAMILY_MEMBER, Role.CLIENT}), 10),
)
