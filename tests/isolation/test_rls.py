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
from tests.factories import MembershipFactory, UserFactory
from tests.people.factories import ClientFactory

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
    """Found from the catalog, not from the models: a table added by raw SQL counts too."""
    referencing = {
        row[0]
        for row in _fetch(
            "SELECT conrelid::regclass::text FROM pg_constraint"
            " WHERE contype = 'f' AND confrelid = 'tenancy_organization'::regclass"
        )
    }
    assert referencing == set(TENANT_TABLES) | rls.EXEMPT_TABLES


@pytest.mark.parametrize("table", sorted(rls.EXEMPT_TABLES))
def test_only_the_public_directory_is_exempt(db, table):
    """The exempt tables hold no reference to a client."""
    assert (
        _fetch(
            "SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid = %s::regclass"
            " AND confrelid = 'people_client'::regclass",
            [table],
        )
        == []
    )
    assert _fetch("SELECT relrowsecurity FROM pg_class WHERE oid = %s::regclass", [table]) == [
        (False,)
    ]


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
def clients_seen(*, organization_id):
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
