"""Row-level security, the second wall: what the database itself refuses the application
role, whatever the Python code asks for (continuum.tenancy.rls)."""

import logging

import pytest
from celery import shared_task
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django_scopes import scope

from continuum.tenancy import rls
from continuum.tenancy.models import Membership, Role
from continuum.tenancy.scoping import across_organizations, organization_scope
from continuum.tenancy.tasks import TenantTask
from referrals import search_sql
from tests.factories import MembershipFactory, UserFactory
from tests.people.factories import ClientFactory
from tests.referrals.factories import ListingFactory

TENANT_TABLES = [table for table, _ in rls.tenant_tables(apps)]
POLICIES = {"tenant_isolation", "cross_tenant_read", "outside_organizations"}


def _fetch(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _organizations_seen(table):
    return {row[0] for row in _fetch(f'SELECT DISTINCT organization_id FROM "{table}"')}


# --- the catalog ---------------------------------------------------------------------------


def test_the_suite_runs_as_a_role_that_cannot_bypass_rls(db):
    ((superuser, bypass, createrole),) = _fetch(
        "SELECT rolsuper, rolbypassrls, rolcreaterole FROM pg_roles WHERE rolname = current_user"
    )
    assert (superuser, bypass, createrole) == (False, False, False)
    # Nor does it inherit either from a role it is a member of.
    assert (
        _fetch(
            "SELECT r.rolname FROM pg_roles r WHERE pg_has_role(current_user, r.oid, 'MEMBER')"
            " AND (r.rolsuper OR r.rolbypassrls)"
        )
        == []
    )


def test_every_table_referencing_organization_is_a_tenant_table(db):
    """Found from the catalog, not from the models: a table added by raw SQL counts too.
    No table is exempt, the public provider directory included."""
    referencing = {
        row[0]
        for row in _fetch(
            "SELECT conrelid::regclass::text FROM pg_constraint"
            " WHERE contype = 'f' AND confrelid = 'tenancy_organization'::regclass"
        )
    }
    assert referencing == set(TENANT_TABLES)
    assert {
        "referrals_directoryorganization",
        "referrals_listing",
        "referrals_listinglocation",
    } <= referencing


@pytest.mark.parametrize("table", TENANT_TABLES)
def test_tenant_table_has_forced_rls_and_an_organization_policy(db, table):
    ((enabled, forced, owner, is_me),) = _fetch(
        "SELECT relrowsecurity, relforcerowsecurity, pg_get_userbyid(relowner),"
        " pg_get_userbyid(relowner) = current_user FROM pg_class WHERE oid = %s::regclass",
        [table],
    )
    assert enabled, f"{table}: row-level security is not enabled"
    assert forced, f"{table}: row-level security is not forced on its owner {owner}"
    assert not is_me, f"{table}: the application role owns it"
    policies = {
        name: (command, permissive, using, check)
        for name, command, permissive, using, check in _fetch(
            "SELECT polname, polcmd, polpermissive, pg_get_expr(polqual, polrelid),"
            " pg_get_expr(polwithcheck, polrelid) FROM pg_policy WHERE polrelid = %s::regclass",
            [table],
        )
    }
    assert set(policies) <= POLICIES, f"{table}: unknown policies {set(policies) - POLICIES}"
    command, _, using, check = policies["tenant_isolation"]
    assert command == "*"
    for expression in (using, check):
        assert "organization_id = (NULLIF(current_setting('app.organization_id'" in expression
    command, _, using, check = policies["cross_tenant_read"]
    assert command == "r", f"{table}: crossing organizations must be read-only"
    assert "app.cross_tenant" in using and check is None


# --- raw SQL -------------------------------------------------------------------------------


@pytest.fixture
def two_worlds(org, other_org, members, outsider):
    ClientFactory(organization=org, first_name="Harbor")
    ClientFactory(organization=other_org, first_name="Lear")


def test_raw_sql_without_an_organization_sees_no_rows(two_worlds):
    for table in TENANT_TABLES:
        assert _fetch(f'SELECT count(*) FROM "{table}"') == [(0,)], table


def test_raw_sql_inside_an_organization_sees_only_its_rows(two_worlds, org, other_org):
    with organization_scope(org):
        assert _organizations_seen("people_client") == {org.pk}
        assert _organizations_seen("tenancy_membership") == {org.pk}
    with organization_scope(other_org):
        assert _fetch("SELECT first_name FROM people_client") == [("Lear",)]


def test_insert_without_an_organization_is_refused(org):
    user = UserFactory()
    with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
        Membership.objects.create(organization=org, user=user, roles=[Role.CLIENT])
    with organization_scope(org):
        assert not Membership.objects.filter(user=user).exists()


def test_insert_or_move_into_another_organization_is_refused(org, other_org, members):
    user = UserFactory()
    with organization_scope(org):
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            Membership.objects.create(organization=other_org, user=user, roles=[Role.CLIENT])
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            Membership.objects.filter(user=members[Role.CLIENT]).update(organization=other_org)
    with organization_scope(other_org):
        assert not Membership.objects.filter(user=user).exists()


# --- reused connections, rollbacks, tasks ----------------------------------------------------


def test_alternating_organizations_over_one_connection(two_worlds, org, other_org):
    (pid,) = _fetch("SELECT pg_backend_pid()")[0]
    for _ in range(3):
        with organization_scope(org):
            assert _fetch("SELECT first_name FROM people_client") == [("Harbor",)]
        assert _fetch("SELECT count(*) FROM people_client") == [(0,)]
        with organization_scope(other_org):
            assert _fetch("SELECT first_name FROM people_client") == [("Lear",)]
    assert _fetch("SELECT pg_backend_pid()") == [(pid,)]


def test_alternating_requests_never_see_the_other_organization(
    client, two_worlds, org, other_org, admin_user, outsider
):
    pages = [
        (admin_user, reverse("api:client_list", kwargs={"org": org.slug}), "Harbor", "Lear"),
        (outsider, reverse("api:client_list", kwargs={"org": other_org.slug}), "Lear", "Harbor"),
    ]
    for _ in range(2):
        for user, url, mine, theirs in pages:
            client.force_login(user)
            response = client.get(url)
            assert response.status_code == 200
            body = response.content.decode()
            assert mine in body and theirs not in body


def test_a_rolled_back_savepoint_does_not_leave_the_connection_without_organization(
    two_worlds, org
):
    with organization_scope(org), transaction.atomic():
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            assert _organizations_seen("people_client") == {org.pk}
            raise ZeroDivisionError
        # PostgreSQL undid the setting with the savepoint; it is sent again.
        assert _organizations_seen("people_client") == {org.pk}


@shared_task(base=TenantTask, name="tests.rls_clients_seen")
def clients_seen(*, organization):
    return sorted(row[0] for row in _fetch("SELECT first_name FROM people_client"))


def test_tasks_run_in_their_organization(two_worlds, org, other_org):
    assert clients_seen.apply(kwargs={"organization_id": org.pk}).get() == ["Harbor"]
    assert clients_seen.apply(kwargs={"organization_id": other_org.pk}).get() == ["Lear"]


# --- the one way across organizations --------------------------------------------------------


def test_crossing_organizations_reads_all_writes_none_and_is_logged(
    two_worlds, org, other_org, caplog
):
    caplog.set_level(logging.INFO, logger="continuum.audit.cross_tenant")
    with organization_scope(org), across_organizations("test of the switcher path"):
        assert _organizations_seen("people_client") == {org.pk, other_org.pk}
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            MembershipFactory._meta.model.objects.create(
                organization=other_org, user=UserFactory(), roles=[Role.CLIENT]
            )
        with transaction.atomic():
            assert _fetch("UPDATE people_client SET first_name = 'X' RETURNING 1") == [(1,)]
    assert "test of the switcher path" in caplog.text
    with scope(organization=other_org.pk):
        assert _fetch("SELECT first_name FROM people_client") == [("Lear",)]


def test_crossing_organizations_needs_a_reason():
    with pytest.raises(ValueError), across_organizations(""):
        pass


# --- the directory's search functions --------------------------------------------------------
# Full-text and ZIP-list lookups keep their GIN indexes through SECURITY DEFINER functions
# owned by the search role (continuum.tenancy.rls); they must filter on the organization
# themselves, and return the same listings where the search role is missing.

TEXT_MATCH = "SELECT referrals_listing_text_match(to_tsquery('english', 'trauma')) ORDER BY 1"
ZIP_MATCH = "SELECT referrals_listing_zip_match('33139') ORDER BY 1"


def test_search_functions_run_as_a_role_that_cannot_log_in(db):
    rows = _fetch(
        "SELECT p.proname, p.prosecdef, p.proconfig, r.rolname, r.rolcanlogin, r.rolsuper,"
        " r.rolbypassrls FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner"
        " WHERE p.proname = ANY(%s)",
        [sorted(search_sql.SEARCH_FUNCTIONS)],
    )
    assert {row[0] for row in rows} == set(search_sql.SEARCH_FUNCTIONS)
    for name, definer, config, owner, login, superuser, bypass in rows:
        assert definer, name
        assert config == ["search_path=pg_catalog, pg_temp"], name
        assert (owner, login, superuser, bypass) == (rls.SEARCH_ROLE, False, False, True), name
    # The widest-radius helper runs as its caller, under the tenant policy.
    assert _fetch(
        "SELECT prosecdef FROM pg_proc WHERE proname = %s", [search_sql.WIDEST_RADIUS_FUNCTION]
    ) == [(False,)]


def test_bootstrap_creates_the_search_role_and_gives_it_to_the_owner_only():
    statements = rls.create_roles_sql(owner_role="own", app_role="app", exists=set())
    search = [s for s in statements if f'CREATE ROLE "{rls.SEARCH_ROLE}"' in s]
    assert len(search) == 1 and " NOLOGIN " in search[0] and " BYPASSRLS " in search[0]
    assert [s for s in statements if s.startswith("GRANT")] == [
        f'GRANT "{rls.SEARCH_ROLE}" TO "own"'
    ]
    existing = {"own", "app", rls.SEARCH_ROLE}
    assert rls.create_roles_sql(owner_role="own", app_role="app", exists=existing) == [
        f'GRANT "{rls.SEARCH_ROLE}" TO "own"'
    ]
    for owner, app in (("postgres", "app"), ("own", rls.SEARCH_ROLE), ("own", "own")):
        with pytest.raises(ValueError):
            rls.create_roles_sql(owner_role=owner, app_role=app, exists=set())


def _directory_listing(organization, name):

    with organization_scope(organization):
        return ListingFactory(
            organization=organization,
            name=name,
            zip_code="32801",
            description="trauma-informed care",
            service_area_kind="zip_list",
            service_zip_codes=["33139"],
        )


@pytest.fixture
def two_directories(org, other_org):
    return {
        org.pk: _directory_listing(org, "Harbor Home Visits"),
        other_org.pk: _directory_listing(other_org, "Lear Home Visits"),
    }


def test_search_functions_return_only_the_current_organizations_listings(
    two_directories, org, other_org
):
    assert _fetch(TEXT_MATCH) == [] and _fetch(ZIP_MATCH) == []
    for organization in (org, other_org):
        mine = [(two_directories[organization.pk].pk,)]
        with organization_scope(organization):
            assert _fetch(TEXT_MATCH) == mine
            assert _fetch(ZIP_MATCH) == mine
    # Crossing organizations is for the policies' SELECT; the functions stay in one.
    with organization_scope(org), across_organizations("test of the search functions"):
        assert _fetch(TEXT_MATCH) == [(two_directories[org.pk].pk,)]


@pytest.fixture
def owner_cursor(database_roles):
    """A cursor of the owner role, committing each statement, on its own connection."""
    import psycopg2

    params = {**connection.get_connection_params()}
    params["user"], params["password"] = database_roles["owner"]
    params = {k: v for k, v in params.items() if v and k != "cursor_factory"}
    owner = psycopg2.connect(**params)
    owner.autocommit = True
    try:
        with owner.cursor() as cursor:
            yield cursor
    finally:
        owner.close()


@pytest.mark.django_db(transaction=True)
def test_without_the_search_role_search_finds_the_same_listings(org, other_org, owner_cursor):
    """Where the bootstrap could not create the search role the functions stay with the
    owner, whom FORCE binds: the same rows, read without the index."""
    from referrals.selectors import SearchParams, listing_search

    listings = {
        org.pk: _directory_listing(org, "Harbor Home Visits"),
        other_org.pk: _directory_listing(other_org, "Lear Home Visits"),
    }

    def found():
        params = SearchParams(zip_code="33139", distance=5, q="trauma")
        params.resolve()
        with organization_scope(org):
            return (
                _fetch(TEXT_MATCH),
                _fetch(ZIP_MATCH),
                [x.pk for x in listing_search(organization=org, params=SearchParams(q="trauma"))],
                [x.pk for x in listing_search(organization=org, params=params)],
            )

    expected = ([(listings[org.pk].pk,)],) * 2 + ([listings[org.pk].pk],) * 2
    assert found() == expected
    owner_cursor.execute("SELECT current_schema()")
    (schema,) = owner_cursor.fetchone()
    try:
        for name, (args, _, _) in search_sql.SEARCH_FUNCTIONS.items():
            owner_cursor.execute(f'ALTER FUNCTION "{name}"({args}) OWNER TO current_user')
        connection.close()  # a fresh session, so no plan of the old owner is reused
        assert found() == expected
    finally:
        assert search_sql.search_functions_adopt(owner_cursor, schema)
