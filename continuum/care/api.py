from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from continuum.audit.mixins import AuditedListMixin
from continuum.audit.services import audit_read
from continuum.people.selectors import client_get_for
from continuum.tenancy.api import SelectorListView, as_api_error, call_service, created, validated
from continuum.tenancy.models import STAFF_ROLES

from .selectors import episode_get_for, episode_list_for, task_get_for, task_list_for
from .serializers import (
    EpisodeDetailSerializer,
    EpisodeOpenSerializer,
    EpisodeSerializer,
    PhaseTransitionSerializer,
    TaskSerializer,
    TaskStatusSerializer,
    TransitionInputSerializer,
)
from .services import episode_open, episode_transition, task_set_status


class EpisodeListView(AuditedListMixin, SelectorListView):
    """Episodes of the clients the caller may see; POST opens one."""

    required_roles = STAFF_ROLES
    serializer_class = EpisodeSerializer
    selector = episode_list_for

    def audit_client_id(self, obj):
        return obj.client.public_id

    @extend_schema(request=EpisodeOpenSerializer, responses={201: EpisodeSerializer})
    def post(self, request, org):
        data = validated(EpisodeOpenSerializer, request.data)
        values = dict(data)
        try:
            client = client_get_for(membership=request.membership, client_id=values.pop("client"))
        except Http404:
            # A client the caller cannot see is, to them, unknown.
            raise as_api_error(ValidationError({"client": "No such client."})) from None
        episode = call_service(episode_open, actor=request.user, client=client, **values)
        return created(EpisodeSerializer, episode)


class EpisodeDetailView(APIView):
    required_roles = STAFF_ROLES

    @extend_schema(responses=EpisodeDetailSerializer)
    def get(self, request, org, episode_id):
        episode = episode_get_for(membership=request.membership, episode_id=episode_id)
        audit_read(
            actor=request.user,
            organization=request.organization,
            obj=episode,
            client_id=episode.client.public_id,
        )
        return Response(EpisodeDetailSerializer(episode).data)


class EpisodeTransitionView(APIView):
    """Move the episode to another phase. Illegal moves get 400 with the allowed ones."""

    required_roles = STAFF_ROLES

    @extend_schema(request=TransitionInputSerializer, responses={201: PhaseTransitionSerializer})
    def post(self, request, org, episode_id):
        episode = episode_get_for(membership=request.membership, episode_id=episode_id)
        data = validated(TransitionInputSerializer, request.data)
        transition = call_service(episode_transition, actor=request.user, episode=episode, **data)
        return created(PhaseTransitionSerializer, transition)


class TaskListView(SelectorListView):
    """My open tasks: assigned to me or queued for a role I hold, overdue first."""

    required_roles = STAFF_ROLES
    serializer_class = TaskSerializer
    selector = task_list_for


class TaskDetailView(APIView):
    required_roles = STAFF_ROLES

    @extend_schema(responses=TaskSerializer)
    def get(self, request, org, task_id):
        task = task_get_for(membership=request.membership, task_id=task_id)
        return Response(TaskSerializer(task).data)

    @extend_schema(request=TaskStatusSerializer, responses=TaskSerializer)
    def patch(self, request, org, task_id):
        task = task_get_for(membership=request.membership, task_id=task_id)
        data = validated(TaskStatusSerializer, request.data)
        task = call_service(task_set_status, actor=request.user, task=task, status=data["status"])
        return Response(TaskSerializer(task).data)
