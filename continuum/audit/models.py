import uuid

from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from continuum.tenancy.models import Organization
from continuum.tenancy.schema import tenant_index, user_ref


class AuditEvent(models.Model):
    """One append-only line of the audit trail. A database trigger refuses UPDATE and
    DELETE, so not even application code with a bug can rewrite history.

    `organization` is empty only for events outside any organization (a failed login).
    """

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = user_ref(null=True)
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    client_id = models.UUIDField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            tenant_index("-at", name="audit_org_at"),
            tenant_index("actor", "-at", name="audit_org_actor_at"),
            tenant_index("client_id", "-at", name="audit_org_client_at"),
            tenant_index("action", "-at", name="audit_org_action_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_email or '-'} {self.action}"
