from rest_framework import serializers

from continuum.people.serializers import ClientRowSerializer
from continuum.tenancy.serializers import PublicIdSerializer, ReadOnlyFields, public_id_of, shown

from .models import (
    AgendaItem,
    Intervention,
    InterventionOutcome,
    InterventionRequest,
    Letter,
    Outcome,
    Participant,
)
from .services import PLAN_FIELDS


class RequestSerializer(ReadOnlyFields, ClientRowSerializer):
    requester_name = shown("requester.display_name")
    episode = public_id_of("episode")

    class Meta:
        model = InterventionRequest
        fields = [
            "id",
            "client",
            "client_name",
            "requester_name",
            "episode",
            "relationship",
            "urgency",
            "danger_signs",
            "is_urgent",
            "status",
            "submitted_at",
            "submission_count",
            "first_contact_at",
            "decided_at",
            "referred_to",
        ]


class ParticipantSerializer(ReadOnlyFields, PublicIdSerializer):
    has_portal_access = serializers.SerializerMethodField()

    class Meta:
        model = Participant
        fields = [
            "id",
            "name",
            "role",
            "relationship",
            "speaking_order",
            "rsvp",
            "invited_at",
            "portal_invited_at",
            "has_portal_access",
        ]

    def get_has_portal_access(self, obj) -> bool:
        return obj.portal_invited_at is not None


class AgendaItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgendaItem
        fields = ["position", "title", "minutes"]


class OutcomeSerializer(ReadOnlyFields, PublicIdSerializer):
    class Meta:
        model = InterventionOutcome
        fields = ["id", "outcome", "recorded_at", "admission_date", "notes"]


class InterventionSerializer(ReadOnlyFields, ClientRowSerializer):
    request = public_id_of("request")
    interventionist = shown("interventionist.user.get_full_name")

    class Meta:
        model = Intervention
        fields = [
            "id",
            "request",
            "client",
            "client_name",
            "interventionist",
            # What the plan section writes (declared once, beside intervention_plan_update).
            *PLAN_FIELDS,
            "program_name",
            "bed_hold_date",
            "insurance_verification",
            "transport_provider",
            "pickup_at",
            "transport_dispatched_at",
            "outcome",
        ]


class InterventionDetailSerializer(InterventionSerializer):
    participants = ParticipantSerializer(many=True, read_only=True)
    agenda = AgendaItemSerializer(many=True, read_only=True)
    outcomes = OutcomeSerializer(many=True, read_only=True)

    class Meta(InterventionSerializer.Meta):
        fields = [*InterventionSerializer.Meta.fields, "participants", "agenda", "outcomes"]


class OutcomeInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    admission_date = serializers.DateField(required=False, allow_null=True, default=None)


class LetterSerializer(ReadOnlyFields, PublicIdSerializer):
    participant = public_id_of("participant")
    participant_name = shown("participant.name")

    class Meta:
        model = Letter
        fields = [
            "id",
            "participant",
            "participant_name",
            "body",
            "status",
            "reviewer_comment",
            "updated_at",
            "submitted_at",
            "approved_at",
        ]


class LetterInputSerializer(serializers.Serializer):
    body = serializers.CharField(allow_blank=True)
    submit = serializers.BooleanField(default=False)
