import pytest
from rest_framework import generics, serializers
from rest_framework.test import APIRequestFactory, force_authenticate

from continuum.audit.mixins import AuditedListMixin, AuditedRetrieveMixin
from continuum.audit.models import AuditEvent
from continuum.tenancy.models import Membership

pytestmark = pytest.mark.django_db


class _MembershipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Membership
        fields = ["title"]


class _Base:
    permission_classes: list = []
    serializer_class = _MembershipSerializer
    lookup_field = "public_id"

    def get_queryset(self):
        return Membership.objects.filter(organization=self.request.organization)


class _Detail(_Base, AuditedRetrieveMixin, generics.RetrieveAPIView):
    pass


class _List(_Base, AuditedListMixin, generics.ListAPIView):
    def audit_client_id(self, obj):
        return obj.public_id


def _request(org, user):
    request = APIRequestFactory().get("/")
    request.organization = org
    force_authenticate(request, user=user)
    return request


def test_retrieve_records_one_read(org, members, in_org):
    target = Membership.objects.get(user=members["sober_coach"])
    response = _Detail.as_view()(_request(org, members["org_admin"]), public_id=target.public_id)
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="membership.viewed")
    assert (event.actor, event.object_id) == (members["org_admin"], str(target.public_id))


def test_list_records_a_read_per_row_on_the_page(org, members, in_org):
    response = _List.as_view()(_request(org, members["org_admin"]))
    assert response.status_code == 200
    events = AuditEvent.objects.filter(action="membership.viewed")
    assert events.count() == len(members) == response.data["count"]
    assert {str(e.client_id) for e in events} == {e.object_id for e in events}
