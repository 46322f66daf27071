from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError as APIValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Role
from .selectors import invitation_get, invitation_list_pending, membership_get, membership_list
from .serializers import (
    InvitationCreateSerializer,
    InvitationSerializer,
    MembershipSerializer,
    MembershipUpdateSerializer,
)
from .services import invitation_create, invitation_revoke, membership_deactivate, membership_update


def as_api_error(error: ValidationError) -> APIValidationError:
    if hasattr(error, "error_dict"):
        return APIValidationError(
            {k: [m for e in v for m in e.messages] for k, v in error.error_dict.items()}
        )
    return APIValidationError({"detail": error.messages})


def validated(serializer_class, data, **kwargs) -> dict:
    """The input checked by `serializer_class`, or a 400 that names each bad field."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def call_service(service, /, **kwargs):
    """Run a use case; the rules it refuses come back as a 400 with the same messages."""
    try:
        return service(**kwargs)
    except ValidationError as exc:
        raise as_api_error(exc) from exc


def created(serializer_class, instance) -> Response:
    """201 with the new row, as its read serializer shows it."""
    return Response(serializer_class(instance).data, status=status.HTTP_201_CREATED)


# An endpoint whose rows come from one selector, called with the caller's membership and
# the URL's ids by name (`request_id=`...), so what is not theirs is a 404. (A comment,
# not a docstring: the schema would describe every endpoint with it.)
class SelectorView(generics.GenericAPIView):
    selector = None

    def select(self):
        ids = {name: value for name, value in self.kwargs.items() if name != "org"}
        # Read from the class: a plain function stored on it is not bound to the view.
        return type(self).selector(membership=self.request.membership, **ids)


class SelectorListView(SelectorView, generics.ListAPIView):
    def get_queryset(self):
        return self.select()


class SelectorDetailView(SelectorView, generics.RetrieveAPIView):
    def get_object(self):
        return self.select()


class MeView(APIView):
    """The caller's membership in this organization."""

    @extend_schema(responses=MembershipSerializer)
    def get(self, request, org):
        return Response(MembershipSerializer(request.membership).data)


class MemberListView(generics.ListAPIView):
    required_roles = frozenset({Role.ORG_ADMIN})
    serializer_class = MembershipSerializer

    def get_queryset(self):
        return membership_list(organization=self.request.organization).select_related(
            "organization"
        )


class _MemberMixin:
    # The member named by the URL, in the caller's organization only.
    required_roles = frozenset({Role.ORG_ADMIN})

    def member(self):
        return membership_get(
            organization=self.request.organization, public_id=self.kwargs["member_id"]
        )


class MemberDetailView(_MemberMixin, APIView):
    @extend_schema(responses=MembershipSerializer)
    def get(self, request, org, member_id):
        return Response(MembershipSerializer(self.member()).data)

    @extend_schema(request=MembershipUpdateSerializer, responses=MembershipSerializer)
    def patch(self, request, org, member_id):
        # Found first: another organization's member is a 404 whatever the body says.
        membership = self.member()
        data = validated(MembershipUpdateSerializer, request.data)
        membership = call_service(
            membership_update, actor=request.user, membership=membership, **data
        )
        return Response(MembershipSerializer(membership).data)


class MemberDeactivateView(_MemberMixin, APIView):
    @extend_schema(request=None, responses=MembershipSerializer)
    def post(self, request, org, member_id):
        membership = call_service(
            membership_deactivate, actor=request.user, membership=self.member()
        )
        return Response(MembershipSerializer(membership).data)


class InvitationListView(generics.ListAPIView):
    """Pending invitations; POST sends a new one by e-mail."""

    required_roles = frozenset({Role.ORG_ADMIN})
    serializer_class = InvitationSerializer

    def get_queryset(self):
        return invitation_list_pending(organization=self.request.organization)

    @extend_schema(request=InvitationCreateSerializer, responses={201: InvitationSerializer})
    def post(self, request, org):
        data = validated(InvitationCreateSerializer, request.data)
        invitation = call_service(
            invitation_create, actor=request.user, organization=request.organization, **data
        )
        return created(InvitationSerializer, invitation)


class InvitationRevokeView(APIView):
    required_roles = frozenset({Role.ORG_ADMIN})

    @extend_schema(request=None, responses=InvitationSerializer)
    def post(self, request, org, invitation_id):
        invitation = invitation_get(organization=request.organization, public_id=invitation_id)
        invitation = call_service(invitation_revoke, actor=request.user, invitation=invitation)
        return Response(InvitationSerializer(invitation).data)
