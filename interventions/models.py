from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from continuum.care.models import CareEpisode
from continuum.fields import EncryptedTextField
from continuum.people.models import Client, FamilyMember, Relationship
from continuum.tenancy.models import Membership, TenantModel
from continuum.tenancy.schema import tenant_constraints, tenant_index, tenant_unique, user_ref


class DangerSign(models.TextChoices):
    OVERDOSE = "overdose", _("A recent overdose, or near-overdose")
    SUICIDAL = "suicidal", _("Talk of suicide or of wanting to die")
    VIOLENCE = "violence", _("Violence, threats, or weapons")
    WITHDRAWAL = "withdrawal", _("Shaking, seizures or severe sickness when stopping (withdrawal)")


class Urgency(models.TextChoices):
    THIS_WEEK = "this_week", _("We need help this week")
    THIS_MONTH = "this_month", _("Within the next few weeks")
    EXPLORING = "exploring", _("We are exploring our options")


class RequestStatus(models.TextChoices):
    NEW = "new", _("New")
    ACCEPTED = "accepted", _("Accepted")
    REFERRED = "referred", _("Referred elsewhere")
    CLOSED = "closed", _("Closed")


class InterventionRequest(TenantModel):
    """A family's request for an intervention, as they wrote it. A repeat submission
    within a day merges into the same row rather than opening a second episode."""

    episode = models.ForeignKey(
        CareEpisode, on_delete=models.PROTECT, related_name="intervention_requests"
    )
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    requester = models.ForeignKey(FamilyMember, on_delete=models.PROTECT, related_name="+")
    relationship = models.CharField(max_length=32, choices=Relationship.choices)
    loved_one_age = models.PositiveSmallIntegerField(null=True, blank=True)
    substances = models.CharField(max_length=300, blank=True)
    duration = models.CharField(max_length=200, blank=True)
    prior_treatment = models.TextField(blank=True)
    recent_events = models.TextField(blank=True)
    others_involved = models.TextField(blank=True)
    urgency = models.CharField(max_length=16, choices=Urgency.choices)
    danger_signs = ArrayField(
        models.CharField(max_length=16, choices=DangerSign.choices), default=list, blank=True
    )
    is_urgent = models.BooleanField(default=False)
    insurance = models.CharField(max_length=200, blank=True)
    preferred_contact_times = models.CharField(max_length=200, blank=True)
    consent_to_contact = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=RequestStatus.choices, default="new")
    submitted_at = models.DateTimeField(default=timezone.now)
    last_submitted_at = models.DateTimeField(default=timezone.now)
    submission_count = models.PositiveSmallIntegerField(default=1)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = user_ref(null=True)
    decision_note = models.TextField(blank=True)
    referred_to = models.CharField(max_length=200, blank=True)
    overdue_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        indexes = [
            tenant_index(
                "status",
                "-is_urgent",
                "submitted_at",
                name="interv_request_queue",
            ),
            tenant_index("requester", "client", name="interv_request_dup"),
        ]
        ordering = ["-is_urgent", "submitted_at"]

    def __str__(self) -> str:
        return f"Request {self.public_id}"

    @property
    def reference(self) -> str:
        """What a family reads out on the phone: short, and enough for staff to find it."""
        return str(self.public_id)[:8].upper()

    @property
    def danger_sign_labels(self) -> list[str]:
        return [DangerSign(s).label for s in self.danger_signs if s in DangerSign.values]


class InterventionModel(models.TextChoices):
    JOHNSON = "johnson", _("Johnson-style")
    ARISE = "arise", _("ARISE (invitational)")
    CRAFT = "craft", _("CRAFT (family skills)")
    OTHER = "other", _("Other")


MODEL_STEPS = {
    InterventionModel.JOHNSON: [
        "Intake with the family",
        "Choose the team and the location",
        "Education and rehearsal meetings",
        "Letters written and reviewed",
        "Treatment and transport arranged",
        "The intervention",
        "Admission, or the family's response plan",
    ],
    InterventionModel.ARISE: [
        "Level I: the first call and the invitation to the loved one",
        "Level II: family meetings with the loved one invited (2-5 sessions)",
        "Level III: a formal intervention if Levels I and II did not lead to treatment",
        "Admission, or the family's response plan",
    ],
    InterventionModel.CRAFT: [
        "Intake with the family",
        "Functional analysis of use",
        "Positive communication skills",
        "Rewarding sobriety, allowing natural consequences",
        "Safety planning and self-care",
        "Inviting the loved one into treatment",
    ],
    InterventionModel.OTHER: ["Intake with the family", "Planning", "The intervention", "Outcome"],
}


class InsuranceVerification(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    PENDING = "pending", _("Pending")
    VERIFIED = "verified", _("Verified")
    DENIED = "denied", _("Denied")
    SELF_PAY = "self_pay", _("Self-pay")


class Outcome(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted treatment")
    DECLINED = "declined", _("Declined")
    POSTPONED = "postponed", _("Postponed")


class Intervention(TenantModel):
    """The plan an interventionist builds with the family, and its outcome."""

    request = models.ForeignKey(
        InterventionRequest, on_delete=models.PROTECT, related_name="interventions"
    )
    episode = models.ForeignKey(CareEpisode, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    interventionist = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    model = models.CharField(
        max_length=12, choices=InterventionModel.choices, default=InterventionModel.JOHNSON
    )
    arise_level = models.PositiveSmallIntegerField(default=1)
    # Intake with the family.
    # The intake narrative is encrypted at rest (continuum/fields.py).
    addiction_nature = EncryptedTextField(blank=True)
    family_impact = EncryptedTextField(blank=True)
    history = EncryptedTextField(blank=True)
    risks = EncryptedTextField(blank=True)
    intake_notes = EncryptedTextField(blank=True)
    intake_completed_at = models.DateTimeField(null=True, blank=True)
    # The day.
    scheduled_at = models.DateTimeField(null=True, blank=True)
    location = models.CharField(max_length=300, blank=True)
    video_link = models.URLField(blank=True)
    # Treatment prearranged.
    program_name = models.CharField(max_length=200, blank=True)
    program_listing_id = models.UUIDField(null=True, blank=True)
    bed_hold_date = models.DateField(null=True, blank=True)
    insurance_verification = models.CharField(
        max_length=12, choices=InsuranceVerification.choices, default="not_started"
    )
    admission_contact = models.CharField(max_length=200, blank=True)
    # Transport prearranged.
    transport_provider = models.CharField(max_length=200, blank=True)
    pickup_at = models.DateTimeField(null=True, blank=True)
    pickup_place = models.CharField(max_length=300, blank=True)
    escort = models.CharField(max_length=200, blank=True)
    transport_dispatched_at = models.DateTimeField(null=True, blank=True)
    # Outcome (the latest; every one is kept in InterventionOutcome).
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            tenant_unique("request", name="interv_one_per_request"),
        )
        indexes = [
            tenant_index("interventionist", name="interv_by_interventionist"),
            tenant_index("client", name="interv_by_client"),
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Intervention {self.public_id}"

    @property
    def steps(self) -> list[str]:
        return MODEL_STEPS[self.model]

    @property
    def response_plan(self):
        # Prefetched by the detail selector; one plan per intervention at most.
        plans = list(self.response_plans.all())
        return plans[0] if plans else None


class AgendaItem(TenantModel):
    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    minutes = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["position", "id"]


class ParticipantRole(models.TextChoices):
    FAMILY = "family", _("Family")
    FRIEND = "friend", _("Friend")
    EMPLOYER = "employer", _("Employer or colleague")
    CLERGY = "clergy", _("Clergy or faith leader")
    OTHER = "other", _("Other")


class Rsvp(models.TextChoices):
    PENDING = "pending", _("Not answered yet")
    YES = "yes", _("Will attend")
    NO = "no", _("Cannot attend")
    MAYBE = "maybe", _("Maybe")


class Participant(TenantModel):
    intervention = models.ForeignKey(
        Intervention, on_delete=models.CASCADE, related_name="participants"
    )
    family_member = models.ForeignKey(
        FamilyMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    role = models.CharField(max_length=12, choices=ParticipantRole.choices)
    relationship = models.CharField(max_length=100, blank=True)
    speaking_order = models.PositiveSmallIntegerField(null=True, blank=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    portal_invited_at = models.DateTimeField(null=True, blank=True)
    rsvp = models.CharField(max_length=8, choices=Rsvp.choices, default=Rsvp.PENDING)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            tenant_unique(
                "intervention",
                "family_member",
                condition=models.Q(family_member__isnull=False),
                name="interv_participant_once",
            ),
        )
        ordering = [models.F("speaking_order").asc(nulls_last=True), "name"]

    def __str__(self) -> str:
        return self.name


class SessionKind(models.TextChoices):
    PLANNING = "planning", _("Planning meeting")
    EDUCATION = "education", _("Education session")
    CRAFT = "craft", _("CRAFT skills session")
    FOLLOW_UP = "follow_up", _("Family follow-up check-in")


class EducationSession(TenantModel):
    intervention = models.ForeignKey(
        Intervention, on_delete=models.CASCADE, related_name="sessions"
    )
    kind = models.CharField(max_length=12, choices=SessionKind.choices)
    starts_at = models.DateTimeField()
    topics = models.TextField(blank=True)
    materials = models.TextField(blank=True, help_text="Shared with participants in the portal.")
    attendees = models.ManyToManyField(Participant, blank=True, related_name="sessions_attended")

    class Meta(TenantModel.Meta):
        ordering = ["starts_at"]


class LetterStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")


class Letter(TenantModel):
    """What one participant will say. Only its author and the interventionist read it."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="letters")
    author = user_ref()
    body = EncryptedTextField(blank=True)
    status = models.CharField(max_length=20, choices=LetterStatus.choices, default="draft")
    reviewer_comment = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            tenant_unique("participant", name="interv_one_letter_each"),
        )
        ordering = ["participant__speaking_order", "id"]


class InterventionOutcome(TenantModel):
    intervention = models.ForeignKey(
        Intervention, on_delete=models.PROTECT, related_name="outcomes"
    )
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = user_ref()
    admission_date = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["-recorded_at"]


class ResponsePlan(TenantModel):
    """The family's unified response when the loved one declines."""

    intervention = models.ForeignKey(
        Intervention, on_delete=models.CASCADE, related_name="response_plans"
    )
    boundaries = models.TextField()
    consequences = models.TextField(blank=True)
    responsibilities = models.TextField(blank=True, help_text="Who does what.")
    next_checkin_on = models.DateField()
    support_resources = models.TextField(blank=True)
    shared_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            tenant_unique("intervention", name="interv_one_response_plan"),
        )


class WellbeingCheckin(TenantModel):
    """A short family wellbeing check-in: three 1-5 answers, higher is better."""

    intervention = models.ForeignKey(
        Intervention, on_delete=models.CASCADE, related_name="wellbeing_checkins"
    )
    family_member = models.ForeignKey(FamilyMember, on_delete=models.PROTECT, related_name="+")
    stress = models.PositiveSmallIntegerField()
    sleep = models.PositiveSmallIntegerField()
    hope = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            models.CheckConstraint(
                condition=models.Q(stress__range=(1, 5))
                & models.Q(sleep__range=(1, 5))
                & models.Q(hope__range=(1, 5)),
                name="interv_wellbeing_range",
            ),
        )
        indexes = [tenant_index("intervention", "-recorded_at", name="interv_wellbeing")]
        ordering = ["-recorded_at"]

    @property
    def total(self) -> int:
        return self.stress + self.sleep + self.hope
