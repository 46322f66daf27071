from rest_framework import serializers

from .models import FollowUp


class FollowUpSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    recorded_by = serializers.SerializerMethodField()

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "offset_days",
            "due_on",
            "status",
            "sent_at",
            "reminders_sent",
            "expires_at",
            "completed_at",
            "method",
            "recorded_by",
            "days_of_use",
            "returned_to_treatment",
            "emergency_care",
            "housing",
            "work_school",
            "legal_trouble",
            "quality_of_life",
            "barc10_answers",
            "barc10_total",
        ]
        read_only_fields = fields

    def get_recorded_by(self, obj) -> str | None:
        return obj.recorded_by.email if obj.recorded_by_id else None
