from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from continuum.care.models import CareEpisode
from continuum.people.models import Client
from continuum.tenancy.models import TenantModel
from continuum.tenancy.schema import tenant_constraints, tenant_index, tenant_unique, user_ref

from .instruments import SUBSTANCES

DEFAULT_OFFSETS = [30, 90, 180, 365]
DEFAULT_REMINDER_DAYS = [3, 7]
DEFAULT_EXPIRE_AFTER_DAYS = 14


def default_offsets() -> list[int]:
    return list(DEFAULT_OFFSETS)


def default_reminder_days() -> list[int]:
    return list(DEFAULT_REMINDER_DAYS)


class OutcomesSettings(TenantModel):
    """An organization's follow-up schedule: days after discharge, when reminders go out
    after the first message, and how long a survey link stays open."""

    offsets_days = models.JSONField(default=default_offsets)
    reminder_days = models.JSONField(default=default_reminder_days)
    expire_after_days = models.PositiveSmallIntegerField(default=DEFAULT_EXPIRE_AFTER_DAYS)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(tenant_unique(name="outcomes_settings_one"))
        verbose_name_plural = "outcomes settings"


class AgreementSource(models.TextChoices):
    STAFF = "staff", _("Recorded by staff")
    PORTAL = "portal", _("Given by the client in the portal")


class FollowUpAgreement(TenantModel):
    """Whether the client agrees to be contacted for follow-up after discharge. One row
    per client, changed in place; every change is in the audit trail."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    agreed = models.BooleanField()
    source = models.CharField(max_length=8, choices=AgreementSource.choices)
    recorded_by = user_ref()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(tenant_unique("client", name="outcomes_agreement_one"))


class FollowUpStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SENT = "sent", _("Sent, waiting for an answer")
    COMPLETED = "completed", _("Answered")
    UNREACHED = "unreached", _("Not reached")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (FollowUpStatus.SCHEDULED, FollowUpStatus.SENT)


class Method(models.TextChoices):
    LINK = "link", _("Signed link")
    PORTAL = "portal", _("Portal")
    PHONE = "phone", _("By phone, entered by staff")


class Housing(models.TextChoices):
    OWN = "own", _("My own home or apartment (owned or rented)")
    FAMILY = "family", _("With family or friends")
    RECOVERY = "recovery", _("Sober living or a recovery residence")
    INSTITUTION = "institution", _("A treatment program, hospital or jail")
    UNSTABLE = "unstable", _("No stable place (shelter, street, couch to couch)")


class WorkSchool(models.TextChoices):
    FULL_TIME = "full_time", _("Working full time")
    PART_TIME = "part_time", _("Working part time")
    SCHOOL = "school", _("In school or training")
    LOOKING = "looking", _("Not working, looking for work")
    NOT_WORKING = "not_working", _("Not working and not looking (retired, disabled, caring)")


class FollowUp(TenantModel):
    """One follow-up of the client's schedule (30, 90, ... days after discharge): when it
    is due, how far its messages went, and the client's answers once given.

    The signed link carries `link_nonce`; answering clears it, so a link works once."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey(CareEpisode, on_delete=models.PROTECT, related_name="+")
    offset_days = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.SCHEDULED
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)
    link_nonce = models.CharField(max_length=32, blank=True)
    # Answers
    completed_at = models.DateTimeField(null=True, blank=True)
    method = models.CharField(max_length=8, choices=Method.choices, blank=True)
    recorded_by = user_ref(null=True)
    days_of_use = models.JSONField(default=dict, blank=True)
    returned_to_treatment = models.BooleanField(null=True)
    emergency_care = models.BooleanField(null=True)
    housing = models.CharField(max_length=12, choices=Housing.choices, blank=True)
    work_school = models.CharField(max_length=12, choices=WorkSchool.choices, blank=True)
    legal_trouble = models.BooleanField(null=True)
    quality_of_life = models.PositiveSmallIntegerField(null=True, blank=True)
    barc10_answers = models.JSONField(default=dict, blank=True)
    barc10_total = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            tenant_unique("episode", "offset_days", name="outcomes_followup_one_per_offset"),
        )
        indexes = [
            tenant_index("status", "due_on", name="outcomes_followup_due"),
            tenant_index("client", "due_on", name="outcomes_followup_client"),
        ]
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.offset_days}-day follow-up {self.public_id}"

    @property
    def days_of_use_display(self) -> list[tuple[str, int]]:
        """Days of use as answered, in the survey's order, each with its substance's name."""
        return [
            (label, self.days_of_use[key]) for key, label in SUBSTANCES if key in self.days_of_use
        ]

    @property
    def is_open(self) -> bool:
        """Still waiting for an answer: scheduled, or sent with its link not yet closed."""
        if self.status == FollowUpStatus.SENT:
            return self.expires_at is not None and timezone.now() < self.expires_at
        return self.status in OPEN_STATUSES
