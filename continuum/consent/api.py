from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from continuum.audit.mixins import AuditedListMixin
from continuum.people.api import ClientInURLMixin
from continuum.people.selectors import family_for
from continuum.tenancy.api import call_service, created, validated
from continuum.tenancy.models import STAFF_ROLES

from .selectors import consent_get, consent_list, disclosure_list
from .serializers import ConsentCreateSerializer, ConsentSerializer, DisclosureSerializer
from .services import consent_create, consent_revoke


class _ClientMixin(ClientInURLMixin):
    required_roles = STAFF_ROLES

    def audit_client_id(self, obj):
        return self.client().public_id


class ConsentListView(_ClientMixin, AuditedListMixin, generics.ListAPIView):
    """A client's consents, newest first. POST prepares one for the client to sign."""

    serializer_class = ConsentSerializer

    def get_queryset(self):
        return consent_list(client=self.client()).select_related(
            "client", "recipient_family_member"
        )

    @extend_schema(request=ConsentCreateSerializer, responses={201: ConsentSerializer})
    def post(self, request, org, client_id):
        client = self.client()
        data = validated(ConsentCreateSerializer, request.data)
        values = dict(data)
        family_id = values.pop("recipient_family_member", None)
        if family_id is not None:
            link = family_for(client=client).filter(family_member__public_id=family_id).first()
            values["recipient_family_member"] = link.family_member if link else None
            if link is None:
                return Response(
                    {"recipient_family_member": ["This person is not linked to the client."]},
                    status=status.HTTP_400_BAD_REQUEST,
                )
        consent = call_service(
            consent_create,
            actor=request.user,
            organization=request.organization,
            client=client,
            **values,
        )
        return created(ConsentSerializer, consent)


class ConsentRevokeView(_ClientMixin, APIView):
    @extend_schema(request=None, responses=ConsentSerializer)
    def post(self, request, org, client_id, consent_id):
        consent = consent_get(client=self.client(), consent_id=consent_id)
        consent = call_service(consent_revoke, actor=request.user, consent=consent)
        return Response(ConsentSerializer(consent).data)


class DisclosureListView(_ClientMixin, AuditedListMixin, generics.ListAPIView):
    """The accounting of a client's disclosures, newest first."""

    serializer_class = DisclosureSerializer

    def get_queryset(self):
        return disclosure_list(client=self.client())
