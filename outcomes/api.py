"""Read endpoints: a client's follow-ups and results for their care team, and the
signed-in client's own."""

from django.http import Http404
from rest_framework import generics

from continuum.audit.services import audit_read_many
from continuum.people.selectors import client_get_for

from . import selectors
from .serializers import FollowUpSerializer
from .views import CLIENT_ROLE, STAFF_ROLES


# The follow-ups of the client `client()` finds, each read recorded. (Comments, not
# docstrings, on API base classes: the schema would describe every endpoint with them.)
class _FollowUps(generics.ListAPIView):
    serializer_class = FollowUpSerializer

    def client(self):
        raise NotImplementedError

    def get_queryset(self):
        return selectors.follow_ups_for(client=self.client())

    def list(self, request, *args, **kwargs):
        client = self.client()
        page = self.paginate_queryset(selectors.follow_ups_for(client=client))
        audit_read_many(
            actor=request.user,
            organization=request.organization,
            items=[(row, client.public_id) for row in page],
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ClientFollowUpList(_FollowUps):
    """The client's follow-ups by due date, with the answers once given."""

    required_roles = frozenset(STAFF_ROLES)

    def client(self):
        return client_get_for(
            membership=self.request.membership, client_id=self.kwargs["client_id"]
        )


class MyFollowUpList(_FollowUps):
    """The signed-in client's own follow-ups, with their answers."""

    required_roles = frozenset(CLIENT_ROLE)

    def client(self):
        client = selectors.portal_client(membership=self.request.membership)
        if client is None:
            raise Http404("No client record.")
        return client
