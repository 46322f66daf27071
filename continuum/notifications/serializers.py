from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from continuum.tenancy.serializers import PublicIdSerializer, ReadOnlyFields, shown

from .models import Channel, Notification


class NotificationSerializer(ReadOnlyFields, PublicIdSerializer):
    kind = shown("template")
    delivered_at = shown("in_app_delivered_at", field=serializers.DateTimeField)
    unread = shown("is_unread", field=serializers.BooleanField)

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


class InboxFilterSerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, default=False)


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
    }
)
class WallClockTimeField(serializers.TimeField):
    """A time of day in the organization's time zone. It has no UTC offset, so it is not
    OpenAPI's `format: time` (RFC 3339 full-time, which requires one)."""


class PreferenceSerializer(serializers.Serializer):
    channels_by_kind = serializers.DictField(
        child=serializers.ListField(child=serializers.ChoiceField(choices=Channel.choices)),
        required=False,
        default=dict,
    )
    quiet_hours_start = WallClockTimeField(required=False, allow_null=True, default=None)
    quiet_hours_end = WallClockTimeField(required=False, allow_null=True, default=None)
    sms_number = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
