"""Sober coaching: coaches, engagements, contacts, the client's daily check-ins and the
alerts that watch them. Every table leads its indexes with organization_id."""

import datetime

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from continuum.care.models import CareEpisode
from continuum.choices import Lifecycle
from continuum.fields import EncryptedTextField
from continuum.people.models import Client
from continuum.tenancy.models import Membership, TenantModel
from continuum.tenancy.schema import (
    bounded,
    tenant_constraints,
    tenant_index,
    tenant_unique,
    user_ref,
)


class Specialty(models.TextChoices):
    EXECUTIVE = "executive", _("Executives and professionals")
    ADOLESCENTS = "adolescents", _("Adolescents and young adults")
    LGBTQ = "lgbtq", _("LGBTQ+")
    FAITH_BASED = "faith_based", _("Faith-based")
    WOMEN = "women", _("Women")
    VETERANS = "veterans", _("Veterans")
    CO_OCCURRING = "co_occurring", _("Co-occurring mental health")
    OPIOIDS = "opioids", _("Opioid recovery")
    ALCOHOL = "alcohol", _("Alcohol")


class CoachProfile(TenantModel):
    """A sober coach's matching data. One per coaching membership."""

    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="coach_profiles"
    )
    specialties = ArrayField(
        models.CharField(max_length=32, choices=Specialty.choices), default=list, blank=True
    )
    languages = ArrayField(models.CharField(max_length=16), default=list, blank=True)
    lived_experience = models.BooleanField(default=False)
    bio = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    capacity = models.PositiveSmallIntegerField(
        default=8, help_text="How many active engagements this coach can hold."
    )
    availability = models.CharField(
        max_length=200, blank=True, help_text="e.g. 'Weekdays, evenings; weekends by arrangement'"
    )
    # Working hours in the organization's time zone; outside them the on-call coach is
    # alerted too when a client asks for help.
    hours_start = models.TimeField(default=datetime.time(8, 0))
    hours_end = models.TimeField(default=datetime.time(20, 0))
    on_call = models.BooleanField(
        default=False, help_text="Receives 'I need help now' alerts outside other coaches' hours."
    )
    accepting_clients = models.BooleanField(default=True)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            tenant_unique("membership", name="coaching_profile_one_per_member"),
        )

    def __str__(self) -> str:
        return f"Coach profile {self.membership_id}"

    def within_hours(self, moment: datetime.time) -> bool:
        if self.hours_start <= self.hours_end:
            return self.hours_start <= moment < self.hours_end
        return moment >= self.hours_start or moment < self.hours_end  # overnight shift


class Certification(TenantModel):
    coach = models.ForeignKey(CoachProfile, on_delete=models.CASCADE, related_name="certifications")
    name = models.CharField(max_length=200)
    issuer = models.CharField(max_length=200, blank=True)
    expires_on = models.DateField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        indexes = [
            tenant_index("expires_on", name="coaching_cert_expiry"),
        ]
        ordering = ["expires_on", "name"]

    def __str__(self) -> str:
        return self.name


class Intensity(models.TextChoices):
    WEEKLY = "weekly", _("Weekly phone or video")
    SEVERAL_WEEKLY = "several_weekly", _("Several times a week")
    DAILY = "daily", _("Daily")
    LIVE_IN = "live_in", _("24-hour in-person (live-in)")
    TRAVEL = "travel", _("Travel companion")


class EngagementStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    COMPLETED = "completed", _("Completed")
    ENDED_EARLY = "ended_early", _("Ended early")


ENGAGEMENT_TRANSITIONS = Lifecycle(
    EngagementStatus,
    {
        EngagementStatus.PROPOSED: (EngagementStatus.ACTIVE, EngagementStatus.ENDED_EARLY),
        EngagementStatus.ACTIVE: (
            EngagementStatus.PAUSED,
            EngagementStatus.COMPLETED,
            EngagementStatus.ENDED_EARLY,
        ),
        EngagementStatus.PAUSED: (
            EngagementStatus.ACTIVE,
            EngagementStatus.COMPLETED,
            EngagementStatus.ENDED_EARLY,
        ),
    },
)
# Proposed, active and paused.
OPEN_ENGAGEMENT_STATUSES = ENGAGEMENT_TRANSITIONS.open


class Engagement(TenantModel):
    """A client's work with a coach. At most one open (proposed, active or paused)
    engagement per client, so alerts and check-ins always have one home."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="engagements")
    episode = models.ForeignKey(
        CareEpisode,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="engagements",
    )
    coach = models.ForeignKey(
        Membership,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coaching_engagements",
    )
    intensity = models.CharField(
        max_length=20, choices=Intensity.choices, default=Intensity.SEVERAL_WEEKLY
    )
    status = models.CharField(
        max_length=20, choices=EngagementStatus.choices, default=EngagementStatus.PROPOSED
    )
    starts_on = models.DateField(default=timezone.localdate)
    planned_end_on = models.DateField(null=True, blank=True)
    goals = models.TextField(blank=True)
    includes_monitoring = models.BooleanField(
        default=False, help_text="Breathalyzer, urine or saliva tests are part of the work."
    )
    # Check-in schedule and alert thresholds.
    checkin_due_time = models.TimeField(
        default=datetime.time(21, 0), help_text="A day's check-in is missed after this time."
    )
    missed_checkin_days = bounded(
        1, 14, default=1, help_text="Alert after this many days running without a check-in."
    )
    missed_checkin_urgent = models.BooleanField(
        "Missed check-ins are a safety event",
        default=False,
        help_text=(
            "When the streak is reached, tell the responsible person at once and escalate "
            "until someone acknowledges, as for a request for help."
        ),
    )
    craving_threshold = bounded(1, 10, default=7)
    no_contact_days = bounded(
        1,
        30,
        default=3,
        help_text="Alert when the coach has not reached the client for this many days.",
    )
    acknowledge_within_minutes = bounded(
        5,
        24 * 60,
        default=60,
        help_text=(
            "Alerts that are not safety events (no contact, missed check-ins not marked "
            "urgent) go to the case manager after this long. Safety events escalate on the "
            "organization's window."
        ),
    )
    end_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    activated_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            tenant_unique(
                "client",
                condition=Q(status__in=["proposed", "active", "paused"]),
                name="coaching_engagement_one_open",
            ),
            models.CheckConstraint(
                condition=Q(planned_end_on__isnull=True)
                | Q(planned_end_on__gte=models.F("starts_on")),
                name="coaching_engagement_dates",
            ),
            models.CheckConstraint(
                condition=~Q(status="ended_early") | ~Q(end_reason=""),
                name="coaching_engagement_early_end_reason",
            ),
        )
        indexes = [
            tenant_index("coach", "status", name="coaching_eng_coach"),
            tenant_index("status", name="coaching_eng_status"),
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Engagement {self.public_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ENGAGEMENT_STATUSES

    @property
    def allowed_next_statuses(self) -> tuple[str, ...]:
        return ENGAGEMENT_TRANSITIONS[self.status]


class ContactKind(models.TextChoices):
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video")
    TEXT = "text", _("Text messages")
    IN_PERSON = "in_person", _("In person")
    ACCOMPANIMENT = "accompaniment", _("Accompaniment")


class AccompanimentKind(models.TextChoices):
    MEETING = "meeting", _("12-step or peer-support meeting")
    GROCERY = "grocery", _("Grocery store")
    APPOINTMENT = "appointment", _("Appointment")
    SOCIAL = "social", _("Social event")
    OTHER = "other", _("Other")


class RiskLevel(models.TextChoices):
    # A context, because Spanish words a level of risk differently from a mood ("Low").
    NONE = "none", pgettext_lazy("risk level", "None observed")
    LOW = "low", pgettext_lazy("risk level", "Low")
    MODERATE = "moderate", pgettext_lazy("risk level", "Moderate")
    HIGH = "high", pgettext_lazy("risk level", "High")


class FollowThrough(models.TextChoices):
    NOT_ASSESSED = "not_assessed", _("Not assessed")
    YES = "yes", _("Following the aftercare plan")
    PARTLY = "partly", _("Partly")
    NO = "no", _("Not following")


class Contact(TenantModel):
    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="contacts")
    kind = models.CharField(max_length=20, choices=ContactKind.choices)
    accompaniment = models.CharField(max_length=20, choices=AccompanimentKind.choices, blank=True)
    started_at = models.DateTimeField()
    duration_minutes = bounded(1, 24 * 60, field=models.PositiveIntegerField)
    summary = EncryptedTextField(blank=True)
    risk_observed = models.CharField(
        max_length=12, choices=RiskLevel.choices, default=RiskLevel.NONE
    )
    plan_follow_through = models.CharField(
        max_length=16, choices=FollowThrough.choices, default=FollowThrough.NOT_ASSESSED
    )
    logged_by = user_ref()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            models.CheckConstraint(
                condition=Q(kind="accompaniment") | Q(accompaniment=""),
                name="coaching_contact_accompaniment_kind",
            ),
        )
        indexes = [
            tenant_index("engagement", "-started_at", name="coaching_contact_eng"),
        ]
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} contact {self.started_at:%Y-%m-%d}"


class Fellowship(models.TextChoices):
    AA = "aa", _("Alcoholics Anonymous")
    NA = "na", _("Narcotics Anonymous")
    SMART = "smart", _("SMART Recovery")
    REFUGE = "refuge", _("Refuge Recovery")
    CELEBRATE = "celebrate", _("Celebrate Recovery")
    OTHER = "other", _("Other peer support")


class MeetingAttendance(TenantModel):
    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="meetings")
    fellowship = models.CharField(max_length=16, choices=Fellowship.choices)
    attended_on = models.DateField()
    note = models.CharField(max_length=300, blank=True)
    # Empty when the client reported it themselves.
    verified_by = user_ref(null=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        indexes = [
            tenant_index("engagement", "-attended_on", name="coaching_meeting_eng"),
        ]
        ordering = ["-attended_on", "-id"]

    @property
    def verified(self) -> bool:
        return self.verified_by_id is not None


class TestKind(models.TextChoices):
    BREATHALYZER = "breathalyzer", _("Breathalyzer")
    URINE = "urine", _("Urine")
    SALIVA = "saliva", _("Saliva")


class TestResult(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")
    INCONCLUSIVE = "inconclusive", _("Inconclusive")
    REFUSED = "refused", _("Refused")


class SobrietyTest(TenantModel):
    engagement = models.ForeignKey(
        Engagement, on_delete=models.PROTECT, related_name="sobriety_tests"
    )
    tested_on = models.DateField()
    kind = models.CharField(max_length=16, choices=TestKind.choices)
    result = models.CharField(max_length=16, choices=TestResult.choices)
    observed_by = user_ref()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        indexes = [
            tenant_index("engagement", "-tested_on", name="coaching_test_eng"),
        ]
        ordering = ["-tested_on", "-id"]


class Mood(models.IntegerChoices):
    VERY_LOW = 1, _("Very low")
    LOW = 2, _("Low")
    OKAY = 3, _("Okay")
    GOOD = 4, _("Good")
    GREAT = 5, _("Great")


class Sleep(models.TextChoices):
    POOR = "poor", _("Poor")
    FAIR = "fair", _("Fair")
    GOOD = "good", _("Good")


class CheckIn(TenantModel):
    """The client's daily check-in: one per engagement and local day."""

    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="checkins")
    day = models.DateField()
    sober = models.BooleanField()
    craving = bounded(0, 10)
    mood = models.PositiveSmallIntegerField(choices=Mood.choices)
    sleep = models.CharField(max_length=8, choices=Sleep.choices)
    triggers = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    meeting_attended = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            tenant_unique("engagement", "day", name="coaching_checkin_one_per_day"),
            models.CheckConstraint(
                condition=Q(craving__gte=0, craving__lte=10), name="coaching_checkin_craving"
            ),
        )
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"Check-in {self.day}"


class RelapsePreventionPlan(TenantModel):
    """Written with the coach; the client sees it one tap from the portal home."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="plans")
    triggers = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    warning_signs = models.TextField(blank=True)
    coping_strategies = models.TextField(blank=True)
    people_to_call = models.TextField(blank=True)
    reasons_for_recovery = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = user_ref(null=True)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            tenant_unique("engagement", name="coaching_plan_one_per_engagement"),
        )


class HighRiskEvent(TenantModel):
    """A day ahead that needs a plan: a wedding, a business trip, an anniversary."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="high_risk_events"
    )
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    plan = models.TextField(blank=True)
    extra_contacts = models.PositiveSmallIntegerField(
        default=1, validators=[MaxValueValidator(10)], help_text="Extra check-in calls that day."
    )
    created_by = user_ref()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        indexes = [
            tenant_index("engagement", "starts_at", name="coaching_event_eng"),
        ]
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return self.title


class AlertCause(models.TextChoices):
    MISSED_CHECKIN = "missed_checkin", _("Missed check-ins")
    CRAVING = "craving", _("High craving")
    REPORTED_USE = "reported_use", _("Reported use")
    HELP_NOW = "help_now", _("Asked for help now")
    NO_CONTACT = "no_contact", _("No contact with the coach")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLEARED = "cleared", _("Cleared")


class Alert(TenantModel):
    """One cause of concern for one engagement. The partial unique constraint keeps a
    single outstanding (open or acknowledged) alert per cause, so scans can run again
    and again without piling up duplicates."""

    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="alerts")
    cause = models.CharField(max_length=20, choices=AlertCause.choices)
    status = models.CharField(max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    # The English sentence as it was raised, kept for rows from before `facts` and for
    # readers of the table; pages and the API show `detail_text` in the reader's language.
    detail = models.CharField(max_length=300, blank=True)
    # What the detail says, as codes and numbers (a test's kind and day, a craving, a
    # count of days), so each reader gets it in their own language: see ALERT_DETAILS.
    facts = models.JSONField(default=dict, blank=True)
    raised_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = user_ref(null=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_to = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_reason = models.CharField(max_length=200, blank=True)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            tenant_unique(
                "engagement",
                "cause",
                condition=Q(status__in=["open", "acknowledged"]),
                name="coaching_alert_one_outstanding_per_cause",
            ),
        )
        indexes = [
            tenant_index(
                "status",
                "raised_at",
                name="coaching_alert_open",
                condition=Q(status="open"),
            ),
            tenant_index("engagement", "-raised_at", name="coaching_alert_eng"),
        ]
        ordering = ["-raised_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_cause_display()} ({self.status})"

    @property
    def is_outstanding(self) -> bool:
        return self.status != AlertStatus.CLEARED

    @property
    def detail_text(self) -> str:
        """The detail in the active language, from its facts; the stored sentence for
        a row whose facts could not be recovered."""
        return alert_detail(self.cause, self.facts) or self.detail

    @property
    def is_urgent(self) -> bool:
        """A safety event (coaching.services.is_safety_alert): told and escalated at once."""
        if self.cause in (AlertCause.HELP_NOW, AlertCause.REPORTED_USE, AlertCause.CRAVING):
            return True
        return self.cause == AlertCause.MISSED_CHECKIN and self.engagement.missed_checkin_urgent


def _day(value: str) -> str:
    from django.utils.formats import date_format

    return date_format(datetime.date.fromisoformat(value), "MONTH_DAY_FORMAT")


def _positive_test(facts: dict) -> str:
    return _("Positive %(kind)s test on %(day)s") % {
        "kind": str(TestKind(facts["test_kind"]).label).lower(),
        "day": _day(facts["tested_on"]),
    }


def _reported_use(facts: dict) -> str:
    if "test_kind" in facts:
        return _positive_test(facts)
    return _("Reported use in the check-in of %(day)s") % {"day": _day(facts["day"])}


def _craving(facts: dict) -> str:
    return _("Craving %(craving)s/10 on %(day)s") % {
        "craving": facts["craving"],
        "day": _day(facts["day"]),
    }


def _missed_checkin(facts: dict) -> str:
    return ngettext(
        "No check-in for %(days)d day", "No check-in for %(days)d days", facts["days"]
    ) % {"days": facts["days"]}


def _no_contact(facts: dict) -> str:
    return ngettext(
        "No contact with the coach for %(days)d day",
        "No contact with the coach for %(days)d days",
        facts["days"],
    ) % {"days": facts["days"]}


def _help_now(facts: dict) -> str:
    return _("Asked for help from the portal")


# One formatter per cause: `facts` in, the sentence in the active language out.
ALERT_DETAILS = {
    AlertCause.REPORTED_USE: _reported_use,
    AlertCause.CRAVING: _craving,
    AlertCause.MISSED_CHECKIN: _missed_checkin,
    AlertCause.NO_CONTACT: _no_contact,
    AlertCause.HELP_NOW: _help_now,
}


def alert_detail(cause: str, facts: dict) -> str:
    """An alert's detail in the active language; empty when there are no facts to say
    it from."""
    formatter = ALERT_DETAILS.get(cause)
    if not facts or formatter is None:
        return ""
    try:
        return str(formatter(facts))
    except (KeyError, TypeError, ValueError):
        return ""
