from typing import Any

from django.db import models

from continuum.logging import client_meta_var, request_id_var

from .models import AuditEvent


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
    meta = client_meta_var.get()
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        organization=organization,
        actor=user,
        actor_email=(user.email if user else actor_email)[:254],
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(getattr(obj, "public_id", "") or "") if obj is not None else "",
        client_id=client_id,
        ip=meta.get("ip"),
        user_agent=meta.get("user_agent", ""),
        request_id=request_id_var.get(),
        detail=detail or {},
    )
