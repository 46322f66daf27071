from rest_framework import serializers

from .models import Channel, Notification


class NotificationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    kind = serializers.CharField(source="template", read_only=True)
    delivered_at = serializers.DateTimeField(source="in_app_delivered_at", read_only=True)
    unread = serializers.BooleanField(source="is_unread", read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "subject",
            "body",
            "url",
            "urgent",
            "delivered_at",
            "read_at",
            "unread",
        ]
        read_only_fields = fields


class InboxFilterSerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, default=False)


class PreferenceSerializer(serializers.Serializer):
    channels_by_kind = serializers.DictField(
        child=serializers.ListField(child=serializers.ChoiceField(choices=Channel.choices)),
        required=False,
        default=dict,
    )
    quiet_hours_start = serializers.TimeField(required=False, allow_null=True, default=None)
    quiet_hours_end = serializers.TimeField(required=False, allow_null=True, default=None)
    sms_number = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
