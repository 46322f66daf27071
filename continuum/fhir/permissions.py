from continuum.tenancy.models import STAFF_ROLES, Role

# The read API serves the staff who see these records on the pages.
READ_ROLES = STAFF_ROLES
# Exporting discloses the whole record outside the organization.
EXPORT_ROLES = frozenset({Role.ORG_ADMIN, Role.INTAKE_COORDINATOR, Role.CASE_MANAGER})
