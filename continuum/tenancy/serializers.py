from rest_framework import serializers

from .models import Invitation, Membership, Role


def public_id_of(relation: str, **options) -> serializers.UUIDField:
    """A related row, shown by its public id and never written through this field."""
    return serializers.UUIDField(source=f"{relation}.public_id", read_only=True, **options)


# A tenant row goes out under its public id, never its sequential key. (A comment, not a
# docstring: the API schema would give every subclass that description.)
class PublicIdSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)


class MembershipSerializer(PublicIdSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices))

    class Meta:
        model = Membership
        fields = [
            "id",
            "organization",
            "email",
            "full_name",
            "roles",
            "title",
            "is_active",
            "created_at",
        ]
        read_only_fields = fields


class MembershipUpdateSerializer(serializers.Serializer):
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), allow_empty=False
    )
    title = serializers.CharField(max_length=120, required=False, allow_blank=True)


class InvitationSerializer(PublicIdSerializer):
    invited_by = serializers.EmailField(source="invited_by.email", read_only=True)

    class Meta:
        model = Invitation
        fields = ["id", "email", "roles", "invited_by", "created_at", "expires_at", "status"]
        read_only_fields = fields


class InvitationCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), allow_empty=False
    )


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, write_only=True)
    code = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Authenticator code, for accounts with two-factor login.",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Shown only once: store it now.")
    expires_at = serializers.DateTimeField()
