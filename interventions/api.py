from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from continuum.tenancy.api import (
    SelectorDetailView,
    SelectorListView,
    SelectorView,
    call_service,
    created,
    validated,
)
from continuum.tenancy.models import Role

from . import selectors, services
from .serializers import (
    InterventionDetailSerializer,
    InterventionSerializer,
    LetterInputSerializer,
    LetterSerializer,
    OutcomeInputSerializer,
    OutcomeSerializer,
    ParticipantSerializer,
    RequestSerializer,
)

TRIAGE = frozenset({Role.ORG_ADMIN, Role.INTAKE_COORDINATOR, Role.INTERVENTIONIST})
LETTER_ROLES = frozenset({Role.INTERVENTIONIST, Role.FAMILY_MEMBER})


class RequestListView(generics.ListAPIView):
    """The request queue: urgent first, then oldest. Filter with ?status=new."""

    required_roles = TRIAGE
    serializer_class = RequestSerializer

    def get_queryset(self):
        return selectors.request_list_for(
            membership=self.request.membership, status=self.request.query_params.get("status", "")
        )


class RequestDetailView(SelectorDetailView):
    required_roles = TRIAGE
    serializer_class = RequestSerializer
    selector = selectors.request_get_for


class InterventionListView(SelectorListView):
    required_roles = TRIAGE
    serializer_class = InterventionSerializer
    selector = selectors.intervention_list_for


class InterventionDetailView(SelectorDetailView):
    required_roles = TRIAGE
    serializer_class = InterventionDetailSerializer
    selector = selectors.intervention_detail_for


class ParticipantListView(SelectorView, generics.ListAPIView):
    required_roles = TRIAGE
    serializer_class = ParticipantSerializer
    pagination_class = None
    selector = selectors.intervention_get_for

    def get_queryset(self):
        return self.select().participants.all()


class OutcomeView(SelectorView):
    """Record the outcome of the day: accepted, declined or postponed."""

    required_roles = frozenset({Role.ORG_ADMIN, Role.INTERVENTIONIST})
    selector = selectors.intervention_get_for

    @extend_schema(request=OutcomeInputSerializer, responses=OutcomeSerializer)
    def post(self, request, org, intervention_id):
        intervention = self.select()
        data = validated(OutcomeInputSerializer, request.data)
        outcome = services.outcome_record
        record = call_service(outcome, actor=request.user, intervention=intervention, **data)
        return created(OutcomeSerializer, record)


class LetterListView(SelectorView, generics.ListAPIView):
    """Letters of an intervention that the caller may read: their own, or all of them
    for the intervention's interventionist."""

    required_roles = LETTER_ROLES
    serializer_class = LetterSerializer
    pagination_class = None
    selector = selectors.intervention_get_for

    def get_queryset(self):
        return selectors.letter_list_for(
            membership=self.request.membership, intervention=self.select()
        )


class LetterDetailView(APIView):
    required_roles = LETTER_ROLES

    def _letter(self, request, letter_id):
        return selectors.letter_get_for(membership=request.membership, letter_id=letter_id)

    @extend_schema(responses=LetterSerializer)
    def get(self, request, org, letter_id):
        return Response(LetterSerializer(self._letter(request, letter_id)).data)

    @extend_schema(request=LetterInputSerializer, responses=LetterSerializer)
    def patch(self, request, org, letter_id):
        letter = self._letter(request, letter_id)
        if letter.author_id != request.user.pk:
            raise PermissionDenied("Only the author changes a letter.")
        data = validated(LetterInputSerializer, request.data)
        letter = call_service(
            services.letter_save, actor=request.user, participant=letter.participant, **data
        )
        return Response(LetterSerializer(letter).data)
