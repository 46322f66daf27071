import uuid
import zoneinfo

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from .schema import (
    ORG_PUBLIC_ID,
    bounded,
    tenant_constraints,
    tenant_index,
    tenant_unique,
    user_ref,
)

DEFAULT_CRISIS_TEXT = (
    "If you or your loved one is in danger right now, call 911. "
    "For a suicidal or substance-use crisis, call or text 988 (Suicide & Crisis Lifeline)."
)


# First URL segments that belong to the platform, not to an organization.
RESERVED_SLUGS = frozenset(
    {"accounts", "admin", "api", "healthz", "media", "metrics", "organizations", "static", "fhir"}
)


def validate_slug_not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(f"{value!r} is reserved for the platform.")


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone.")


class Organization(models.Model):
    """A tenant: a treatment center or network. Every record belongs to exactly one."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=50, unique=True, validators=[validate_slug_not_reserved])
    name = models.CharField(max_length=200)
    timezone = models.CharField(
        max_length=64, default="America/New_York", validators=[validate_timezone]
    )
    staff_mfa_required = models.BooleanField(
        default=True,
        help_text="Staff must set up two-factor authentication before using the dashboard.",
    )
    intake_open = models.BooleanField(
        default=True, help_text="Families can send intervention requests."
    )
    crisis_line_text = models.TextField(default=DEFAULT_CRISIS_TEXT)
    response_time_hours = models.PositiveSmallIntegerField(
        default=24, help_text="Requests not answered within this many hours alert intake."
    )
    contact_phone = models.CharField(max_length=40, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_hours = models.CharField(
        max_length=200,
        blank=True,
        help_text="When families can reach you by phone, e.g. Monday to Friday, 8 am to 8 pm.",
    )
    # Automatic logoff (HIPAA 164.312(a)(2)(iii)) and emergency access.
    staff_idle_timeout_minutes = bounded(
        3,
        480,
        default=15,
        help_text="Staff are signed out after this many minutes without activity.",
    )
    portal_idle_timeout_minutes = bounded(
        3,
        1440,
        default=60,
        help_text="Families and clients are signed out after this many idle minutes.",
    )
    break_glass_minutes = bounded(
        5, 720, default=60, help_text="How long emergency access to a client record lasts."
    )
    api_token_days = bounded(
        1,
        365,
        verbose_name="API tokens expire after (days)",
        default=30,
        help_text="A new API token works for this many days; members then request another.",
    )
    # Safety events (continuum.care.safety): who is asked next when nobody acknowledges.
    safety_escalation_minutes = bounded(
        5,
        240,
        verbose_name="Safety escalation window (minutes)",
        default=15,
        help_text=(
            "A safety event nobody has acknowledged after this many minutes goes to the "
            "next responsible person, and finally to every admin."
        ),
    )
    # Asked when nobody on the on-call rota (continuum.care OnCallShift) covers the hour.
    on_call_fallback = models.ForeignKey(
        "Membership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="On-call fallback",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=django_timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def crisis_line_extra(self) -> str:
        """The organization's own crisis words, or "" when they only restate the
        platform's 911/988 line, which every page already shows translated."""
        text = " ".join(self.crisis_line_text.split())
        return "" if text == DEFAULT_CRISIS_TEXT else text


class Role(models.TextChoices):
    ORG_ADMIN = "org_admin", _("Organization admin")
    INTAKE_COORDINATOR = "intake_coordinator", _("Intake coordinator")
    INTERVENTIONIST = "interventionist", _("Interventionist")
    SOBER_COACH = "sober_coach", _("Sober coach")
    CASE_MANAGER = "case_manager", _("Case manager")
    FAMILY_MEMBER = "family_member", _("Family member")
    CLIENT = "client", _("Client")


PORTAL_ROLES = frozenset({Role.FAMILY_MEMBER, Role.CLIENT})
# Every other role works in the staff dashboard.
STAFF_ROLES = frozenset(Role) - PORTAL_ROLES


class TenantModel(models.Model):
    """Base for every tenant-owned table.

    The default manager refuses to query outside an organization scope, and the public
    id is unique per organization so every unique index leads with organization_id.
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, editable=False)

    objects = ScopedManager(organization="organization")

    class Meta:
        abstract = True
        constraints = [ORG_PUBLIC_ID]


class Membership(TenantModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    roles = ArrayField(models.CharField(max_length=32, choices=Role.choices), default=list)
    title = models.CharField(
        max_length=120, blank=True, help_text="Shown to colleagues, e.g. 'Executive coach'."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=django_timezone.now)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            tenant_unique("user", name="tenancy_membership_org_user"),
            models.CheckConstraint(
                condition=~models.Q(roles=[]), name="tenancy_membership_has_role"
            ),
        )
        ordering = ["user__email"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization_id}"

    def has_role(self, *roles: str) -> bool:
        return bool(set(self.roles) & set(roles))

    @property
    def is_staff_member(self) -> bool:
        return bool(set(self.roles) & STAFF_ROLES)

    @property
    def is_portal_member(self) -> bool:
        return bool(set(self.roles) & PORTAL_ROLES)

    @property
    def role_labels(self) -> list[str]:
        # In the language of the page asking, as plain text ready to join.
        return [str(Role(r).label) for r in self.roles]


class Invitation(TenantModel):
    """An e-mailed invitation to join with roles. Only a hash of the token is stored."""

    email = models.EmailField()
    roles = ArrayField(models.CharField(max_length=32, choices=Role.choices))
    token_hash = models.CharField(max_length=64)
    invited_by = user_ref()
    created_at = models.DateTimeField(default=django_timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = user_ref(null=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            tenant_unique("token_hash", name="tenancy_invitation_token"),
        )
        indexes = [tenant_index("email", name="tenancy_inv_org_email")]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email}"

    @property
    def role_labels(self) -> list[str]:
        return [str(Role(r).label) for r in self.roles if r in Role.values]

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= django_timezone.now():
            return "expired"
        return "pending"
