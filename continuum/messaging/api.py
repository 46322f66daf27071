"""The messaging REST API, for staff and portal members alike: everyone sees only the
conversations they have a seat in (404 otherwise)."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from continuum.consent.refusals import record_consent_path
from continuum.consent.services import ConsentRequired
from continuum.tenancy.api import as_api_error

from . import selectors, services
from .serializers import (
    MessageInputSerializer,
    MessageSerializer,
    ThreadDetailSerializer,
    ThreadSerializer,
)


def _consent_refusal(request, exc: ConsentRequired) -> PermissionDenied:
    message = " ".join(exc.messages)
    if request.membership.is_staff_member:
        path = record_consent_path(organization=request.organization, refusal=exc)
        if path:
            message += f" Record it at {request.build_absolute_uri(path)}"
    else:
        message += " Ask your loved one or the team to set up a consent naming you."
    return PermissionDenied(message)


class _SeatMixin:
    def seat(self):
        return selectors.seat_get_for(
            membership=self.request.membership, thread_id=self.kwargs["thread_id"]
        )


class ThreadList(generics.ListAPIView):
    """My conversations, newest first, with unread counts."""

    serializer_class = ThreadSerializer

    def get_queryset(self):
        return selectors.seat_list_for(membership=self.request.membership)


class ThreadDetail(_SeatMixin, APIView):
    """One conversation with its messages (each read is audited). Reading here does not
    mark it read: POST …/read/ does."""

    @extend_schema(responses=ThreadDetailSerializer)
    def get(self, request, org, thread_id):
        seat = self.seat()
        try:
            shown = services.thread_open(actor=request.user, seat=seat, mark_read=False)
        except ConsentRequired as exc:
            raise _consent_refusal(request, exc) from exc
        seat.unread = sum(
            1
            for m in shown
            if m.author_id != request.user.pk
            and (seat.last_read_at is None or m.sent_at > seat.last_read_at)
        )
        data = ThreadDetailSerializer(
            {"seat": seat, "messages": shown}, context={"request": request}
        ).data
        return Response(data)


class MessageSend(_SeatMixin, APIView):
    @extend_schema(request=MessageInputSerializer, responses={201: MessageSerializer})
    def post(self, request, org, thread_id):
        seat = self.seat()
        data = MessageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            message = services.message_send(
                actor=request.user,
                membership=request.membership,
                seat=seat,
                body=data.validated_data["body"],
            )
        except ConsentRequired as exc:
            raise _consent_refusal(request, exc) from exc
        except ValidationError as exc:
            raise as_api_error(exc) from exc
        return Response(
            MessageSerializer(message, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class ThreadRead(_SeatMixin, APIView):
    @extend_schema(request=None, responses=ThreadSerializer)
    def post(self, request, org, thread_id):
        seat = services.thread_mark_read(actor=request.user, seat=self.seat())
        seat.unread = 0
        return Response(ThreadSerializer(seat).data)
