from rest_framework import serializers

from continuum.people.serializers import ClientRowSerializer
from continuum.tenancy.serializers import PublicIdSerializer, public_id_of

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


class PhaseTransitionSerializer(PublicIdSerializer):
    from_phase = serializers.CharField(read_only=True)
    to_phase = serializers.CharField(read_only=True)
    actor = serializers.EmailField(source="actor.email", read_only=True, default=None)

    class Meta:
        model = PhaseTransition
        fields = ["id", "from_phase", "to_phase", "reason", "actor", "at", "details"]
        read_only_fields = fields


class EpisodeSerializer(ClientRowSerializer):
    phase = serializers.CharField(read_only=True)
    closed_reason = serializers.CharField(read_only=True)
    discharge_type = serializers.CharField(read_only=True)
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
        read_only_fields = fields


class EpisodeDetailSerializer(EpisodeSerializer):
    transitions = PhaseTransitionSerializer(many=True, read_only=True)

    class Meta(EpisodeSerializer.Meta):
        fields = [*EpisodeSerializer.Meta.fields, "transitions"]
        read_only_fields = fields


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


class TaskSerializer(PublicIdSerializer):
    client = public_id_of("client", default=None)
    client_name = serializers.CharField(source="client.display_name", read_only=True, default=None)
    assignee = public_id_of("assignee", default=None)
    queue_role = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    priority = serializers.CharField(read_only=True)

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
        read_only_fields = fields


class TaskStatusSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="open, done or cancelled")
