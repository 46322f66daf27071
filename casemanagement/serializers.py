from rest_framework import serializers

from . import instruments
from .models import Appointment, Assessment, CarePlan, Gap, Goal, GoalStep, Medication, Provider


class StepSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = GoalStep
        fields = ["id", "description", "owner", "due_on", "status", "completed_at"]


class GoalSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    steps = StepSerializer(many=True, read_only=True)

    class Meta:
        model = Goal
        fields = ["id", "domain", "title", "measure", "status", "steps"]


class PlanSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    goals = GoalSerializer(many=True, read_only=True)

    class Meta:
        model = CarePlan
        fields = [
            "id", "status", "recommendations", "review_interval_days", "next_review_on",
            "last_reviewed_at", "opened_at", "acknowledged_at", "goals",
        ]  # fmt: skip


class ProviderSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Provider
        fields = [
            "id",
            "kind",
            "name",
            "practice",
            "phone",
            "email",
            "address",
            "listing_id",
            "is_active",
        ]


class AppointmentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    provider = serializers.UUIDField(source="provider.public_id", read_only=True, default=None)

    class Meta:
        model = Appointment
        fields = [
            "id",
            "provider",
            "visit_type",
            "starts_at",
            "ends_at",
            "location",
            "telehealth_url",
            "transport",
            "case_manager_accompanies",
            "status",
        ]


class MedicationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Medication
        fields = [
            "id",
            "name",
            "dose",
            "schedule",
            "is_moud",
            "started_on",
            "ended_on",
            "refill_due_on",
        ]


class AssessmentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "instrument",
            "answers",
            "sex",
            "total",
            "band",
            "subscales",
            "flags",
            "urgent",
            "source",
            "completed_at",
        ]


class AssessmentRecordedSerializer(AssessmentSerializer):
    """The answer to recording one: for a safety event (PHQ-9 item 9 above 0), who was
    asked to follow up, in words for the person who entered it."""

    safety_told = serializers.CharField(read_only=True, default="")

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "safety_told"]


class AssessmentInputSerializer(serializers.Serializer):
    instrument = serializers.ChoiceField(choices=list(instruments.INSTRUMENTS))
    answers = serializers.DictField(child=serializers.IntegerField())
    sex = serializers.ChoiceField(choices=["", "female", "male"], required=False, default="")


class GapSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    client = serializers.UUIDField(source="client.public_id", read_only=True)
    owner = serializers.CharField(source="owner.user.email", read_only=True, default=None)

    class Meta:
        model = Gap
        fields = ["id", "client", "rule", "detail", "owner", "detected_at", "resolved_at"]
