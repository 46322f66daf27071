from rest_framework import serializers

from .models import Invitation, Membership, Role


def shown(source: str | None = None, field=serializers.CharField, **options):
    """A value the API shows and never takes as input (text unless `field` says else)."""
    if source is not None:
        options["source"] = source
    return field(read_only=True, **options)


def public_id_of(relation: str, **options) -> serializers.UUIDField:
    """A related row, shown by its public id and never written through this field."""
    return serializers.UUIDField(source=f"{relation}.public_id", read_only=True, **options)


# Every listed field is read-only: writes go through an input serializer and a service.
# (Comments, not docstrings, on serializer bases: the API schema would give every
# subclass that description.)
class ReadOnlyFields:
    def get_extra_kwargs(self):
        extra = super().get_extra_kwargs()
        for name in self.Meta.fields:
            extra[name] = {**extra.get(name, {}), "read_only": True}
        return extra


# A tenant row goes out under its public id, never its sequential key. (A comment, not a
# docstring: the API schema would give every subclass that description.)
class PublicIdSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)


class MembershipSerializer(ReadOnlyFields, PublicIdSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    email = shown("user.email", field=serializers.EmailField)
    full_name = shown("user.full_name")
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


class MembershipUpdateSerializer(serializers.Serializer):
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), allow_empty=False
    )
    title = serializers.CharField(max_length=120, required=False, allow_blank=True)


class InvitationSerializer(ReadOnlyFields, PublicIdSerializer):
    invited_by = shown("invited_by.email", field=serializers.EmailField)

    class Meta:
        model = Invitation
        fields = ["id", "email", "roles", "invited_by", "created_at", "expires_at", "status"]


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
