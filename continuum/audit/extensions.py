"""What the audit trail adds through the extension contract (continuum.extensions):
its menu entry."""

from continuum.tenancy import navigation
from continuum.tenancy.models import Role
from continuum.tenancy.navigation import NavEntry

navigation.register(
    NavEntry("staff", "Audit trail", "staff:audit_list", frozenset({Role.ORG_ADMIN}), position=40)
)
