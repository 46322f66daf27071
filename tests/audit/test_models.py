import pytest
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.db.utils import DatabaseError

from continuum.audit.models import AuditEvent
from continuum.audit.services import audit_record

pytestmark = pytest.mark.django_db


def _event(org, admin_user):
    return audit_record(actor=admin_user, organization=org, action="client.viewed")


def test_database_refuses_update_of_an_audit_event(org, admin_user, in_org):
    event = _event(org, admin_user)
    with pytest.raises(DatabaseError, match="append-only: UPDATE refused"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="nothing.happened")
    event.refresh_from_db()
    assert event.action == "client.viewed"


def test_database_refuses_delete_of_an_audit_event(org, admin_user, in_org):
    event = _event(org, admin_user)
    with pytest.raises(DatabaseError, match="append-only: DELETE refused"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_raw_sql_cannot_rewrite_the_trail_either(org, admin_user, in_org):
    event = _event(org, admin_user)
    for sql in (
        "UPDATE audit_auditevent SET actor_email = 'someone@else' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises((ProgrammingError, IntegrityError, DatabaseError)),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    event.refresh_from_db()
    assert event.actor_email == admin_user.email
