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
    def can_decide(self) -> bool:
        """Accept, refer or close: once, while the request is new."""
        return self.status == RequestStatus.NEW

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


OUTCOME_DISCLOSURE = "interventions.outcome_shown"


def outcome_disclosure_description(facts: dict) -> str:
    """The outcome shown to a family member, in the accounting of disclosures, in the
    active language."""
    return _(
        "Outcome of the intervention (%(intervention)s) shown in the family portal: %(outcome)s"
    ) % {"intervention": facts["intervention"], "outcome": Outcome(facts["outcome"]).label}


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

    # The state checks below are the one place each rule lives: the services refuse
    # with them and the pages offer (or withhold) the step with them.

    @property
    def is_planning(self) -> bool:
        """The plan stays open until the loved one accepts treatment."""
        return self.outcome != Outcome.ACCEPTED

    @property
    def can_record_outcome(self) -> bool:
        return not self.outcome

    @property
    def can_resume_planning(self) -> bool:
        return self.outcome in (Outcome.DECLINED, Outcome.POSTPONED)

    @property
    def resuming_escalates(self) -> bool:
        """ARISE returns to planning one level up, to Level III at most."""
        return self.model == InterventionModel.ARISE and self.arise_level < 3

    @property
    def can_plan_response(self) -> bool:
        return self.outcome == Outcome.DECLINED

    def outcome_is_early(self, today=None) -> bool:
        """Recording the outcome before the scheduled day (or with no day set) needs the
        interventionist to say why, so a premature entry does not pass unnoticed."""
        if self.scheduled_at is None:
            return True
        today = today or timezone.localdate()
        return timezone.localdate(self.scheduled_at) > today


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
    rsvp_at = models.DateTimeField(null=True, blank=True)

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

    @property
    def relationship_label(self) -> str:
        """Participants added through the form store a `Relationship` value; older ones
        kept the words that were typed ("Sister"), shown as written."""
        if self.relationship in Relationship.values:
            return Relationship(self.relationship).label
        return self.relationship

    @property
    def relationship_kind(self) -> str:
        """The `Relationship` this participant has to the client, for the client's record."""
        return relationship_kind(self.relationship, role=self.role)


# Words families and staff type for a relationship, read as the client record's kinds.
RELATIONSHIP_WORDS = {
    Relationship.PARENT: (
        "parent",
        "father",
        "mother",
        "dad",
        "mom",
        "mum",
        "stepfather",
        "stepmother",
        "stepdad",
        "stepmom",
        "step-father",
        "step-mother",
    ),
    Relationship.SPOUSE_PARTNER: (
        "spouse",
        "partner",
        "husband",
        "wife",
        "boyfriend",
        "girlfriend",
        "fiance",
        "fiancé",
        "fiancee",
        "fiancée",
    ),
    Relationship.SIBLING: (
        "sibling",
        "brother",
        "sister",
        "half-brother",
        "half-sister",
        "stepbrother",
        "stepsister",
    ),
    Relationship.CHILD: ("child", "son", "daughter", "adult child", "stepson", "stepdaughter"),
    Relationship.GRANDPARENT: ("grandparent", "grandfather", "grandmother", "grandpa", "grandma"),
    Relationship.OTHER_RELATIVE: (
        "aunt",
        "uncle",
        "cousin",
        "niece",
        "nephew",
        "grandson",
        "granddaughter",
        "in-law",
        "other relative",
    ),
    Relationship.FRIEND: ("friend", "best friend", "neighbor", "neighbour"),
    Relationship.EMPLOYER: ("employer", "boss", "colleague", "coworker", "co-worker", "manager"),
}
_KIND_BY_WORD = {word: kind for kind, words in RELATIONSHIP_WORDS.items() for word in words}


def relationship_kind(text: str, *, role: str = "") -> str:
    """Read a participant's relationship (a stored value, a label or the typed words) as
    a `Relationship`. Words it does not know fall back on the participant's role, never
    on a guess: a family member unknown in kind is an "other relative"."""
    words = (text or "").strip().lower()
    if words in Relationship.values:
        return words
    for value, label in Relationship.choices:
        if words == str(label).lower():
            return value
    normalised = words.removeprefix("my ")
    if normalised.endswith(("-in-law", " in law")):
        return Relationship.OTHER_RELATIVE
    if normalised in _KIND_BY_WORD:
        return _KIND_BY_WORD[normalised]
    return {
        ParticipantRole.FAMILY: Relationship.OTHER_RELATIVE,
        ParticipantRole.FRIEND: Relationship.FRIEND,
        ParticipantRole.EMPLOYER: Relationship.EMPLOYER,
    }.get(role, Relationship.OTHER)


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

    @property
    def can_review(self) -> bool:
        return self.status == LetterStatus.SUBMITTED

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


class MeetingAnswer(TenantModel):
    """A participant's answer to one family meeting's invitation (the day itself is
    answered on the participant, `Participant.rsvp`). The latest answer counts; when it
    was given is what the family is shown back as their confirmation."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="meeting_answers"
    )
    session = models.ForeignKey(EducationSession, on_delete=models.CASCADE, related_name="answers")
    answer = models.CharField(max_length=8, choices=Rsvp.choices)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            tenant_unique("session", "participant", name="interv_meeting_answer_once"),
            models.CheckConstraint(
                condition=~models.Q(answer="pending"), name="interv_meeting_answer_given"
            ),
        )


class FamilyCheckin(TenantModel):
    """A family member's own wellbeing check-in, kept whatever the stage of the request
    or the intervention: mood and stress from 1 to 5 (5 is better for mood, and for
    stress the calmest), and a note in their own words."""

    family_member = models.ForeignKey(
        FamilyMember, on_delete=models.PROTECT, related_name="intervention_checkins"
    )
    mood = models.PositiveSmallIntegerField()
    stress = models.PositiveSmallIntegerField()
    note = EncryptedTextField(blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            models.CheckConstraint(
                condition=models.Q(mood__range=(1, 5)) & models.Q(stress__range=(1, 5)),
                name="interv_family_checkin_range",
            ),
        )
        indexes = [tenant_index("family_member", "-recorded_at", name="interv_family_checkin")]
        ordering = ["-recorded_at", "-pk"]
