from rest_framework import serializers

from .models import Message, Participant
from .services import MAX_BODY


class ThreadSerializer(serializers.ModelSerializer):
    """A conversation as seen from the caller's seat in it."""

    id = serializers.UUIDField(source="thread.public_id", read_only=True)
    client = serializers.UUIDField(source="thread.client.public_id", read_only=True)
    client_name = serializers.CharField(source="thread.client.display_name", read_only=True)
    family_member = serializers.SerializerMethodField()
    counterpart_name = serializers.CharField(source="thread.counterpart_name", read_only=True)
    last_message_at = serializers.DateTimeField(source="thread.last_message_at", read_only=True)
    urgent_at = serializers.DateTimeField(source="thread.urgent_at", read_only=True)
    unread = serializers.IntegerField(read_only=True)

    class Meta:
        model = Participant
        fields = [
            "id",
            "client",
            "client_name",
            "family_member",
            "counterpart_name",
            "side",
            "last_message_at",
            "last_read_at",
            "urgent_at",
            "unread",
        ]
        read_only_fields = fields

    def get_family_member(self, seat) -> str | None:
        member = seat.thread.family_member
        return str(member.public_id) if member else None


class MessageSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    author_name = serializers.SerializerMethodField()
    mine = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "author_name", "side", "mine", "body", "sent_at"]
        read_only_fields = fields

    def get_author_name(self, message) -> str:
        return message.author.get_full_name() or message.author.email

    def get_mine(self, message) -> bool:
        return message.author_id == self.context["request"].user.pk


class ThreadDetailSerializer(serializers.Serializer):
    thread = ThreadSerializer(source="seat")
    messages = MessageSerializer(many=True)


class MessageInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=MAX_BODY, trim_whitespace=True)
