"""PostgreSQL row-level security: the second wall behind the scoped managers.

Every tenant table (a model with an `organization` foreign key to Organization) has RLS
enabled and forced, with one policy that admits only rows of the organization named by the
session setting `app.organization_id`. With no organization set, the policy compares with
NULL: no row is visible and every insert is refused.

The application never sets those settings itself. `DatabaseWrapper` (continuum.tenancy.db)
runs `apply_settings` before every statement and sends one `set_config` whenever the
organization of the current django-scopes scope differs from what this connection last
had, so a reused connection always carries the organization of the code now running.

Cross-tenant reads (the organization switcher, beat sweeps, the notification outbox) go
through `across_organizations(reason)`, which logs the reason to the audit logger and sets
`app.cross_tenant`, honoured by a SELECT-only policy: even there nothing can be written to
another organization.

A migration that adds a tenant table ends with `migrations.RunPython(rls.apply_policies,
migrations.RunPython.noop)`; tests/isolation/test_rls.py fails while a table lacks it. No
table is exempt: the directory's full-text and ZIP-list search keep their GIN indexes
through search functions owned by SEARCH_ROLE, which the directory defines itself
(referrals/search_sql.py, docs/rls.md).
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from contextvars import ContextVar

from django_scopes import get_scope, scopes_disabled

audit_log = logging.getLogger("continuum.audit.cross_tenant")

ORGANIZATION_SETTING = "app.organization_id"
CROSS_TENANT_SETTING = "app.cross_tenant"
# The settings as a fresh session has them: nothing set, so nothing visible.
UNSET = ("", "off")

# The role that owns the directory's search functions (referrals.search_sql): NOLOGIN,
# BYPASSRLS, created by the superuser bootstrap with the two login roles.
SEARCH_ROLE = "continuum_search"

_cross_tenant: ContextVar[str | None] = ContextVar("cross_tenant", default=None)

CURRENT_ORGANIZATION = f"NULLIF(current_setting('{ORGANIZATION_SETTING}', true), '')::bigint"
CROSS_TENANT = f"current_setting('{CROSS_TENANT_SETTING}', true) = 'on'"


@contextmanager
def cross_tenant(reason: str):
    if not reason:
        raise ValueError("Crossing organizations needs a reason.")
    audit_log.info("cross-tenant read: %s", reason)
    token = _cross_tenant.set(reason)
    try:
        with scopes_disabled():
            yield
    finally:
        _cross_tenant.reset(token)


def wanted_settings() -> tuple[str, str]:
    """The (organization id, cross-tenant) pair the code running now is entitled to."""
    organization = get_scope().get("organization")
    organization = getattr(organization, "pk", organization)
    return (
        "" if organization is None else str(int(organization)),
        "on" if _cross_tenant.get() else "off",
    )


def apply_settings(connection, raw_connection) -> None:
    wanted = wanted_settings()
    if connection.rls_settings == wanted:
        return
    with raw_connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config(%s, %s, false), set_config(%s, %s, false)",
            (ORGANIZATION_SETTING, wanted[0], CROSS_TENANT_SETTING, wanted[1]),
        )
    connection.rls_settings = wanted


def settings_sql(wanted: tuple[str, str], *, local: bool) -> str:
    """The statement that sets `wanted`, with the values inlined so that it can lead a
    statement of any parameter style: an organization id (digits only) and on/off."""
    organization, cross = wanted
    if organization and not organization.isdigit():
        raise ValueError(f"not an organization id: {organization!r}")
    if cross not in ("on", "off"):
        raise ValueError(f"not a cross-tenant value: {cross!r}")
    scope = "true" if local else "false"
    return (
        f"SELECT set_config('{ORGANIZATION_SETTING}', '{organization}', {scope}),"
        f" set_config('{CROSS_TENANT_SETTING}', '{cross}', {scope})"
    )


def apply_local_settings(connection, raw_connection) -> None:
    """Transaction pooling (PgBouncer): the settings last until the end of the current
    transaction only, so a pooled server connection never carries them to another client."""
    wanted = wanted_settings()
    if connection.rls_settings == wanted:
        return
    with raw_connection.cursor() as cursor:
        cursor.execute(settings_sql(wanted, local=True))
    connection.rls_settings = wanted


# --- schema -------------------------------------------------------------------------------


def tenant_tables(apps) -> list[tuple[str, bool]]:
    """(table, organization is nullable) for every model with an organization foreign key."""
    organization_model = apps.get_model("tenancy", "Organization")
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        field = next((f for f in model._meta.local_fields if f.name == "organization"), None)
        if field is None or not field.is_relation:
            continue
        if field.related_model._meta.label_lower != organization_model._meta.label_lower:
            continue
        found.append((model._meta.db_table, field.null))
    return sorted(found)


def policy_sql(table: str, *, nullable: bool) -> list[str]:
    q = f'"{table}"'
    statements = [
        f"ALTER TABLE {q} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {q} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS tenant_isolation ON {q}",
        f"DROP POLICY IF EXISTS cross_tenant_read ON {q}",
        f"DROP POLICY IF EXISTS outside_organizations ON {q}",
        f"CREATE POLICY tenant_isolation ON {q} "
        f"USING (organization_id = {CURRENT_ORGANIZATION}) "
        f"WITH CHECK (organization_id = {CURRENT_ORGANIZATION})",
        f"CREATE POLICY cross_tenant_read ON {q} FOR SELECT USING ({CROSS_TENANT})",
    ]
    if nullable:
        # Events outside any organization (a failed login) are written and read back
        # (INSERT ... RETURNING) only while no organization is set; inside an
        # organization they are invisible.
        outside = f"(organization_id IS NULL AND {CURRENT_ORGANIZATION} IS NULL)"
        statements.append(
            f"CREATE POLICY outside_organizations ON {q} USING {outside} WITH CHECK {outside}"
        )
    return statements


def apply_policies(apps, schema_editor) -> None:
    """RunPython operation: (re)create the policies of every tenant table. Idempotent."""
    for table, nullable in tenant_tables(apps):
        for statement in policy_sql(table, nullable=nullable):
            schema_editor.execute(statement)


def remove_policies(apps, schema_editor) -> None:
    for table, _ in tenant_tables(apps):
        q = f'"{table}"'
        for name in ("tenant_isolation", "cross_tenant_read", "outside_organizations"):
            schema_editor.execute(f"DROP POLICY IF EXISTS {name} ON {q}")
        schema_editor.execute(f"ALTER TABLE {q} NO FORCE ROW LEVEL SECURITY")
        schema_editor.execute(f"ALTER TABLE {q} DISABLE ROW LEVEL SECURITY")


# --- roles --------------------------------------------------------------------------------


def grant_app_role_sql(app_role: str, *, owner_role: str, truncate: bool = False) -> list[str]:
    """Privileges of the application role in one database, run as the owner role.

    TRUNCATE bypasses RLS, so it is granted only for test databases, whose transactional
    tests empty the tables with it."""
    table_privileges = "SELECT, INSERT, UPDATE, DELETE" + (", TRUNCATE" if truncate else "")
    app, owner = f'"{app_role}"', f'"{owner_role}"'
    return [
        f"GRANT USAGE ON SCHEMA public TO {app}",
        f"GRANT {table_privileges} ON ALL TABLES IN SCHEMA public TO {app}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
        f"GRANT {table_privileges} ON TABLES TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {app}",
    ]


# Roles that belong to the cluster, never to Continuum.
RESERVED_ROLES = frozenset({"postgres", "root", "rdsadmin", "cloudsqlsuperuser", "azure_superuser"})


def create_roles_sql(*, owner_role: str, app_role: str, exists: set[str]) -> list[str]:
    """Run as a superuser. The owner may create databases (test databases, a fresh
    cluster); the application role may do nothing but log in. The search role cannot log
    in; it only owns the directory's search functions, and the owner is made a member so
    that its migrations can hand those functions over (referrals.search_sql)."""
    # Only ever creates: altering an existing role could strip a cluster's own superuser
    # when a role name is misconfigured. Existing roles are checked, not changed: the
    # catalog test fails if the application role can bypass row-level security.
    roles = {owner_role, app_role, SEARCH_ROLE}
    if len(roles) < 3 or roles & RESERVED_ROLES:
        raise ValueError(f"Refusing to manage database roles {owner_role!r}/{app_role!r}.")
    statements = []
    for role, extra in ((owner_role, "CREATEDB"), (app_role, "NOCREATEDB")):
        if role not in exists:
            statements.append(
                f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE {extra}'
            )
    if SEARCH_ROLE not in exists:
        statements.append(
            f'CREATE ROLE "{SEARCH_ROLE}" NOLOGIN NOSUPERUSER BYPASSRLS NOCREATEROLE NOCREATEDB'
            " NOINHERIT"
        )
    statements.append(f'GRANT "{SEARCH_ROLE}" TO "{owner_role}"')
    return statements
