"""Row-level security behind a transaction-pooling PgBouncer (DB_TRANSACTION_POOLING):
the organization is set for one transaction only, so a server connection handed to the
next client carries nothing over, in autocommit and inside atomic blocks alike."""

import pytest
from django.db import connection, transaction
from django_scopes import scope

from continuum.people.models import Client
from tests.people.factories import ClientFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _session_setting() -> str:
    # On the raw connection: what the next statement of another client would inherit.
    with connection.connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('app.organization_id', true)")
        return cursor.fetchone()[0] or ""


@pytest.fixture
def pooled():
    before = connection.rls_transaction_scoped
    connection.close()
    connection.rls_transaction_scoped = True
    yield
    connection.close()
    connection.rls_transaction_scoped = before


@pytest.fixture
def two_organizations(org, other_org):
    with scope(organization=org.pk):
        ClientFactory.create_batch(2, organization=org)
    with scope(organization=other_org.pk):
        ClientFactory(organization=other_org)
    connection.close()


def test_autocommit_statements_see_their_organization_and_leave_nothing_behind(
    two_organizations, pooled, org, other_org
):
    with scope(organization=org.pk):
        assert Client.objects.count() == 2
        assert _session_setting() == ""
    with scope(organization=other_org.pk):
        assert Client.objects.count() == 1
    assert _session_setting() == ""


def test_a_transaction_sets_it_once_and_the_commit_clears_it(
    two_organizations, pooled, org, other_org
):
    with scope(organization=org.pk), transaction.atomic():
        assert Client.objects.count() == 2
        ClientFactory(organization=org)
        assert _session_setting() == str(org.pk)
    assert _session_setting() == ""
    with scope(organization=other_org.pk), transaction.atomic():
        assert Client.objects.count() == 1
    with scope(organization=org.pk):
        assert Client.objects.count() == 3


def test_session_scoped_settings_would_leak_to_the_next_client(two_organizations, org):
    """What the pooled mode prevents: the default mode keeps the organization on the
    session, which a transaction pooler would hand to another client."""
    if connection.rls_transaction_scoped:
        pytest.skip("behind a transaction pooler the session setting would reach other clients")
    connection.ensure_connection()
    with scope(organization=org.pk):
        assert Client.objects.count() == 2
    assert _session_setting() == str(org.pk)
