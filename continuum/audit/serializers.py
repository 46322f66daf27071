from rest_framework import serializers

from continuum.tenancy.serializers import PublicIdSerializer, ReadOnlyFields, public_id_of

from .export import EVENT_FIELDS
from .models import AuditEvent


class AuditEventSerializer(ReadOnlyFields, PublicIdSerializer):
    actor = public_id_of("actor", allow_null=True)

    class Meta:
        model = AuditEvent
        fields = ["id", "at", "actor", "actor_email", *EVENT_FIELDS]


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
