from rest_framework import serializers

from continuum.people.serializers import ClientRowSerializer
from continuum.tenancy.serializers import PublicIdSerializer, ReadOnlyFields, public_id_of, shown

from .models import Consent, Disclosure, InformationCategory, Purpose, RecipientKind
from .services import CONTENT_FIELDS


class ConsentSerializer(ReadOnlyFields, ClientRowSerializer):
    recipient_family_member = serializers.UUIDField(
        source="recipient_family_member.public_id", read_only=True, allow_null=True
    )
    status = shown()

    class Meta:
        model = Consent
        fields = [
            "id",
            "client",
            "status",
            *CONTENT_FIELDS,
            "revocation_acknowledged",
            "signature_method",
            "signed_name",
            "signed_at",
            "created_at",
            "revoked_at",
        ]


class ConsentCreateSerializer(serializers.Serializer):
    """A consent prepared for the client to sign in the portal. Completeness is checked
    by the service, which names each missing 42 CFR 2.31 element."""

    disclosing_program = serializers.CharField(max_length=200, required=False, allow_blank=True)
    information_categories = serializers.ListField(
        child=serializers.ChoiceField(choices=InformationCategory.choices), required=False
    )
    information_detail = serializers.CharField(required=False, allow_blank=True)
    recipient_kind = serializers.ChoiceField(choices=RecipientKind.choices, required=False)
    recipient_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    recipient_family_member = serializers.UUIDField(required=False, allow_null=True)
    purposes = serializers.ListField(
        child=serializers.ChoiceField(choices=Purpose.choices), required=False
    )
    purpose_detail = serializers.CharField(required=False, allow_blank=True)
    expires_on = serializers.DateField(required=False, allow_null=True)
    expiration_event = serializers.CharField(max_length=300, required=False, allow_blank=True)


class DisclosureSerializer(ReadOnlyFields, PublicIdSerializer):
    consent = public_id_of("consent")
    actor = shown("actor.email", field=serializers.EmailField, allow_null=True)
    # A plain string here: the purpose values are the consent's `purposes` enum.
    purpose = shown(help_text="One of the consent's purposes.")
    description = shown("description_text", help_text="In the language of the request.")

    class Meta:
        model = Disclosure
        fields = [
            "id",
            "disclosed_at",
            "recipient",
            "description",
            "purpose",
            "consent",
            "actor",
            "notice",
        ]
