from drf_spectacular.utils import extend_schema
from rest_framework import generics

from continuum.tenancy.api import validated
from continuum.tenancy.models import Role

from .selectors import AuditFilters, audit_event_list
from .serializers import AuditEventSerializer, AuditFilterSerializer


@extend_schema(parameters=[AuditFilterSerializer])
class AuditEventListView(generics.ListAPIView):
    """The organization's audit trail, newest first. Filters: user (member's user id),
    client, action (whole or prefix ending in "."), date_from, date_to (UTC days)."""

    required_roles = frozenset({Role.ORG_ADMIN})
    serializer_class = AuditEventSerializer

    def get_queryset(self):
        params = validated(AuditFilterSerializer, self.request.query_params)
        data = params
        filters = AuditFilters(
            actor_id=data.get("user"),
            client_id=data.get("client"),
            action=data.get("action", "").strip(),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
        return audit_event_list(organization=self.request.organization, filters=filters)
