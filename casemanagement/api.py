from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response

from continuum.audit.services import audit_read_many
from continuum.care import safety
from continuum.care.selectors import safety_event_latest
from continuum.people.api import ClientInURLMixin
from continuum.tenancy.api import SelectorListView, call_service, created, validated

from . import selectors, serializers, services
from .models import AssessmentSource
from .views import CASE_ROLES, REPORT_ROLES

STAFF = frozenset(CASE_ROLES)


# One client's rows from `selector(client=)`, once the client is found visible. (Comments,
# not docstrings, on API base classes: the schema would describe every endpoint with them.)
class _ClientScoped(ClientInURLMixin, generics.GenericAPIView):
    required_roles = STAFF
    selector = None

    def get_queryset(self):
        # A plain function: given to as_view(), or held as a staticmethod.
        return self.selector(client=self.client())

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        client = self.client()
        audit_read_many(
            actor=request.user,
            organization=request.organization,
            items=[(obj, client.public_id) for obj in page],
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


class PlanDetail(_ClientScoped):
    serializer_class = serializers.PlanSerializer

    def get(self, request, org, client_id):
        plan = selectors.plan_active_for(client=self.client())
        if plan is None:
            raise Http404("No active care plan.")
        audit_read_many(
            actor=request.user,
            organization=request.organization,
            items=[(plan, self.client().public_id)],
        )
        return Response(self.get_serializer(plan).data)


# The client's rows an endpoint lists as they are: a serializer and a selector each.
provider_list = _ClientScoped.as_view(
    serializer_class=serializers.ProviderSerializer, selector=selectors.providers_for
)
appointment_list = _ClientScoped.as_view(
    serializer_class=serializers.AppointmentSerializer, selector=selectors.appointments_for
)
medication_list = _ClientScoped.as_view(
    serializer_class=serializers.MedicationSerializer, selector=selectors.medications_for
)


class AssessmentList(_ClientScoped):
    serializer_class = serializers.AssessmentSerializer
    selector = staticmethod(selectors.assessments_for)

    @extend_schema(
        request=serializers.AssessmentInputSerializer,
        responses={201: serializers.AssessmentRecordedSerializer},
        description="Record one completed instrument.\n\n"
        + serializers.instrument_reference()
        + "\n\n"
        + serializers.ERROR_SHAPE,
    )
    def post(self, request, org, client_id):
        data = validated(serializers.AssessmentInputSerializer, request.data)
        assessment = call_service(
            services.assessment_record,
            actor=request.user,
            client=self.client(),
            source=AssessmentSource.STAFF,
            door="api",
            **data,
        )
        if assessment.urgent:
            assessment.safety_told = safety.staff_told_sentence(
                safety_event_latest(client=assessment.client)
            )
        return created(serializers.AssessmentRecordedSerializer, assessment)


class GapList(SelectorListView):
    required_roles = STAFF
    serializer_class = serializers.GapSerializer
    selector = selectors.gap_list_for


class FollowUpReportView(generics.GenericAPIView):
    """Follow-up after each discharge (7 and 30 days, initiation, engagement, MOUD
    continuity) and the monthly rates; staff see their care-team clients, admins all."""

    required_roles = frozenset(REPORT_ROLES)
    serializer_class = serializers.FollowUpReportSerializer

    @extend_schema(parameters=[serializers.FollowUpQuerySerializer])
    def get(self, request, org):
        query = validated(serializers.FollowUpQuerySerializer, request.query_params)
        report = selectors.followup_report(
            membership=request.membership,
            organization=request.organization,
            today=timezone.localdate(),
            months=query["months"],
        )
        audit_read_many(
            actor=request.user,
            organization=request.organization,
            items=[(row.episode, row.episode.client.public_id) for row in report.rows],
        )
        return Response(self.get_serializer(report).data)
