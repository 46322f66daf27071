"""The signed-in user, their membership and the organization in one statement
(continuum.tenancy.middleware.TenantAuthenticationMiddleware), and the row-security
settings travelling with the statement that needs them (continuum.tenancy.db)."""

import pytest
from django.contrib.auth import HASH_SESSION_KEY
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from continuum.tenancy import rls
from continuum.tenancy.models import Membership, Role
from continuum.tenancy.scoping import organization_scope
from tests.people.factories import ClientFactory

pytestmark = pytest.mark.django_db


def _members_url(org):
    return reverse("staff:team", kwargs={"org": org.slug})


def test_a_members_page_reads_user_membership_and_organization_in_one_statement(
    client, org, admin_user
):
    client.force_login(admin_user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(_members_url(org))
    assert response.status_code == 200
    sqls = [q["sql"] for q in ctx.captured_queries]
    assert "django_session" in sqls[0]
    joined = sqls[1]
    assert 'FROM "tenancy_membership"' in joined
    assert 'JOIN "tenancy_organization"' in joined and 'JOIN "accounts_user"' in joined
    # Nothing else looks up the user or the organization by itself.
    assert not any('FROM "accounts_user"' in s for s in sqls)
    assert not any('FROM "tenancy_organization"' in s for s in sqls)
    assert response.wsgi_request.user == admin_user
    assert response.wsgi_request.membership.user_id == admin_user.pk


def test_a_member_of_another_organization_gets_404_and_stays_signed_in(
    client, org, other_org, outsider
):
    client.force_login(outsider)
    assert client.get(_members_url(org)).status_code == 404
    # Their own organization still works in the same session.
    own = client.get(_members_url(other_org))
    assert own.status_code == 200
    assert own.wsgi_request.user == outsider


def test_anonymous_visitors_are_sent_to_sign_in(client, org):
    response = client.get(_members_url(org))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_deactivated_membership_is_404(client, org, admin_user):
    client.force_login(admin_user)
    with organization_scope(org):
        Membership.objects.filter(user=admin_user).update(is_active=False)
    assert client.get(_members_url(org)).status_code == 404


def test_a_deactivated_account_is_signed_out(client, org, admin_user):
    client.force_login(admin_user)
    admin_user.is_active = False
    admin_user.save(update_fields=["is_active"])
    response = client.get(_members_url(org))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_password_changed_elsewhere_ends_the_session(client, org, admin_user):
    client.force_login(admin_user)
    assert client.get(_members_url(org)).status_code == 200
    admin_user.set_password("a new passphrase for this test")
    admin_user.save(update_fields=["password"])
    response = client.get(_members_url(org))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert HASH_SESSION_KEY not in client.session


def test_a_role_outside_the_staff_area_is_refused(client, org, members):
    client.force_login(members[Role.FAMILY_MEMBER])
    assert client.get(_members_url(org)).status_code == 403


# --- the settings travel with the statement ---------------------------------------------------


def _first_names():
    with connection.cursor() as cursor:
        cursor.execute("SELECT first_name FROM people_client ORDER BY first_name")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_a_failed_statement_that_carried_the_settings_has_them_sent_again(org, other_org, members):
    ClientFactory(organization=org, first_name="Harbor")
    ClientFactory(organization=other_org, first_name="Lear")
    with organization_scope(org):
        assert _first_names() == ["Harbor"]
    with organization_scope(other_org):
        # Outside a transaction the switch to other_org and this failing statement are one
        # implicit transaction: PostgreSQL undoes the switch, and the connection must not
        # believe it was made.
        with pytest.raises(DatabaseError), connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")
        assert _first_names() == ["Lear"]
        assert connection.rls_settings == (str(other_org.pk), "off")


def test_the_health_check_sets_the_settings_of_the_code_running_now(org, members):
    ClientFactory(organization=org, first_name="Harbor")
    with organization_scope(org):
        connection.rls_settings = None
        assert connection.is_usable()
        assert connection.rls_settings == rls.wanted_settings() == (str(org.pk), "off")
        with CaptureQueriesContext(connection) as ctx:
            assert _first_names() == ["Harbor"]
        assert len(ctx.captured_queries) == 1
