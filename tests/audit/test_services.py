import pytest

from continuum.audit.models import AuditEvent
from continuum.audit.services import (
    SYSTEM_ACTOR,
    audit_change,
    audit_read,
    audit_read_many,
    audit_read_rows,
    audit_record,
)
from continuum.logging import client_meta_var, request_id_var
from continuum.tenancy.models import Membership

pytestmark = pytest.mark.django_db


def test_audit_read_records_who_saw_what_from_where(org, members, in_org):
    membership = Membership.objects.get(user=members["case_manager"])
    client_id = "5d0b6d42-3c61-4a4c-9a53-0b1d5ba0e7a1"
    meta = client_meta_var.set({"ip": "203.0.113.9", "user_agent": "Firefox"})
    rid = request_id_var.set("req-12345678")
    try:
        event = audit_read(
            actor=members["case_manager"], organization=org, obj=membership, client_id=client_id
        )
    finally:
        client_meta_var.reset(meta)
        request_id_var.reset(rid)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.action == "membership.viewed"
    assert stored.object_type == "tenancy.membership"
    assert stored.object_id == str(membership.public_id)
    assert str(stored.client_id) == client_id
    assert (stored.ip, stored.user_agent, stored.request_id) == (
        "203.0.113.9",
        "Firefox",
        "req-12345678",
    )
    assert stored.actor_email == "case_manager@harbor.example.com"


def test_audit_read_many_writes_one_event_per_row_shown(org, members, in_org):
    rows = list(Membership.objects.all())
    audit_read_many(actor=members["org_admin"], organization=org, items=[(m, None) for m in rows])
    shown = set(
        AuditEvent.objects.filter(action="membership.viewed").values_list("object_id", flat=True)
    )
    assert shown == {str(m.public_id) for m in rows}


def test_audit_read_rows_writes_the_same_events_as_audit_read_many(org, members, in_org):
    rows = list(Membership.objects.order_by("pk"))
    client_id = "5d0b6d42-3c61-4a4c-9a53-0b1d5ba0e7a1"
    meta = client_meta_var.set({"ip": "203.0.113.9", "user_agent": "Firefox"})
    rid = request_id_var.set("req-12345678")
    try:
        audit_read_many(
            actor=members["org_admin"], organization=org, items=[(m, client_id) for m in rows]
        )
        written = audit_read_rows(
            actor=members["org_admin"],
            organization=org,
            model=Membership,
            rows=[(m.public_id, client_id) for m in rows],
        )
        assert (
            audit_read_rows(actor=members["org_admin"], organization=org, model=Membership, rows=[])
            == 0
        )
    finally:
        client_meta_var.reset(meta)
        request_id_var.reset(rid)
    assert written == len(rows)
    fields = (
        "organization_id",
        "actor_id",
        "actor_email",
        "action",
        "object_type",
        "object_id",
        "client_id",
        "ip",
        "user_agent",
        "request_id",
        "detail",
    )
    events = list(AuditEvent.objects.order_by("pk").values(*fields))
    assert events[: len(rows)] == events[len(rows) :]
    assert len({e.public_id for e in AuditEvent.objects.all()}) == 2 * len(rows)


def test_audit_change_writes_the_event_audit_record_writes(org, members, in_org):
    membership = Membership.objects.get(user=members["case_manager"])
    client_id = "5d0b6d42-3c61-4a4c-9a53-0b1d5ba0e7a1"
    by_keywords = audit_record(
        actor=members["org_admin"],
        organization=org,
        action="membership.updated",
        obj=membership,
        client_id=client_id,
        detail={"roles": ["case_manager"]},
    )
    in_order = audit_change(
        members["org_admin"],
        org,
        "membership.updated",
        membership,
        client_id,
        detail={"roles": ["case_manager"]},
    )
    fields = ("actor", "actor_email", "action", "object_type", "object_id", "detail")
    first, second = (AuditEvent.objects.get(pk=e.pk) for e in (by_keywords, in_order))
    assert [getattr(second, f) for f in fields] == [getattr(first, f) for f in fields]
    assert str(second.client_id) == client_id
    assert second.actor_email == "org_admin@harbor.example.com"


def test_audit_change_records_a_label_for_what_no_user_did(org, members, in_org):
    membership = Membership.objects.get(user=members["case_manager"])
    event = audit_change(SYSTEM_ACTOR, org, "membership.reminded", membership)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor is None
    assert stored.actor_email == "system"
    assert stored.object_id == str(membership.public_id)
