"""The coaching REST API, with the same roles as the pages."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from continuum.audit.services import audit_read
from continuum.care import safety
from continuum.care.selectors import safety_event_latest
from continuum.tenancy.api import call_service, created, validated
from continuum.tenancy.models import Role

from . import selectors, services
from .serializers import (
    CoachingAlertSerializer,
    CoachingCheckInInputSerializer,
    CoachingCheckInRecordedSerializer,
    CoachingCheckInSerializer,
    CoachingContactSerializer,
    CoachingEngagementSerializer,
    RelapsePreventionPlanSerializer,
)

STAFF = frozenset({Role.SOBER_COACH, Role.CASE_MANAGER, Role.ORG_ADMIN})
WRITERS = frozenset({Role.SOBER_COACH, Role.ORG_ADMIN})


class _EngagementMixin:
    def engagement(self):
        return selectors.engagement_get_for(
            membership=self.request.membership, engagement_id=self.kwargs["engagement_id"]
        )


class EngagementList(generics.ListAPIView):
    required_roles = STAFF
    serializer_class = CoachingEngagementSerializer

    def get_queryset(self):
        return selectors.engagement_list_for(membership=self.request.membership).order_by(
            "-created_at"
        )


class EngagementDetail(_EngagementMixin, generics.RetrieveAPIView):
    required_roles = STAFF
    serializer_class = CoachingEngagementSerializer

    def get_object(self):
        engagement = self.engagement()
        audit_read(
            actor=self.request.user,
            organization=self.request.organization,
            obj=engagement,
            client_id=engagement.client.public_id,
        )
        return engagement


class ContactList(_EngagementMixin, generics.ListAPIView):
    """Contacts of one engagement, newest first; POST logs one."""

    required_roles = STAFF
    serializer_class = CoachingContactSerializer

    def get_queryset(self):
        return selectors.contacts_for(engagement=self.engagement())

    @extend_schema(request=CoachingContactSerializer, responses={201: CoachingContactSerializer})
    def post(self, request, org, engagement_id):
        if not request.membership.has_role(*WRITERS):
            self.permission_denied(request, message="Your role does not allow this.")
        engagement = self.engagement()
        data = validated(CoachingContactSerializer, request.data)
        contact = call_service(
            services.contact_log, actor=request.user, engagement=engagement, **data
        )
        return created(CoachingContactSerializer, contact)


class CheckInList(_EngagementMixin, generics.ListAPIView):
    required_roles = STAFF
    serializer_class = CoachingCheckInSerializer

    def get_queryset(self):
        return self.engagement().checkins.order_by("-day")


class PlanDetail(_EngagementMixin, APIView):
    required_roles = STAFF

    @extend_schema(responses=RelapsePreventionPlanSerializer)
    def get(self, request, org, engagement_id):
        plan = selectors.plan_for(engagement=self.engagement())
        if plan is None:
            raise Http404("No relapse-prevention plan yet.")
        return Response(RelapsePreventionPlanSerializer(plan).data)


class AlertList(generics.ListAPIView):
    """Outstanding alerts the caller can see."""

    required_roles = STAFF
    serializer_class = CoachingAlertSerializer

    def get_queryset(self):
        return selectors.alert_list_for(membership=self.request.membership).order_by("-raised_at")


class AlertAcknowledge(APIView):
    required_roles = STAFF

    @extend_schema(request=None, responses=CoachingAlertSerializer)
    def post(self, request, org, coaching_alert_id):
        alert = selectors.alert_get_for(membership=request.membership, alert_id=coaching_alert_id)
        alert = call_service(services.alert_acknowledge, actor=request.user, alert=alert)
        return Response(CoachingAlertSerializer(alert).data)


class MyCheckIns(generics.ListAPIView):
    """The signed-in client's check-ins; POST records today's."""

    required_roles = frozenset({Role.CLIENT})
    serializer_class = CoachingCheckInSerializer

    def _engagement(self):
        engagement = selectors.engagement_for_portal(membership=self.request.membership)
        if engagement is None:
            raise Http404("No coaching engagement.")
        return engagement

    def get_queryset(self):
        return self._engagement().checkins.order_by("-day")

    @extend_schema(
        request=CoachingCheckInInputSerializer, responses={201: CoachingCheckInRecordedSerializer}
    )
    def post(self, request, org):
        engagement = self._engagement()
        data = validated(CoachingCheckInInputSerializer, request.data)
        checkin = call_service(
            services.checkin_record, actor=request.user, engagement=engagement, door="api", **data
        )
        if services.checkin_is_safety_event(checkin, engagement):
            checkin.safety_told = safety.told_or_crisis_sentence(
                safety_event_latest(client=engagement.client)
            )
        return created(CoachingCheckInRecordedSerializer, checkin)
