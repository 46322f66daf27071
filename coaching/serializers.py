from rest_framework import serializers

from continuum.people.serializers import ClientRowSerializer
from continuum.tenancy.serializers import PublicIdSerializer, ReadOnlyFields, public_id_of, shown

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


class CoachingEngagementSerializer(ReadOnlyFields, ClientRowSerializer):
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

    def get_coach(self, engagement) -> str | None:
        return engagement.coach.user.get_full_name() if engagement.coach_id else None


class CoachingContactSerializer(PublicIdSerializer):
    """Reads contacts and validates a new one; the service writes it."""

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


class CoachingCheckInSerializer(ReadOnlyFields, PublicIdSerializer):
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


class CoachingCheckInRecordedSerializer(CoachingCheckInSerializer):
    """The answer to a check-in: when it was a safety event (reported use, a craving at
    the threshold), who was told, in the client's words; else empty."""

    safety_told = shown(default="")

    class Meta(CoachingCheckInSerializer.Meta):
        fields = [*CoachingCheckInSerializer.Meta.fields, "safety_told"]


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


class RelapsePreventionPlanSerializer(ReadOnlyFields, serializers.ModelSerializer):
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


class CoachingAlertSerializer(ReadOnlyFields, PublicIdSerializer):
    engagement = public_id_of("engagement")
    client_name = shown("engagement.client.display_name")
    # In the language of the request, whoever raised it.
    detail = shown("detail_text")

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
