from datetime import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from continuum.choices import Lifecycle
from continuum.people.models import Client
from continuum.tenancy.models import Membership, Role, TenantModel
from continuum.tenancy.schema import tenant_constraints, tenant_index, tenant_unique, user_ref
from continuum.tenancy.timezones import moment_of


class Phase(models.TextChoices):
    INQUIRY = "inquiry", _("Inquiry")
    PRE_TREATMENT = "pre_treatment", _("Pre-treatment")
    RESIDENTIAL = "residential", _("Residential")
    AFTERCARE = "aftercare", _("Aftercare")
    ALUMNI = "alumni", _("Alumni")
    CLOSED = "closed", _("Closed")


# Forward along the continuum, or to `closed` from any open phase. Nothing leaves `closed`.
# An alumnus who asks for help again goes back to aftercare (with the line they asked for).
ALLOWED_TRANSITIONS = Lifecycle(
    Phase,
    {
        Phase.INQUIRY: (Phase.PRE_TREATMENT, Phase.CLOSED),
        Phase.PRE_TREATMENT: (Phase.RESIDENTIAL, Phase.CLOSED),
        Phase.RESIDENTIAL: (Phase.AFTERCARE, Phase.CLOSED),
        Phase.AFTERCARE: (Phase.ALUMNI, Phase.CLOSED),
        Phase.ALUMNI: (Phase.AFTERCARE, Phase.CLOSED),
    },
)


class ClosedReason(models.TextChoices):
    COMPLETED = "completed", _("Completed the continuum")
    DECLINED = "declined", _("Declined services")
    LOST_TO_CONTACT = "lost_to_contact", _("Lost to contact")
    TRANSFERRED = "transferred", _("Transferred to another provider")
    DECEASED = "deceased", _("Deceased")
    OTHER = "other", _("Other")


class DischargeType(models.TextChoices):
    PLANNED = "planned", _("Planned (completed program)")
    AGAINST_ADVICE = "against_advice", _("Against clinical advice")
    ADMINISTRATIVE = "administrative", _("Administrative")
    TRANSFER = "transfer", _("Transfer to another level of care")
    OTHER = "other", _("Other")


class CareEpisode(TenantModel):
    """One client's path through the continuum. A client has at most one open episode."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="episodes")
    phase = models.CharField(max_length=20, choices=Phase.choices, default=Phase.INQUIRY)
    phase_changed_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=20, choices=ClosedReason.choices, blank=True)
    admission_date = models.DateField(null=True, blank=True)
    discharge_date = models.DateField(null=True, blank=True)
    residential_program = models.CharField(max_length=200, blank=True)
    # The referral directory's listing, once that directory exists; a plain UUID so the
    # care spine does not depend on it.
    residential_program_listing_id = models.UUIDField(null=True, blank=True)
    discharge_type = models.CharField(max_length=20, choices=DischargeType.choices, blank=True)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            tenant_unique(
                "client",
                condition=~models.Q(phase="closed"),
                name="care_episode_one_open_per_client",
            ),
            models.CheckConstraint(
                condition=models.Q(discharge_date__isnull=True)
                | models.Q(admission_date__isnull=True)
                | models.Q(discharge_date__gte=models.F("admission_date")),
                name="care_episode_discharge_after_admission",
            ),
        )
        indexes = [
            tenant_index("client", "-opened_at", name="care_episode_client"),
            tenant_index("phase", name="care_episode_phase"),
        ]
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"Episode {self.public_id} ({self.phase})"

    @property
    def is_open(self) -> bool:
        return self.phase != Phase.CLOSED

    @property
    def allowed_next_phases(self) -> tuple[str, ...]:
        return ALLOWED_TRANSITIONS[self.phase]

    def discharged_at(self, *, recorded_at):
        """The moment of discharge, from the discharge date read in the organization's
        zone: deadlines after discharge count from it, not from when it was entered."""
        if self.discharge_date is None:
            return recorded_at
        return moment_of(
            self.discharge_date, recorded_at=recorded_at, organization=self.organization
        )


class PhaseTransition(TenantModel):
    """Who moved an episode from which phase to which, when and why. `from_phase` is
    empty for the opening of an episode."""

    episode = models.ForeignKey(CareEpisode, on_delete=models.PROTECT, related_name="transitions")
    from_phase = models.CharField(max_length=20, choices=Phase.choices, blank=True)
    to_phase = models.CharField(max_length=20, choices=Phase.choices)
    reason = models.TextField(blank=True)
    actor = user_ref(null=True)
    at = models.DateTimeField(default=timezone.now)
    details = models.JSONField(default=dict, blank=True)

    class Meta(TenantModel.Meta):
        indexes = [tenant_index("episode", "-at", name="care_transition_episode")]
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_phase or 'new'} -> {self.to_phase}"

    @property
    def is_return(self) -> bool:
        """An alumnus coming back to aftercare, not a discharge from residential."""
        return self.from_phase == Phase.ALUMNI and self.to_phase == Phase.AFTERCARE

    @property
    def return_line(self) -> str:
        """The care-team role a returning alumnus asked for ("" when not said): the
        aftercare handoffs open that line and leave the others alone."""
        return self.details.get("return_line", "") if self.is_return else ""

    def wants_line(self, role: str) -> bool:
        return not self.return_line or self.return_line == role

    def first_contact_due(self, within) -> datetime:
        """Deadlines after entering aftercare count from the discharge; for a returning
        alumnus, from the moment they asked (the discharge was long ago)."""
        if self.is_return:
            return self.at + within
        return self.episode.discharged_at(recorded_at=self.at) + within


class HandoffStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class HandoffRun(TenantModel):
    """One declared handoff for one transition. The unique key makes a second run of the
    same handoff for the same transition impossible; the status row is the outbox."""

    transition = models.ForeignKey(
        PhaseTransition, on_delete=models.PROTECT, related_name="handoff_runs"
    )
    name = models.CharField(max_length=100)
    status = models.CharField(
        max_length=12, choices=HandoffStatus.choices, default=HandoffStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            tenant_unique("transition", "name", name="care_handoff_once"),
        )
        indexes = [tenant_index("status", "created_at", name="care_handoff_status")]
        ordering = ["-created_at", "name"]

    def __str__(self) -> str:
        return f"{self.name} for {self.transition_id}: {self.status}"


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class TaskPriority(models.TextChoices):
    # Stored as words; ordering by urgency uses PRIORITY_RANK. Which work gets which
    # priority is decided in one place: TASK_KIND_PRIORITY below. A context, because
    # Spanish words a priority differently from a mood ("Low").
    URGENT = "urgent", pgettext_lazy("task priority", "Urgent")
    HIGH = "high", pgettext_lazy("task priority", "High")
    NORMAL = "normal", pgettext_lazy("task priority", "Normal")
    LOW = "low", pgettext_lazy("task priority", "Low")


PRIORITY_RANK = {
    TaskPriority.URGENT: 0,
    TaskPriority.HIGH: 1,
    TaskPriority.NORMAL: 2,
    TaskPriority.LOW: 3,
}


class TaskKind(models.TextChoices):
    """What kind of work a task is. Every creator names the kind; the priority follows
    from it (TASK_KIND_PRIORITY), so "urgent" means a safety event everywhere."""

    SAFETY = "safety", _("Safety follow-up the same day")
    DEADLINE = "deadline", _("A deadline that protects continuity of care")
    FOLLOW_UP = "follow_up", _("Follow-up on something the client or a provider reported")
    ROUTINE = "routine", _("Routine upkeep")


TASK_KIND_PRIORITY = {
    # A self-harm answer, help now, reported use, a craving over the plan's threshold...
    TaskKind.SAFETY: TaskPriority.URGENT,
    # Triage within the response time, first contact within 72 h of discharge, the 7- and
    # 30-day follow-up, rescheduling a missed appointment, the calls of a high-risk day.
    TaskKind.DEADLINE: TaskPriority.HIGH,
    # Missed doses, other gaps in care, a referral that went quiet.
    TaskKind.FOLLOW_UP: TaskPriority.NORMAL,
    # Plan reviews, re-assessments, certifications to renew.
    TaskKind.ROUTINE: TaskPriority.LOW,
}


def priority_for(kind: str) -> str:
    return TASK_KIND_PRIORITY[TaskKind(kind)]


class Task(TenantModel):
    """A work item. Assigned to one staff member, or to everyone holding `queue_role`
    (e.g. intake) until someone takes it."""

    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    client = models.ForeignKey(
        Client, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    episode = models.ForeignKey(
        CareEpisode, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    assignee = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    queue_role = models.CharField(max_length=32, choices=Role.choices, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    priority = models.CharField(
        max_length=8, choices=TaskPriority.choices, default=TaskPriority.NORMAL
    )
    source = models.CharField(
        max_length=120, blank=True, help_text='e.g. "handoff:care.aftercare_first_contact"'
    )
    dedup_key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = user_ref(null=True)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            tenant_unique(
                "dedup_key",
                condition=~models.Q(dedup_key=""),
                name="care_task_dedup",
            ),
            models.CheckConstraint(
                condition=models.Q(assignee__isnull=False) | ~models.Q(queue_role=""),
                name="care_task_has_owner",
            ),
        )
        indexes = [
            tenant_index("assignee", "status", "due_at", name="care_task_assignee"),
            tenant_index("queue_role", "status", "due_at", name="care_task_queue"),
            tenant_index("client", "-created_at", name="care_task_client"),
        ]
        ordering = ["due_at", "created_at"]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == TaskStatus.OPEN and self.due_at is not None and self.due_at < now


# --- safety events: who is responsible, right now ------------------------------------------


class Weekday(models.IntegerChoices):
    # Python's numbering (date.weekday()), which the rota is matched against.
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OnCallShift(TenantModel):
    """One staff member on call for one weekday, from `starts_at` until `ends_at` in the
    organization's time zone. A shift ending at or before it starts runs past midnight."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts_at = models.TimeField()
    ends_at = models.TimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        indexes = [tenant_index("weekday", name="care_oncall_weekday")]
        ordering = ["weekday", "starts_at", "id"]

    def __str__(self) -> str:
        return f"on call {self.get_weekday_display()} {self.starts_at}-{self.ends_at}"


class SafetyStatus(models.TextChoices):
    OPEN = "open", _("Waiting for acknowledgement")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")


class AskedAs(models.TextChoices):
    # Staff-facing only: the client is told in continuum.care.safety.told_sentence.
    CARE_TEAM = "care_team", _("care team")
    ON_CALL = "on_call", _("on call")
    FALLBACK = "fallback", _("on-call fallback")
    ADMINS = "admins", _("organization admins")
    NOBODY = "nobody", _("nobody could be reached")


class SafetyEvent(TenantModel):
    """A client's safety concern and who is asked to follow up on it. Repeats on the same
    day, while nobody has acknowledged it yet, add to this row (`count`, `latest_*`)
    rather than start another chain of messages."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=40)
    door = models.CharField(max_length=10)
    raised_at = models.DateTimeField(default=timezone.now)
    count = models.PositiveIntegerField(default=1)
    latest_kind = models.CharField(max_length=40)
    latest_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=14, choices=SafetyStatus.choices, default=SafetyStatus.OPEN
    )
    # Membership ids in the order decided when raised: care team, then on call.
    order = models.JSONField(default=list)
    step = models.PositiveSmallIntegerField(default=0)
    asked = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    asked_as = models.CharField(max_length=12, choices=AskedAs.choices)
    asked_role = models.CharField(max_length=32, blank=True)
    asked_at = models.DateTimeField(default=timezone.now)
    escalate_at = models.DateTimeField(null=True, blank=True)
    task = models.ForeignKey(
        "Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = user_ref(null=True)

    class Meta(TenantModel.Meta):
        indexes = [
            tenant_index(
                "escalate_at",
                name="care_safety_escalate_due",
                condition=models.Q(status="open", escalate_at__isnull=False),
            ),
            tenant_index("client", "-raised_at", name="care_safety_client"),
            tenant_index("asked", "status", name="care_safety_asked"),
        ]
        ordering = ["-raised_at", "-id"]

    def __str__(self) -> str:
        return f"safety event {self.kind} ({self.status})"


class SafetyStep(TenantModel):
    """One step of a safety event: someone asked (first, or because the one before did
    not acknowledge in time), a repeat, or the acknowledgement."""

    class Action(models.TextChoices):
        ASKED = "asked", _("Asked to follow up")
        ESCALATED = "escalated", _("Escalated")
        REPEATED = "repeated", _("Happened again")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")

    event = models.ForeignKey(SafetyEvent, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(max_length=14, choices=Action.choices)
    asked_as = models.CharField(max_length=12, choices=AskedAs.choices, blank=True)
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=40, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        indexes = [tenant_index("event", "at", name="care_safety_step")]
        ordering = ["at", "id"]
