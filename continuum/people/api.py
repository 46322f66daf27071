from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from continuum.audit.services import audit_read, audit_read_rows
from continuum.tenancy.api import as_api_error, call_service, created, validated
from continuum.tenancy.models import STAFF_ROLES

from .models import Client
from .selectors import client_get_for, client_list_for, family_for, family_members_known_to
from .serializers import (
    CLIENT_LIST_VALUES,
    ClientInputSerializer,
    ClientSerializer,
    FamilyLinkSerializer,
    FamilyMemberInputSerializer,
    client_list_data,
)
from .services import client_create, client_update, family_member_add


# The client the URL names (`client_id`), found once per request among those the caller
# may see: anyone else's is a 404. (A comment, not a docstring: the schema would describe
# every endpoint with it.)
class ClientInURLMixin:
    def client(self):
        if not hasattr(self, "_client"):
            self._client = client_get_for(
                membership=self.request.membership, client_id=self.kwargs["client_id"]
            )
        return self._client


class ClientListView(generics.ListAPIView):
    """Clients the caller may see; POST creates one."""

    required_roles = STAFF_ROLES
    serializer_class = ClientSerializer

    def get_queryset(self):
        return client_list_for(membership=self.request.membership).order_by(
            "last_name", "first_name", "pk"
        )

    def list(self, request, *args, **kwargs):
        # Plain rows and one INSERT for the page's read events: a model instance and a
        # serializer field per value cost more than the rest of the request.
        page = self.paginate_queryset(self.get_queryset().values(*CLIENT_LIST_VALUES))
        audit_read_rows(
            actor=request.user,
            organization=request.organization,
            model=Client,
            rows=[(row["public_id"], row["public_id"]) for row in page],
        )
        return self.get_paginated_response(client_list_data(page))

    @extend_schema(request=ClientInputSerializer, responses={201: ClientSerializer})
    def post(self, request, org):
        data = validated(ClientInputSerializer, request.data)
        client = call_service(
            client_create, actor=request.user, membership=request.membership, **data
        )
        return created(ClientSerializer, client)


class ClientDetailView(ClientInURLMixin, APIView):
    required_roles = STAFF_ROLES

    @extend_schema(responses=ClientSerializer)
    def get(self, request, org, client_id):
        client = self.client()
        audit_read(actor=request.user, organization=request.organization, obj=client)
        return Response(ClientSerializer(client).data)

    @extend_schema(request=ClientInputSerializer(partial=True), responses=ClientSerializer)
    def patch(self, request, org, client_id):
        client = self.client()
        data = validated(ClientInputSerializer, request.data, partial=True)
        client = call_service(client_update, actor=request.user, client=client, **data)
        return Response(ClientSerializer(client).data)


class ClientFamilyView(ClientInURLMixin, APIView):
    """A client's family; POST adds a family member or links an existing one."""

    required_roles = STAFF_ROLES

    @extend_schema(responses=FamilyLinkSerializer(many=True))
    def get(self, request, org, client_id):
        client = self.client()
        audit_read(actor=request.user, organization=request.organization, obj=client)
        return Response(FamilyLinkSerializer(family_for(client=client), many=True).data)

    @extend_schema(request=FamilyMemberInputSerializer, responses={201: FamilyLinkSerializer})
    def post(self, request, org, client_id):
        client = self.client()
        data = validated(FamilyMemberInputSerializer, request.data)
        values = dict(data)
        existing_id = values.pop("family_member_id", None)
        family_member = None
        if existing_id is not None:
            known = family_members_known_to(membership=request.membership, exclude_client=client)
            family_member = known.filter(public_id=existing_id).first()
            if family_member is None:
                raise as_api_error(ValidationError({"family_member_id": "No such family member."}))
            values = {k: values[k] for k in ("relationship", "is_primary_contact")}
        link = call_service(
            family_member_add,
            actor=request.user,
            client=client,
            family_member=family_member,
            **values,
        )
        return created(FamilyLinkSerializer, link)
