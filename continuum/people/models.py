from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from continuum.tenancy.models import Membership, Role, TenantModel
from continuum.tenancy.schema import (
    portal_user_ref,
    tenant_constraints,
    tenant_index,
    tenant_unique,
)


class Client(TenantModel):
    """The person in care ("your loved one" on family-facing pages)."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    pronouns = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    zip_code = models.CharField(max_length=10, blank=True)
    preferred_language = models.CharField(max_length=16, default="en")
    primary_substances = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    co_occurring_conditions = ArrayField(models.CharField(max_length=80), default=list, blank=True)
    risk_flags = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    portal_user = portal_user_ref(related_name="client_records")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        ordering = ["last_name", "first_name"]
        indexes = [
            tenant_index("last_name", "first_name", name="people_client_org_name"),
            tenant_index("portal_user", name="people_client_org_portal"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return client_display_name(self.first_name, self.last_name, self.preferred_name)


def client_display_name(first_name: str, last_name: str, preferred_name: str = "") -> str:
    """A client's name as pages show it, from the stored fields (for pages built from
    plain rows)."""
    return f"{preferred_name or first_name} {last_name}".strip()


class FamilyMember(TenantModel):
    """A relative or friend; may be linked to several clients (siblings)."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    preferred_language = models.CharField(max_length=16, default="en")
    portal_user = portal_user_ref(related_name="family_records")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        ordering = ["last_name", "first_name"]
        indexes = [
            tenant_index("email", name="people_family_org_email"),
            tenant_index("portal_user", name="people_family_org_portal"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Relationship(models.TextChoices):
    PARENT = "parent", _("Parent")
    SPOUSE_PARTNER = "spouse_partner", _("Spouse or partner")
    SIBLING = "sibling", _("Sibling")
    CHILD = "child", _("Adult child")
    GRANDPARENT = "grandparent", _("Grandparent")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    FRIEND = "friend", _("Friend")
    EMPLOYER = "employer", _("Employer or colleague")
    OTHER = "other", _("Other")


class FamilyRelationship(TenantModel):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="family_links")
    family_member = models.ForeignKey(
        FamilyMember, on_delete=models.CASCADE, related_name="client_links"
    )
    relationship = models.CharField(max_length=32, choices=Relationship.choices)
    is_primary_contact = models.BooleanField(default=False)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            tenant_unique("client", "family_member", name="people_family_link_unique"),
        )
        indexes = [
            tenant_index("family_member", name="people_family_link_member"),
        ]

    def __str__(self) -> str:
        return f"{self.family_member_id} -> {self.client_id} ({self.relationship})"


class CareTeamMember(TenantModel):
    """A staff member serving a client in one role from `started_on` until the day before
    `ended_on` (open-ended while empty). Access to the client follows this row."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="care_team")
    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="care_assignments"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    started_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="people_care_team_dates",
            ),
            tenant_unique(
                "client",
                "membership",
                "role",
                condition=models.Q(ended_on__isnull=True),
                name="people_care_team_one_open",
            ),
        )
        indexes = [
            tenant_index("membership", "client", name="people_care_team_member"),
            tenant_index("client", "role", name="people_care_team_client"),
        ]
        ordering = ["role", "started_on"]

    def __str__(self) -> str:
        return f"{self.membership_id} as {self.role} for {self.client_id}"

    def is_active_on(self, day) -> bool:
        return self.started_on <= day and (self.ended_on is None or self.ended_on > day)


class BreakGlassGrant(TenantModel):
    """Emergency access: a staff member not on the care team opened the record, with a
    reason, for a limited time. Every grant is audited and flagged to the org admins."""

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta(TenantModel.Meta):
        indexes = [
            tenant_index(
                "membership",
                "client",
                "expires_at",
                name="people_break_glass_active",
            ),
            tenant_index("created_at", name="people_break_glass_recent"),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"emergency access by {self.membership_id} to {self.client_id}"

    def is_active_at(self, when) -> bool:
        return self.created_at <= when < self.expires_at
