from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from continuum.tenancy.api import call_service, validated

from .selectors import notification_get_for, notification_inbox_for, preferences_get
from .serializers import InboxFilterSerializer, NotificationSerializer, PreferenceSerializer
from .services import notification_mark_all_read, notification_mark_read, preferences_update


class NotificationListView(generics.ListAPIView):
    """The caller's in-app notifications in this organization, newest first."""

    serializer_class = NotificationSerializer

    @extend_schema(parameters=[OpenApiParameter("unread", bool, description="Only unread ones")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = validated(InboxFilterSerializer, self.request.query_params)
        return notification_inbox_for(
            organization=self.request.organization,
            user=self.request.user,
            unread_only=params["unread"],
        )


class NotificationReadView(APIView):
    @extend_schema(request=None, responses=NotificationSerializer)
    def post(self, request, org, notification_id):
        notification = notification_get_for(
            organization=request.organization, user=request.user, notification_id=notification_id
        )
        notification = notification_mark_read(actor=request.user, notification=notification)
        return Response(NotificationSerializer(notification).data)


class NotificationReadAllView(APIView):
    @extend_schema(
        request=None,
        responses=inline_serializer("MarkedRead", {"marked": serializers.IntegerField()}),
    )
    def post(self, request, org):
        count = notification_mark_all_read(actor=request.user, organization=request.organization)
        return Response({"marked": count})


class NotificationPreferenceView(APIView):
    """The caller's channels per notification kind, quiet hours and SMS number. PUT
    replaces them all."""

    @extend_schema(responses=PreferenceSerializer)
    def get(self, request, org):
        preference = preferences_get(organization=request.organization, user=request.user)
        return Response(PreferenceSerializer(preference).data)

    @extend_schema(request=PreferenceSerializer, responses=PreferenceSerializer)
    def put(self, request, org):
        data = validated(PreferenceSerializer, request.data)
        preference = call_service(
            preferences_update, actor=request.user, organization=request.organization, **data
        )
        return Response(PreferenceSerializer(preference).data)
