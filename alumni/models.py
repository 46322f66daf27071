from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from continuum.care.models import PhaseTransition, SafetyEvent
from continuum.people.models import Client
from continuum.tenancy.models import TenantModel
from continuum.tenancy.schema import (
    bounded,
    tenant_constraints,
    tenant_index,
    tenant_unique,
    user_ref,
)


class AlumniProfile(TenantModel):
    """What an alumnus keeps for the long run: the date their sobriety counts from and
    which messages they asked for. One row per client, changed in place; every change is
    in the audit trail."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    sobriety_date = models.DateField(null=True, blank=True)
    milestone_messages = models.BooleanField(default=False)
    monthly_checkin = models.BooleanField(default=False)
    updated_by = user_ref(null=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(tenant_unique("client", name="alumni_profile_one"))


class AlumniEvent(TenantModel):
    """A gathering for alumni: a meeting, a picnic, an online share."""

    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    location = models.CharField(max_length=300, blank=True)
    online_url = models.URLField(blank=True)
    description = models.TextField(blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True)
    created_by = user_ref(null=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        indexes = [tenant_index("starts_at", name="alumni_event_starts")]
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return self.title


class Answer(models.TextChoices):
    YES = "yes", pgettext_lazy("rsvp", "Yes, I will come")
    MAYBE = "maybe", pgettext_lazy("rsvp", "Maybe")
    NO = "no", pgettext_lazy("rsvp", "No, I cannot come")


class Rsvp(TenantModel):
    """One alumnus's answer to one event, changed in place."""

    event = models.ForeignKey(AlumniEvent, on_delete=models.CASCADE, related_name="rsvps")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(max_length=8, choices=Answer.choices)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(tenant_unique("event", "client", name="alumni_rsvp_one"))


class Doing(models.IntegerChoices):
    VERY_LOW = 1, _("Very low")
    LOW = 2, _("Low")
    OKAY = 3, _("Okay")
    GOOD = 4, _("Good")
    GREAT = 5, _("Great")


class MonthlyCheckIn(TenantModel):
    """An alumnus's monthly check-in: one per client and month (`month` is its first
    day, in the organization's time zone)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    month = models.DateField()
    doing = bounded(1, 5)
    still_sober = models.BooleanField()
    unsafe = models.BooleanField()
    needs = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            tenant_unique("client", "month", name="alumni_checkin_one_a_month"),
            models.CheckConstraint(condition=Q(doing__gte=1, doing__lte=5), name="alumni_doing"),
        )
        ordering = ["-month"]

    @property
    def shows_danger(self) -> bool:
        return self.unsafe or not self.still_sober


class HelpChoice(models.TextChoices):
    COACH = "coach", _("A sober coach again")
    SERVICES = "services", _("Help with services (case management)")
    STRUGGLING = "struggling", _("I'm struggling now")


class HelpRequest(TenantModel):
    """An alumnus asked for help again from the alumni home: what they asked for, and the
    transition back to aftercare it opened (none for "struggling now", which raises a
    safety event and keeps the phase)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=12, choices=HelpChoice.choices)
    transition = models.ForeignKey(
        PhaseTransition, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    safety_event = models.ForeignKey(
        SafetyEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        indexes = [tenant_index("client", "-created_at", name="alumni_help_client")]
        ordering = ["-created_at", "-id"]
