"""Every test world has two organizations and an outsider: `org` (Harbor) and
`other_org` (Lear), one member per role in `org`, and `outsider`, an admin of
`other_org` with every role there, who must never see anything of `org`."""

import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from continuum.tenancy.models import Role
from continuum.tenancy.scoping import organization_scope

from .factories import MembershipFactory, OrganizationFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Tests create many users; the production hasher is deliberately slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit counters live in the cache; each test starts with none, and with the
    # cache and broker taken as reachable until a call fails.
    from continuum.operations import broker
    from continuum.operations.ratelimit_cache import FallbackRateLimitCache

    cache.clear()
    broker.reset()
    FallbackRateLimitCache._down_until = 0.0
    yield


@pytest.fixture(autouse=True)
def _default_language():
    # LocaleMiddleware activates each request's language in the thread and never resets
    # it: after a Spanish page the next test would read its strings in Spanish.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def org(db):
    return OrganizationFactory(slug="harbor", name="Harbor Recovery")


@pytest.fixture
def other_org(db):
    return OrganizationFactory(slug="lear", name="Lear Recovery")


@pytest.fixture
def in_org(org):
    """Run the test body inside `org`'s scope, as a request or task would: its query
    scope and its time zone, so `timezone.localdate()` in a test is the organization's
    day (late in the New York evening it is already tomorrow in UTC)."""
    with organization_scope(org):
        yield org


def _member(org, role, email):
    user = UserFactory(email=email)
    return MembershipFactory(organization=org, user=user, roles=[role])


@pytest.fixture
def members(org):
    """One user per role in `org`, keyed by role value."""
    return {role: _member(org, role, f"{role}@harbor.example.com").user for role in Role.values}


@pytest.fixture
def admin_user(members):
    return members[Role.ORG_ADMIN]


@pytest.fixture
def outsider(other_org):
    user = UserFactory(email="outsider@lear.example.com")
    MembershipFactory(organization=other_org, user=user, roles=list(Role.values))
    return user


@pytest.fixture
def stranger(db):
    """A logged-in user who belongs to no organization at all."""
    return UserFactory(email="stranger@example.com")


# --- the database roles -------------------------------------------------------------------
# The test database is created and migrated by the owner role, then the whole suite runs as
# the application role, which row-level security binds (continuum.tenancy.rls). Given a
# superuser URL, both roles are created here; given the application role's URL, the owner
# comes from MIGRATION_DATABASE_URL.


def _switch_database_user(user: str, password: str | None) -> None:
    from django.conf import settings
    from django.db import connections

    for settings_dict in (settings.DATABASES["default"], connections["default"].settings_dict):
        settings_dict["USER"] = user
        settings_dict["PASSWORD"] = password or ""
    connections["default"].close()


@pytest.fixture(scope="session")
def database_roles(django_db_blocker):
    import environ
    from django.db import connections

    from continuum.tenancy import rls

    app = os.environ.get("DATABASE_APP_ROLE", "continuum_app")
    owner = os.environ.get("DATABASE_OWNER_ROLE", "continuum_owner")
    current = connections["default"].settings_dict
    if current["USER"] == app:
        migration = environ.Env.db_url_config(os.environ["MIGRATION_DATABASE_URL"])
        return {
            "owner": (migration["USER"], migration.get("PASSWORD")),
            "app": (app, current.get("PASSWORD")),
        }
    with django_db_blocker.unblock(), connections["default"]._nodb_cursor() as cursor:
        wanted = {app, owner, rls.SEARCH_ROLE}
        cursor.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", [sorted(wanted)])
        exists = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if exists != wanted or cursor.fetchone()[0]:
            for statement in rls.create_roles_sql(owner_role=owner, app_role=app, exists=exists):
                cursor.execute(statement)
    return {
        "owner": (owner, os.environ.get("DATABASE_OWNER_PASSWORD")),
        "app": (app, os.environ.get("DATABASE_APP_PASSWORD")),
    }


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, database_roles):
    _switch_database_user(*database_roles["owner"])


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, database_roles):
    from django.db import connection

    from continuum.tenancy import rls

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (owner,) = cursor.fetchone()
        statements = rls.grant_app_role_sql(
            database_roles["app"][0], owner_role=owner, truncate=True
        )
        for statement in statements:
            cursor.execute(statement)
    _switch_database_user(*database_roles["app"])
    yield
    _switch_database_user(*database_roles["owner"])


@pytest.fixture
def analyze_as_owner(database_roles):
    """ANALYZE is the table owner's; the suite's own role may not run it."""
    import psycopg2
    from django.db import connection

    params = {**connection.get_connection_params()}
    params["user"], params["password"] = database_roles["owner"]
    params = {k: v for k, v in params.items() if v and k != "cursor_factory"}

    def analyze(*tables):
        owner = psycopg2.connect(**params)
        try:
            owner.autocommit = True
            with owner.cursor() as cursor:
                for table in tables:
                    cursor.execute(f'ANALYZE "{table}"')
        finally:
            owner.close()

    return analyze
