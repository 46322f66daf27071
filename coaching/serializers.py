from rest_framework import serializers

from .models import (
    AccompanimentKind,
    Alert,
    CheckIn,
    Contact,
    ContactKind,
    Engagement,
    FollowThrough,
    Mood,
    RelapsePreventionPlan,
    RiskLevel,
    Sleep,
)
from .services.engagements import ENGAGEMENT_SETTINGS


class CoachingEngagementSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    client = serializers.UUIDField(source="client.public_id", read_only=True)
    client_name = serializers.CharField(source="client.display_name", read_only=True)
    coach = serializers.SerializerMethodField()

    class Meta:
        model = Engagement
        fields = [
            "id",
            "client",
            "client_name",
            "coach",
            "status",
            *ENGAGEMENT_SETTINGS,
            "end_reason",
            "created_at",
        ]
        read_only_fields = fields

    def get_coach(self, engagement) -> str | None:
        return engagement.coach.user.get_full_name() if engagement.coach_id else None


class CoachingContactSerializer(serializers.ModelSerializer):
    """Reads contacts and validates a new one; the service writes it."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    kind = serializers.ChoiceField(choices=ContactKind.choices)
    accompaniment = serializers.ChoiceField(
        choices=AccompanimentKind.choices, required=False, allow_blank=True, default=""
    )
    duration_minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    risk_observed = serializers.ChoiceField(choices=RiskLevel.choices, default=RiskLevel.NONE)
    plan_follow_through = serializers.ChoiceField(
        choices=FollowThrough.choices, default=FollowThrough.NOT_ASSESSED
    )

    class Meta:
        model = Contact
        fields = [
            "id",
            "kind",
            "accompaniment",
            "started_at",
            "duration_minutes",
            "summary",
            "risk_observed",
            "plan_follow_through",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]


class CoachingCheckInSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "day",
            "sober",
            "craving",
            "mood",
            "sleep",
            "triggers",
            "meeting_attended",
            "note",
            "created_at",
        ]
        read_only_fields = fields


class CoachingCheckInRecordedSerializer(CoachingCheckInSerializer):
    """The answer to a check-in: when it was a safety event (reported use, a craving at
    the threshold), who was told, in the client's words; else empty."""

    safety_told = serializers.CharField(read_only=True, default="")

    class Meta(CoachingCheckInSerializer.Meta):
        fields = [*CoachingCheckInSerializer.Meta.fields, "safety_told"]
        read_only_fields = fields


class CoachingCheckInInputSerializer(serializers.Serializer):
    sober = serializers.BooleanField()
    craving = serializers.IntegerField(min_value=0, max_value=10)
    mood = serializers.ChoiceField(choices=Mood.choices)
    sleep = serializers.ChoiceField(choices=Sleep.choices)
    triggers = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, default=list
    )
    meeting_attended = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class RelapsePreventionPlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = RelapsePreventionPlan
        fields = [
            "triggers",
            "warning_signs",
            "coping_strategies",
            "people_to_call",
            "reasons_for_recovery",
            "updated_at",
        ]
        read_only_fields = fields


class CoachingAlertSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    engagement = serializers.UUIDField(source="engagement.public_id", read_only=True)
    client_name = serializers.CharField(source="engagement.client.display_name", read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "engagement",
            "client_name",
            "cause",
            "status",
            "detail",
            "raised_at",
            "acknowledged_at",
            "escalated_at",
            "cleared_at",
        ]
        read_only_fields = fields
