from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from continuum.tenancy.models import TenantModel
from continuum.tenancy.schema import tenant_constraints, tenant_index, user_ref

from .notice import PART2_NOTICE


class InformationCategory(models.TextChoices):
    """What may be disclosed: specific kinds of information, never "all records"."""

    ATTENDANCE = "attendance", _("Attendance and participation in treatment")
    STATUS = "status", _("Current phase of care and admission or discharge dates")
    DIAGNOSIS = "diagnosis", _("Substance-use diagnosis")
    TREATMENT_PLAN = "treatment_plan", _("Treatment and care plan")
    PROGRESS = "progress", _("Progress updates and recovery check-in summaries")
    MEDICATIONS = "medications", _("Medications, including medication for addiction treatment")
    ASSESSMENTS = "assessments", _("Assessment scores (PHQ-9, GAD-7, AUDIT-C, BAM)")
    TOXICOLOGY = "toxicology", _("Toxicology (drug test) results")
    APPOINTMENTS = "appointments", _("Appointments and referrals")
    DISCHARGE_SUMMARY = "discharge_summary", _("Discharge summary")
    CONTACT = "contact", _("Contact details")


class RecipientKind(models.TextChoices):
    NAMED_INDIVIDUAL = "named_individual", _("A named person")
    NAMED_ORGANIZATION = "named_organization", _("A named organization")
    TREATING_PROVIDERS = "treating_providers", _("My treating providers")
    FAMILY_MEMBER = "family_member", _("A family member")


class Purpose(models.TextChoices):
    TREATMENT = "treatment", _("Treatment")
    PAYMENT = "payment", _("Payment")
    HEALTH_CARE_OPERATIONS = "health_care_operations", _("Health care operations")
    CARE_COORDINATION = "care_coordination", _("Coordinating aftercare and referrals")
    FAMILY_INVOLVEMENT = "family_involvement", _("Keeping my family involved in my recovery")
    OTHER = "other", _("Other (described below)")


class SignatureMethod(models.TextChoices):
    PORTAL = "portal", _("Signed in the portal")
    PAPER = "paper", _("Signed on paper")


class ConsentStatus(models.TextChoices):
    AWAITING_SIGNATURE = "awaiting_signature", _("Awaiting signature")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class Consent(TenantModel):
    """A client's written consent to disclose, with every element 42 CFR 2.31 requires.

    Element fields are blank=True so that `clean()` (via `missing_elements`) alone words
    the refusal, one message per missing element.

    It is created complete but unsigned (awaiting the client's signature in the portal)
    or complete and signed (a paper consent recorded by staff with its scan)."""

    client = models.ForeignKey("people.Client", on_delete=models.PROTECT, related_name="consents")
    # 2.31(a)(2): who may disclose.
    disclosing_program = models.CharField(max_length=200, blank=True)
    # 2.31(a)(3): how much and what kind of information, specifically.
    information_categories = ArrayField(
        models.CharField(max_length=32, choices=InformationCategory.choices),
        default=list,
        blank=True,
    )
    information_detail = models.TextField(blank=True)
    # 2.31(a)(4): to whom.
    recipient_kind = models.CharField(max_length=32, choices=RecipientKind.choices, blank=True)
    recipient_name = models.CharField(max_length=200, blank=True)
    recipient_family_member = models.ForeignKey(
        "people.FamilyMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # 2.31(a)(5): purpose.
    purposes = ArrayField(
        models.CharField(max_length=32, choices=Purpose.choices), default=list, blank=True
    )
    purpose_detail = models.TextField(blank=True)
    # 2.31(a)(6): the right to revoke, and its limits, acknowledged.
    revocation_acknowledged = models.BooleanField(default=False)
    # 2.31(a)(7): a date, event or condition on which it expires.
    expires_on = models.DateField(null=True, blank=True)
    expiration_event = models.CharField(max_length=300, blank=True)
    # 2.31(a)(8)-(9): signature and date.
    signature_method = models.CharField(max_length=16, choices=SignatureMethod.choices, blank=True)
    signed_name = models.CharField(max_length=200, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_ip = models.GenericIPAddressField(null=True, blank=True)
    scan = models.FileField(upload_to="consent_scans/%Y/%m/", blank=True, max_length=255)
    scan_content_type = models.CharField(max_length=40, blank=True)
    recorded_by = user_ref(null=True)
    created_by = user_ref(null=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = user_ref(null=True)

    class Meta(TenantModel.Meta):
        ordering = ["-created_at", "-id"]
        indexes = [
            tenant_index("client", "-created_at", name="consent_org_client"),
        ]
        constraints = tenant_constraints(
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=False) | ~models.Q(expiration_event=""),
                name="consent_has_expiration",
            ),
            models.CheckConstraint(
                condition=models.Q(signed_at__isnull=True)
                | (~models.Q(signed_name="") & models.Q(revocation_acknowledged=True)),
                name="consent_signature_complete",
            ),
        )

    def __str__(self) -> str:
        return f"Consent {self.public_id} ({self.get_recipient_kind_display()})"

    def clean(self) -> None:
        errors = missing_elements(self)
        if errors:
            raise ValidationError(errors)

    def status_on(self, now=None) -> str:
        now = now or timezone.now()
        if self.revoked_at is not None and self.revoked_at <= now:
            return ConsentStatus.REVOKED
        if self.signed_at is None:
            return ConsentStatus.AWAITING_SIGNATURE
        if self.expires_on is not None and self.expires_on < timezone.localdate(now):
            return ConsentStatus.EXPIRED
        return ConsentStatus.ACTIVE

    @property
    def status(self) -> str:
        return self.status_on()

    @property
    def status_label(self) -> str:
        return str(ConsentStatus(self.status).label)

    @property
    def information_labels(self) -> list[str]:
        return [str(InformationCategory(c).label) for c in self.information_categories]

    @property
    def purpose_labels(self) -> list[str]:
        return [str(Purpose(p).label) for p in self.purposes]


def missing_elements(consent: Consent, *, signed: bool | None = None) -> dict[str, str]:
    """Field-level messages for each 2.31 element the consent lacks. The signature
    elements are checked once the consent is (being) signed."""
    errors: dict[str, str] = {}
    if consent.client_id is None:
        errors["client"] = _("Name the client whose records may be disclosed.")
    if not consent.disclosing_program.strip():
        errors["disclosing_program"] = _("Name the program or organization that may disclose.")
    if not consent.information_categories:
        errors["information_categories"] = _(
            "Choose the kinds of information that may be disclosed."
        )
    else:
        unknown = set(consent.information_categories) - set(InformationCategory.values)
        if unknown:
            errors["information_categories"] = (
                f"Unknown kind of information: {', '.join(sorted(unknown))}."
            )
    if consent.recipient_kind not in RecipientKind.values:
        errors["recipient_kind"] = _("Choose who may receive the information.")
    elif (
        consent.recipient_kind == RecipientKind.FAMILY_MEMBER
        and consent.recipient_family_member_id is None
    ):
        errors["recipient_family_member"] = _("Choose the family member who may receive it.")
    elif not consent.recipient_name.strip():
        errors["recipient_name"] = _("Name the person or organization who may receive it.")
    if not consent.purposes:
        errors["purposes"] = _("Choose the purpose of the disclosure.")
    elif set(consent.purposes) - set(Purpose.values):
        errors["purposes"] = _("Unknown purpose.")
    elif Purpose.OTHER in consent.purposes and not consent.purpose_detail.strip():
        errors["purpose_detail"] = _("Describe the other purpose.")
    if consent.expires_on is None and not consent.expiration_event.strip():
        errors["expires_on"] = _("Give a date or an event on which this consent expires.")
    if signed if signed is not None else consent.signed_at is not None:
        if not consent.revocation_acknowledged:
            errors["revocation_acknowledged"] = _(
                "The client must acknowledge the right to revoke this consent."
            )
        if not consent.signed_name.strip():
            errors["signed_name"] = _("Type the client's full name as the signature.")
        if consent.signature_method == SignatureMethod.PAPER and not consent.scan:
            errors["scan"] = _("Upload the scan of the signed paper consent.")
    return errors


class Disclosure(TenantModel):
    """One line of the accounting of disclosures (42 CFR 2.24/2.25): what went to whom,
    why, under which consent, and the 2.32 notice that went with it."""

    client = models.ForeignKey(
        "people.Client", on_delete=models.PROTECT, related_name="disclosures"
    )
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="disclosures")
    disclosed_at = models.DateTimeField(default=timezone.now)
    recipient = models.CharField(max_length=200)
    # The English sentence; pages show `description_text`, said from `kind` and `facts`
    # in the reader's language where the kind is registered (consent.descriptions).
    description = models.TextField()
    kind = models.CharField(max_length=60, blank=True)
    facts = models.JSONField(default=dict, blank=True)
    purpose = models.CharField(max_length=32, choices=Purpose.choices)
    actor = user_ref(null=True)
    notice = models.TextField(default=PART2_NOTICE)

    class Meta(TenantModel.Meta):
        ordering = ["-disclosed_at", "-id"]
        indexes = [
            tenant_index("client", "-disclosed_at", name="disclosure_org_client"),
        ]

    def __str__(self) -> str:
        return f"Disclosure to {self.recipient} at {self.disclosed_at:%Y-%m-%d}"

    @property
    def description_text(self) -> str:
        from .descriptions import describe

        return describe(self.kind, self.facts) or self.description
