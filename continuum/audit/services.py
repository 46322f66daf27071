from collections.abc import Iterable
from contextlib import contextmanager
from typing import Any

from django.db import connection, models
from django.utils import timezone
from django_scopes import scope

from continuum.logging import client_meta_var, request_id_var

from .models import AuditEvent

CLIENT_LABEL = "people.client"
# The actor of what the platform does by itself (a scan, a handoff, a beat task).
SYSTEM_ACTOR = "system"


def _object_ref(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(getattr(obj, "public_id", "") or "")


def _storable(value):
    """PostgreSQL text and jsonb cannot hold NUL; a refused request's path may carry one
    (`/fhir/r4/<org>/Patient/%00`), and its refusal must still be recorded."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(v) for v in value]
    return value


def _build(actor, organization, obj, client_id, *, action: str, detail=None, actor_email=""):
    meta = client_meta_var.get()
    user = actor if getattr(actor, "is_authenticated", False) else None
    detail = _storable(detail or {})
    object_type, object_id = _object_ref(obj)
    return AuditEvent(
        organization=organization,
        actor=user,
        actor_email=_storable(user.email if user else actor_email)[:254],
        action=action,
        object_type=object_type,
        object_id=object_id,
        client_id=client_id,
        ip=meta.get("ip"),
        user_agent=_storable(meta.get("user_agent", "")),
        request_id=request_id_var.get(),
        detail=detail or {},
    )


@contextmanager
def _written_in(organization):
    """Row-level security admits an event only in its own organization's scope, and an
    event of no organization (a failed login) only outside every organization."""
    with scope(organization=getattr(organization, "pk", organization)):
        yield


def audit_record(
    *,
    actor,
    action: str,
    organization=None,
    obj: models.Model | None = None,
    client_id=None,
    detail: dict[str, Any] | None = None,
    actor_email: str = "",
) -> AuditEvent:
    """Append one event. Call it inside the transaction of the change it records, so the
    change and its audit line commit or roll back together. `detail` must not carry
    clinical content: ids and field names only."""
    event = _build(
        actor, organization, obj, client_id, action=action, detail=detail, actor_email=actor_email
    )
    return _append(event, organization)


def _append(event: AuditEvent, organization) -> AuditEvent:
    with _written_in(organization):
        event.save(force_insert=True)
    return event


def client_id_of(record: models.Model | None):
    """The public id of the client a record is about, for `audit_record(client_id=)`: a
    client's own, a record's client's, or None for a record about no client."""
    if record is None:
        return None
    if record._meta.label_lower == CLIENT_LABEL:
        return record.public_id
    client = getattr(record, "client", None)
    return client.public_id if client is not None else None


def _client_id_of(obj: models.Model, client_id):
    if client_id is None and obj._meta.label_lower == CLIENT_LABEL:
        return obj.public_id
    return client_id


def audit_change(
    actor, organization, action: str, obj: models.Model | None, client_id=None, *, detail=None
) -> AuditEvent:
    """`audit_record` for the services' writes, in the order a reader asks: who, in which
    organization, did what, to which record, about which client; short enough that a
    use case's audit line stays one line. The actor is a user, or the label of who acted
    without an account: `SYSTEM_ACTOR` for what the platform does by itself."""
    label = actor if isinstance(actor, str) else ""
    event = _build(
        actor, organization, obj, client_id, action=action, detail=detail, actor_email=label
    )
    return _append(event, organization)


def _viewed(*, actor, organization, obj: models.Model, client_id) -> AuditEvent:
    client_id = _client_id_of(obj, client_id)
    return _build(actor, organization, obj, client_id, action=f"{obj._meta.model_name}.viewed")


def audit_read(*, actor, organization, obj: models.Model, client_id=None) -> AuditEvent:
    """Record that `actor` was shown `obj`, a record about a client. For a client object
    the client id is its own public id; otherwise pass the client's public id."""
    event = _viewed(actor=actor, organization=organization, obj=obj, client_id=client_id)
    return _append(event, organization)


def audit_read_many(
    *, actor, organization, items: Iterable[tuple[models.Model, Any]]
) -> list[AuditEvent]:
    """Record reads of a page of records in one INSERT: `items` are (object, client id)
    pairs, as shown on a list page or in an API list response."""
    events = [
        _viewed(actor=actor, organization=organization, obj=obj, client_id=client_id)
        for obj, client_id in items
    ]
    if events:
        with _written_in(organization):
            AuditEvent.objects.bulk_create(events)
    return events


def audit_read_rows(
    *, actor, organization, model: type[models.Model], rows: Iterable[tuple[Any, Any]]
) -> int:
    """`audit_read_many` for pages built from plain rows rather than model instances:
    `rows` are (public id, client public id) pairs of the `model` records shown.

    One INSERT ... SELECT over arrays, in the request's own transaction (or committing on
    its own in autocommit): a page of 50 events costs one statement and no model
    instance per row. Returns the number of events written."""
    return audit_read_records(
        actor=actor,
        organization=organization,
        rows=((model, public_id, client_id) for public_id, client_id in rows),
    )


def audit_read_records(
    *, actor, organization, rows: Iterable[tuple[type[models.Model], Any, Any]]
) -> int:
    """`audit_read_rows` for a page that shows records of several kinds: `rows` are
    (model, public id, client public id), all written in the same one statement."""
    rows = list(rows)
    if not rows:
        return 0
    meta = client_meta_var.get()
    user = actor if getattr(actor, "is_authenticated", False) else None
    params = [
        getattr(organization, "pk", organization),
        getattr(user, "pk", None),
        (user.email if user else "")[:254],
        timezone.now(),
        meta.get("ip"),
        _storable(meta.get("user_agent", "")),
        request_id_var.get(),
        [f"{model._meta.model_name}.viewed" for model, _, _ in rows],
        [model._meta.label_lower for model, _, _ in rows],
        [str(public_id) for _, public_id, _ in rows],
        [None if client_id is None else str(client_id) for _, _, client_id in rows],
    ]
    with _written_in(organization), connection.cursor() as cursor:
        cursor.execute(_INSERT_READS, params)
    return len(rows)


_INSERT_READS = """
INSERT INTO audit_auditevent (
    public_id, organization_id, actor_id, actor_email, action, object_type, object_id,
    client_id, at, ip, user_agent, request_id, detail
)
SELECT gen_random_uuid(), %s, %s, %s, shown.action, shown.object_type, shown.object_id,
    shown.client_id, %s::timestamptz, %s::inet, %s, %s, '{}'::jsonb
FROM unnest(%s::text[], %s::text[], %s::text[], %s::uuid[])
    AS shown(action, object_type, object_id, client_id)
"""
