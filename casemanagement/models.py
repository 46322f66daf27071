from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from continuum.care.models import CareEpisode, Task
from continuum.fields import EncryptedTextField
from continuum.people.models import Client
from continuum.tenancy.models import Membership, TenantModel
from continuum.tenancy.schema import tenant_constraints, tenant_index, tenant_unique

from .instruments import INSTRUMENT_CHOICES

USER = settings.AUTH_USER_MODEL


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class CarePlan(TenantModel):
    """A client's aftercare plan. One active plan per client."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="care_plans")
    episode = models.ForeignKey(
        CareEpisode, null=True, blank=True, on_delete=models.PROTECT, related_name="care_plans"
    )
    case_manager = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.PROTECT, related_name="care_plans"
    )
    status = models.CharField(max_length=12, choices=PlanStatus.choices, default="active")
    recommendations = models.TextField(
        blank=True, help_text="The discharge (aftercare) recommendations the plan starts from."
    )
    review_interval_days = models.PositiveSmallIntegerField(default=30)
    next_review_on = models.DateField()
    last_reviewed_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            tenant_unique(
                "client",
                condition=models.Q(status="active"),
                name="cm_plan_one_active",
            ),
        )
        indexes = [
            tenant_index("status", "next_review_on", name="cm_plan_review"),
            tenant_index("case_manager", "status", name="cm_plan_cm"),
        ]
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"Care plan {self.public_id}"

    @property
    def acknowledged_current(self) -> bool:
        return self.acknowledged_at is not None and self.acknowledged_at >= self.updated_at


class Domain(models.TextChoices):
    RECOVERY = "recovery", _("Recovery")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    PHYSICAL_HEALTH = "physical_health", _("Physical health")
    MEDICATION = "medication", _("Medication")
    HOUSING = "housing", _("Housing")
    EMPLOYMENT_EDUCATION = "employment_education", _("Employment and education")
    LEGAL = "legal", _("Legal")
    FINANCES = "finances", _("Finances")
    FAMILY = "family", _("Family and relationships")
    LIFE_SKILLS = "life_skills", _("Life skills")
    SOCIAL_SUPPORT = "social_support", _("Social support")


class GoalStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ACHIEVED = "achieved", _("Achieved")
    DISCONTINUED = "discontinued", _("Discontinued")


class Goal(TenantModel):
    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="goals")
    domain = models.CharField(max_length=24, choices=Domain.choices)
    title = models.CharField(max_length=200)
    measure = models.CharField(max_length=200, blank=True, help_text="How progress is measured.")
    status = models.CharField(max_length=12, choices=GoalStatus.choices, default="active")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        indexes = [tenant_index("plan", name="cm_goal_plan")]
        ordering = ["domain", "created_at", "id"]

    def __str__(self) -> str:
        return self.title


class StepOwner(models.TextChoices):
    CASE_MANAGER = "case_manager", _("Case manager")
    CLIENT = "client", _("Client")
    PROVIDER = "provider", _("Provider")


class StepStatus(models.TextChoices):
    TODO = "todo", _("To do")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


OPEN_STEP_STATUSES = (StepStatus.TODO, StepStatus.IN_PROGRESS)


class GoalStep(TenantModel):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="steps")
    description = models.CharField(max_length=300)
    owner = models.CharField(max_length=16, choices=StepOwner.choices)
    provider = models.ForeignKey(
        "Provider", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=StepStatus.choices, default="todo")
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        indexes = [
            tenant_index("status", "due_on", name="cm_step_due"),
        ]
        ordering = ["due_on", "created_at", "id"]

    def __str__(self) -> str:
        return self.description


class ProgressNote(TenantModel):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    body = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        ordering = ["-created_at", "-id"]


class PlanReview(TenantModel):
    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    summary = models.TextField()
    reviewed_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        ordering = ["-reviewed_at", "-id"]


class ProviderKind(models.TextChoices):
    PSYCHIATRIST = "psychiatrist", _("Psychiatrist")
    THERAPIST = "therapist", _("Therapist or counselor")
    PRIMARY_CARE = "primary_care", _("Primary care")
    IOP_PHP = "iop_php", _("IOP / PHP program")
    MOUD_PRESCRIBER = "moud_prescriber", _("Medication-for-addiction prescriber")
    SOBER_LIVING = "sober_living", _("Sober living")
    LAB = "lab", _("Lab")
    PEER_SUPPORT = "peer_support", _("Peer support")
    OTHER = "other", _("Other")


# An IOP/PHP may treat substance use only: a co-occurring condition needs a dedicated
# mental-health provider.
MENTAL_HEALTH_KINDS = frozenset({ProviderKind.PSYCHIATRIST, ProviderKind.THERAPIST})


class Provider(TenantModel):
    """One of the client's outside providers."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="cm_providers")
    kind = models.CharField(max_length=20, choices=ProviderKind.choices)
    name = models.CharField(max_length=200, help_text="Person or program name.")
    practice = models.CharField(max_length=200, blank=True, help_text="Practice or organization.")
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=300, blank=True)
    # The referral directory's listing where one exists; a plain UUID keeps this app
    # independent of the directory's tables.
    listing_id = models.UUIDField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        indexes = [tenant_index("client", "kind", name="cm_provider_client")]
        ordering = ["kind", "name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_mental_health(self) -> bool:
        return self.kind in MENTAL_HEALTH_KINDS

    @property
    def recipient_name(self) -> str:
        return self.practice or self.name


class ContactKind(models.TextChoices):
    CALL = "call", _("Phone call")
    MESSAGE = "message", _("Message")
    RECORDS_SENT = "records_sent", _("Records sent")
    MEETING = "meeting", _("Meeting")
    CLIENT_CONTACT = "client_contact", _("Contact with the client")
    EMOTIONAL_SUPPORT = "emotional_support", _("Emotional support")
    PRACTICAL_SUPPORT = "practical_support", _("Practical support")
    LIFE_SKILLS = "life_skills", _("Life-skills session")


PROVIDER_CONTACT_KINDS = frozenset(
    {ContactKind.CALL, ContactKind.MESSAGE, ContactKind.RECORDS_SENT, ContactKind.MEETING}
)


class Direction(models.TextChoices):
    OUTBOUND = "outbound", _("Outbound")
    INBOUND = "inbound", _("Inbound")


class Contact(TenantModel):
    """The coordination and support log: every communication with a provider, and every
    contact with the client."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="cm_contacts")
    provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.PROTECT, related_name="contacts"
    )
    kind = models.CharField(max_length=20, choices=ContactKind.choices)
    direction = models.CharField(max_length=10, choices=Direction.choices, default="outbound")
    summary = EncryptedTextField()
    information = models.JSONField(default=list, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    disclosure = models.ForeignKey(
        "consent.Disclosure", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notice = models.TextField(blank=True)

    class Meta(TenantModel.Meta):
        indexes = [
            tenant_index("client", "-occurred_at", name="cm_contact_client"),
        ]
        ordering = ["-occurred_at", "-id"]

    @property
    def with_client(self) -> bool:
        return self.provider_id is None


PROVIDER_CONTACT_DISCLOSURE = "casemanagement.provider_contact"


def provider_contact_description(facts: dict) -> str:
    """An outbound provider contact in the accounting of disclosures, in the active
    language: "Records sent: Medications, ..., Discharge summary"."""
    from continuum.consent.models import InformationCategory

    information = ", ".join(str(InformationCategory(c).label) for c in facts["information"])
    return f"{ContactKind(facts['contact_kind']).label}: {information}"


class VisitType(models.TextChoices):
    OUTPATIENT = "outpatient", _("Outpatient visit")
    IOP = "iop", _("Intensive outpatient")
    PHP = "php", _("Partial hospitalization")
    TELEHEALTH = "telehealth", _("Telehealth visit")
    TELEPHONE = "telephone", _("Telephone visit")
    PEER_SUPPORT = "peer_support", _("Peer-support visit")
    LAB = "lab", _("Lab")
    OTHER = "other", _("Other")


# Visits that count as follow-up after residential discharge (HEDIS FUI-style).
FOLLOW_UP_VISIT_TYPES = frozenset(
    {
        VisitType.OUTPATIENT,
        VisitType.IOP,
        VisitType.PHP,
        VisitType.TELEHEALTH,
        VisitType.TELEPHONE,
        VisitType.PEER_SUPPORT,
    }
)


class Transport(models.TextChoices):
    NONE = "none", _("Not needed")
    CLIENT = "client", _("Client arranges")
    CASE_MANAGER = "case_manager", _("Case manager drives")
    RIDE_SERVICE = "ride_service", _("Ride service booked")
    PUBLIC_TRANSIT = "public_transit", _("Public transit")


class AppointmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    ATTENDED = "attended", _("Attended")
    MISSED = "missed", _("Missed")
    CANCELLED = "cancelled", _("Cancelled")
    RESCHEDULED = "rescheduled", _("Rescheduled")


class Appointment(TenantModel):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="cm_appointments")
    provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments"
    )
    visit_type = models.CharField(max_length=16, choices=VisitType.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(max_length=300, blank=True)
    telehealth_url = models.URLField(blank=True)
    transport = models.CharField(max_length=16, choices=Transport.choices, default="none")
    accompanied_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=12, choices=AppointmentStatus.choices, default="scheduled")
    rescheduled_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="cm_appointment_times"
            ),
        )
        indexes = [
            tenant_index("client", "starts_at", name="cm_appt_client"),
            tenant_index("accompanied_by", "starts_at", name="cm_appt_cm"),
            tenant_index("status", "starts_at", name="cm_appt_status"),
        ]
        ordering = ["starts_at", "id"]

    @property
    def case_manager_accompanies(self) -> bool:
        return self.accompanied_by_id is not None


class Medication(TenantModel):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="cm_medications")
    name = models.CharField(max_length=120)
    dose = models.CharField(max_length=80)
    schedule = models.CharField(max_length=120, help_text='e.g. "once daily in the morning"')
    prescriber = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.PROTECT, related_name="medications"
    )
    is_moud = models.BooleanField("Medication for addiction treatment", default=False)
    started_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True)
    refill_due_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        indexes = [
            tenant_index("client", name="cm_med_client"),
            tenant_index("refill_due_on", name="cm_med_refill"),
        ]
        ordering = ["-is_moud", "name", "id"]

    def __str__(self) -> str:
        return f"{self.name} {self.dose}"

    def is_current(self, day) -> bool:
        return self.started_on <= day and (self.ended_on is None or self.ended_on >= day)


class MedicationFill(TenantModel):
    """A refill picked up or a dose dispensed (a dispensing of medication for addiction
    treatment counts as follow-up after discharge)."""

    medication = models.ForeignKey(Medication, on_delete=models.CASCADE, related_name="fills")
    filled_on = models.DateField()
    # When this supply runs out: the days from `filled_on` up to it are covered (the
    # continuity-of-medication measure). Without it the fill covers its own day only.
    next_refill_due_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        ordering = ["-filled_on", "-id"]


class Adherence(models.TextChoices):
    ALL = "all", _("I took every dose")
    MOST = "most", _("I missed one or two doses")
    SOME = "some", _("I missed several doses")
    NONE = "none", _("I did not take it")


POOR_ADHERENCE = frozenset({Adherence.SOME, Adherence.NONE})


class AdherenceReport(TenantModel):
    medication = models.ForeignKey(
        Medication, on_delete=models.CASCADE, related_name="adherence_reports"
    )
    week_of = models.DateField()
    adherence = models.CharField(max_length=8, choices=Adherence.choices)
    note = models.CharField(max_length=300, blank=True)
    reported_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            tenant_unique("medication", "week_of", name="cm_adherence_once_a_week"),
        )
        ordering = ["-week_of", "-id"]


class AssessmentSource(models.TextChoices):
    PORTAL = "portal", _("Client, in the portal")
    STAFF = "staff", _("Entered by staff")


class Assessment(TenantModel):
    """One completed instrument with every item answer as given."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="cm_assessments")
    instrument = models.CharField(max_length=10, choices=INSTRUMENT_CHOICES)
    answers = models.JSONField()
    # Day counts as given for the BAM's day-count items (the API accepts days); `answers`
    # holds the codes derived from them.
    day_counts = models.JSONField(default=dict, blank=True)
    sex = models.CharField(max_length=8, blank=True, help_text="AUDIT-C is scored by sex.")
    total = models.PositiveSmallIntegerField(null=True, blank=True)
    band = models.CharField(max_length=24, blank=True)
    subscales = models.JSONField(default=dict, blank=True)
    flags = models.JSONField(default=list, blank=True)
    urgent = models.BooleanField(default=False)
    source = models.CharField(max_length=8, choices=AssessmentSource.choices)
    completed_at = models.DateTimeField(default=timezone.now)
    entered_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta(TenantModel.Meta):
        indexes = [
            tenant_index(
                "client",
                "instrument",
                "-completed_at",
                name="cm_assessment_client",
            ),
        ]
        ordering = ["-completed_at", "-id"]


class GapRule(models.TextChoices):
    FOLLOW_UP_7 = "follow_up_7", _("No follow-up visit within 7 days of discharge")
    FOLLOW_UP_30 = "follow_up_30", _("No follow-up visit within 30 days of discharge")
    MISSED_NOT_RESCHEDULED = "missed_not_rescheduled", _("Missed appointment not rescheduled")
    NO_MENTAL_HEALTH_PROVIDER = (
        "no_mental_health_provider",
        _("Co-occurring mental-health condition without a mental-health provider"),
    )
    PLAN_REVIEW_OVERDUE = "plan_review_overdue", _("Care plan review overdue")
    STEP_OVERDUE = "step_overdue", _("Goal step overdue")
    REFILL_OVERDUE = "refill_overdue", _("Medication refill overdue")
    NO_CONTACT = "no_contact", _("No case-manager contact")


class Gap(TenantModel):
    """A gap in care found by the scan. Open while `resolved_at` is empty; the subject
    key names what the gap is about, so the scan finds it again instead of adding one."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="cm_gaps")
    rule = models.CharField(max_length=32, choices=GapRule.choices)
    subject_key = models.CharField(max_length=120)
    detail = models.CharField(max_length=300, blank=True)
    owner = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    detected_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            tenant_unique(
                "rule",
                "subject_key",
                condition=models.Q(resolved_at__isnull=True),
                name="cm_gap_one_open",
            ),
        )
        indexes = [
            tenant_index("resolved_at", "detected_at", name="cm_gap_open"),
            tenant_index("client", "-detected_at", name="cm_gap_client"),
        ]
        ordering = ["detected_at", "id"]

    def __str__(self) -> str:
        return self.get_rule_display()

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class QuestionnaireAssignment(TenantModel):
    """A standard instrument a case manager or coach asks the client to answer in the
    portal by a day. Answered, it points at the scored `Assessment`, which the existing
    scoring and safety rules made; until then it is open, and overdue after `due_on`."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="cm_questionnaires")
    instrument = models.CharField(max_length=10, choices=INSTRUMENT_CHOICES)
    due_on = models.DateField()
    assigned_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)
    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            # One open request per instrument: a second would remind the client twice.
            tenant_unique(
                "client",
                "instrument",
                name="cm_questionnaire_one_open",
                condition=models.Q(answered_at__isnull=True),
            ),
            # An answer closes one request only.
            tenant_unique(
                "assessment",
                name="cm_questionnaire_one_answer",
                condition=models.Q(assessment__isnull=False),
            ),
        )
        indexes = [
            tenant_index("client", "due_on", name="cm_questionnaire_client"),
            tenant_index("due_on", name="cm_questionnaire_due"),
        ]
        ordering = ["due_on", "id"]

    def is_overdue(self, today) -> bool:
        return self.answered_at is None and self.due_on < today
