from rest_framework import serializers

from continuum.people.serializers import ClientRowSerializer
from continuum.tenancy.serializers import PublicIdSerializer, ReadOnlyFields, public_id_of, shown

from .models import (
    CareEpisode,
    ClosedReason,
    DischargeType,
    Phase,
    PhaseTransition,
    Task,
)

# Output fields with choices are plain strings in the schema: the enums are documented
# once, on the input serializers, so the OpenAPI enum names stay unambiguous.


class PhaseTransitionSerializer(ReadOnlyFields, PublicIdSerializer):
    from_phase = shown()
    to_phase = shown()
    actor = shown("actor.email", field=serializers.EmailField, default=None)

    class Meta:
        model = PhaseTransition
        fields = ["id", "from_phase", "to_phase", "reason", "actor", "at", "details"]


class EpisodeSerializer(ReadOnlyFields, ClientRowSerializer):
    phase = shown()
    closed_reason = shown()
    discharge_type = shown()
    allowed_next_phases = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = CareEpisode
        fields = [
            "id",
            "client",
            "phase",
            "allowed_next_phases",
            "phase_changed_at",
            "opened_at",
            "closed_at",
            "closed_reason",
            "admission_date",
            "discharge_date",
            "residential_program",
            "residential_program_listing_id",
            "discharge_type",
        ]


class EpisodeDetailSerializer(EpisodeSerializer):
    transitions = PhaseTransitionSerializer(many=True, read_only=True)

    class Meta(EpisodeSerializer.Meta):
        fields = [*EpisodeSerializer.Meta.fields, "transitions"]


class EpisodeOpenSerializer(serializers.Serializer):
    client = serializers.UUIDField()
    phase = serializers.CharField(
        default=Phase.INQUIRY, help_text="The phase it starts in: inquiry unless admitted directly."
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class TransitionInputSerializer(serializers.Serializer):
    # Any phase name is accepted here; the service refuses illegal moves with a message
    # that names the allowed ones.
    to_phase = serializers.ChoiceField(choices=Phase.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    admission_date = serializers.DateField(required=False)
    discharge_date = serializers.DateField(required=False)
    residential_program = serializers.CharField(required=False, allow_blank=True, max_length=200)
    residential_program_listing_id = serializers.UUIDField(required=False)
    discharge_type = serializers.ChoiceField(choices=DischargeType.choices, required=False)
    closed_reason = serializers.ChoiceField(choices=ClosedReason.choices, required=False)


class TaskSerializer(ReadOnlyFields, PublicIdSerializer):
    client = public_id_of("client", default=None)
    client_name = shown("client.display_name", default=None)
    assignee = public_id_of("assignee", default=None)
    queue_role = shown()
    status = shown()
    priority = shown()

    class Meta:
        model = Task
        fields = [
            "id",
            "title",
            "detail",
            "client",
            "client_name",
            "assignee",
            "queue_role",
            "due_at",
            "status",
            "priority",
            "source",
            "created_at",
            "completed_at",
        ]


class TaskStatusSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="open, done or cancelled")
