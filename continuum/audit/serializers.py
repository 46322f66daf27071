from rest_framework import serializers

from continuum.tenancy.serializers import PublicIdSerializer

from .models import AuditEvent


class AuditEventSerializer(PublicIdSerializer):
    actor = serializers.UUIDField(source="actor.public_id", read_only=True, allow_null=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor",
            "actor_email",
            "action",
            "object_type",
            "object_id",
            "client_id",
            "ip",
            "user_agent",
            "request_id",
        ]
        read_only_fields = fields


class AuditFilterSerializer(serializers.Serializer):
    user = serializers.UUIDField(required=False)
    client = serializers.UUIDField(required=False)
    action = serializers.CharField(required=False, max_length=64)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)

    def validate(self, attrs):
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and start > end:
            raise serializers.ValidationError({"date_to": "The end date is before the start date."})
        return attrs
