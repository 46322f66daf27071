from rest_framework import serializers

from continuum.tenancy.serializers import PublicIdSerializer, ReadOnlyFields, public_id_of, shown

from .forms import LANGUAGE_CHOICES
from .models import CareTeamMember, Client, FamilyRelationship, Relationship, client_display_name
from .services import CLIENT_FIELDS


# A row about one client: who it concerns, by public id and the name staff know.
class ClientRowSerializer(PublicIdSerializer):
    client = public_id_of("client")
    client_name = shown("client.display_name")


class ClientSerializer(ReadOnlyFields, PublicIdSerializer):
    class Meta:
        model = Client
        fields = [
            "id",
            "display_name",
            *CLIENT_FIELDS,
            "created_at",
        ]


# The list endpoint's hot path: the stored fields ClientSerializer shows, read as plain
# rows, and the same representation built without a field object per value.
CLIENT_LIST_VALUES = (
    "public_id",
    *(f for f in ClientSerializer.Meta.fields if f not in {"id", "display_name"}),
)
_DATE = serializers.DateField()
_DATETIME = serializers.DateTimeField()


def client_list_data(rows) -> list[dict]:
    """ClientSerializer's output for `values(*CLIENT_LIST_VALUES)` rows (the API tests
    check that the two agree)."""
    return [
        {
            "id": str(row["public_id"]),
            "first_name": row["first_name"],
            "last_name": row["last_name"],
            "preferred_name": row["preferred_name"],
            "display_name": client_display_name(
                row["first_name"], row["last_name"], row["preferred_name"]
            ),
            "date_of_birth": _DATE.to_representation(row["date_of_birth"])
            if row["date_of_birth"] is not None
            else None,
            "pronouns": row["pronouns"],
            "email": row["email"],
            "phone": row["phone"],
            "zip_code": row["zip_code"],
            "preferred_language": row["preferred_language"],
            "primary_substances": row["primary_substances"],
            "co_occurring_conditions": row["co_occurring_conditions"],
            "risk_flags": row["risk_flags"],
            "created_at": _DATETIME.to_representation(row["created_at"]),
        }
        for row in rows
    ]


class ClientInputSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    preferred_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    pronouns = serializers.CharField(max_length=40, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    zip_code = serializers.RegexField(r"^\d{5}(-\d{4})?$", required=False, allow_blank=True)
    preferred_language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, required=False)
    primary_substances = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False
    )
    co_occurring_conditions = serializers.ListField(
        child=serializers.CharField(max_length=80), required=False
    )
    risk_flags = serializers.ListField(child=serializers.CharField(max_length=60), required=False)


class FamilyLinkSerializer(ReadOnlyFields, serializers.ModelSerializer):
    id = public_id_of("family_member")
    first_name = shown("family_member.first_name")
    last_name = shown("family_member.last_name")
    email = shown("family_member.email", field=serializers.EmailField)
    phone = shown("family_member.phone")
    preferred_language = shown("family_member.preferred_language")

    class Meta:
        model = FamilyRelationship
        fields = [
            "id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "preferred_language",
            "relationship",
            "is_primary_contact",
        ]


class FamilyMemberInputSerializer(serializers.Serializer):
    family_member_id = serializers.UUIDField(
        required=False,
        help_text="Link an existing family member (e.g. a sibling's parent) instead.",
    )
    first_name = serializers.CharField(max_length=100, required=False)
    last_name = serializers.CharField(max_length=100, required=False)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    preferred_language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, required=False)
    relationship = serializers.ChoiceField(choices=Relationship.choices)
    is_primary_contact = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        if "family_member_id" not in attrs:
            missing = {
                n: "This field is required."
                for n in ("first_name", "last_name")
                if not attrs.get(n)
            }
            if missing:
                raise serializers.ValidationError(missing)
        return attrs


class CareTeamMemberSerializer(ReadOnlyFields, PublicIdSerializer):
    member_id = public_id_of("membership")
    name = shown("membership.user.full_name")

    class Meta:
        model = CareTeamMember
        fields = ["id", "member_id", "name", "role", "started_on", "ended_on"]
