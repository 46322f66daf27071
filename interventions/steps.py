"""The intervention as a task list: the steps of the chosen model, each with its page and
its status, read from an intervention fetched by `selectors.intervention_detail_for`
(everything below reads prefetched rows, so the list costs no query of its own)."""

from dataclasses import dataclass

from .models import (
    InsuranceVerification,
    InterventionModel,
    LetterStatus,
)

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
DONE = "done"
CANNOT_START = "cannot_start"
STATUS_LABELS = {
    NOT_STARTED: "Not started",
    IN_PROGRESS: "In progress",
    DONE: "Done",
    CANNOT_START: "Cannot start yet",
}


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    url_name: str


STEPS = {
    step.key: step
    for step in (
        Step("intake", "Intake with the family", "staff:intervention_intake"),
        Step("plan", "Model, date and place", "staff:intervention_plan"),
        Step("participants", "Participants and speaking order", "staff:intervention_participants"),
        Step("meetings", "Education and planning meetings", "staff:intervention_meetings"),
        Step("letters", "Letters", "staff:intervention_letters"),
        Step("treatment", "Treatment", "staff:intervention_treatment"),
        Step("transport", "Transport", "staff:intervention_transport"),
        Step("day", "The day and the outcome", "staff:intervention_outcome"),
        Step("response_plan", "The family's response plan", "staff:intervention_response_plan"),
        Step("healing", "Family healing", "staff:intervention_healing"),
    )
}

# Which pages each model works through, grouped as the family lives them. ARISE and
# CRAFT invite the loved one rather than confront them: no letters are read.
_PREPARE_ALL = (
    "Prepare with the family",
    ("intake", "plan", "participants", "meetings", "letters"),
)
_PREPARE_INVITATIONAL = ("Prepare with the family", ("intake", "plan", "participants", "meetings"))
_ARRANGE = ("Arrange treatment", ("treatment", "transport"))
_THE_DAY = (("The day", ("day",)), ("After the day", ("response_plan", "healing")))
MODEL_GROUPS = {
    InterventionModel.JOHNSON: (_PREPARE_ALL, _ARRANGE, *_THE_DAY),
    InterventionModel.ARISE: (_PREPARE_INVITATIONAL, _ARRANGE, *_THE_DAY),
    InterventionModel.CRAFT: (
        _PREPARE_INVITATIONAL,
        ("Arrange treatment", ("treatment",)),
        ("Inviting the loved one", ("day",)),
        ("After the invitation", ("response_plan", "healing")),
    ),
    InterventionModel.OTHER: (_PREPARE_ALL, _ARRANGE, *_THE_DAY),
}


@dataclass(frozen=True)
class StepState:
    status: str
    hint: str = ""
    # A step that cannot start yet points to the one that unlocks it.
    blocked_by: str = ""

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def _intake(i) -> StepState:
    if i.intake_completed_at:
        return StepState(DONE)
    return StepState(NOT_STARTED)


def _plan(i) -> StepState:
    if i.scheduled_at and (i.location or i.video_link):
        return StepState(DONE)
    if i.scheduled_at or i.location or i.video_link:
        return StepState(IN_PROGRESS, "Set both the date and the place.")
    return StepState(NOT_STARTED)


def _participants(i) -> StepState:
    people = list(i.participants.all())
    if not people:
        return StepState(NOT_STARTED)
    if len(people) > 1 and all(p.speaking_order for p in people):
        return StepState(DONE, f"{len(people)} people, in speaking order.")
    unordered = sum(1 for p in people if not p.speaking_order)
    if len(people) == 1:
        return StepState(IN_PROGRESS, "1 person so far.")
    return StepState(IN_PROGRESS, f"{len(people)} people; {unordered} without a speaking place.")


def _meetings(i) -> StepState:
    sessions = list(i.sessions.all())
    if not sessions:
        return StepState(NOT_STARTED)
    held = [s for s in sessions if s.attendees.all()]
    if held:
        return StepState(DONE, f"{len(sessions)} scheduled, attendance kept for {len(held)}.")
    return StepState(IN_PROGRESS, f"{len(sessions)} scheduled, no attendance kept yet.")


def _letters(i) -> StepState:
    writers = [p for p in i.participants.all() if p.portal_invited_at]
    if not writers:
        return StepState(
            CANNOT_START,
            "Invite a participant to the family portal first.",
            blocked_by="participants",
        )
    statuses = [p.letter_status for p in writers]
    if all(s == LetterStatus.APPROVED for s in statuses):
        return StepState(DONE, f"{len(writers)} approved.")
    if not any(statuses):
        return StepState(NOT_STARTED, "No letter written yet.")
    approved = sum(1 for s in statuses if s == LetterStatus.APPROVED)
    waiting = sum(1 for s in statuses if s == LetterStatus.SUBMITTED)
    return StepState(IN_PROGRESS, f"{approved} of {len(writers)} approved; {waiting} to review.")


def _treatment(i) -> StepState:
    settled = (InsuranceVerification.VERIFIED, InsuranceVerification.SELF_PAY)
    if i.program_name and i.insurance_verification in settled:
        return StepState(DONE, i.program_name)
    if i.program_name or i.bed_hold_date or i.admission_contact:
        return StepState(IN_PROGRESS, "Insurance not settled yet." if i.program_name else "")
    return StepState(NOT_STARTED)


def _transport(i) -> StepState:
    if i.transport_provider and i.pickup_at:
        return StepState(DONE, i.transport_provider)
    if i.transport_provider or i.pickup_place or i.escort:
        return StepState(IN_PROGRESS, "Set the provider and the pick-up time.")
    return StepState(NOT_STARTED)


def _day(i) -> StepState:
    if i.outcome:
        return StepState(DONE, i.get_outcome_display())
    if i.scheduled_at is None:
        # Not blocked: an outcome may come before the day, with the reason why.
        return StepState(NOT_STARTED, "No date set yet.")
    return StepState(NOT_STARTED)


def _response_plan(i) -> StepState:
    plan = i.response_plan
    if not i.can_plan_response:
        if plan is not None:
            return StepState(DONE, "Kept from an earlier decline.")
        return StepState(CANNOT_START, "Follows a declined intervention.", blocked_by="day")
    if plan is None:
        return StepState(NOT_STARTED)
    if plan.shared_at:
        return StepState(DONE, "Shared with the participants.")
    return StepState(IN_PROGRESS, "Saved, not shared with the participants yet.")


def _healing(i) -> StepState:
    checkins = list(i.wellbeing_checkins.all())
    if checkins:
        return StepState(IN_PROGRESS, f"{len(checkins)} wellbeing check-ins so far.")
    return StepState(NOT_STARTED, "Resources for the family; their check-ins appear here.")


STATES = {
    "intake": _intake,
    "plan": _plan,
    "participants": _participants,
    "meetings": _meetings,
    "letters": _letters,
    "treatment": _treatment,
    "transport": _transport,
    "day": _day,
    "response_plan": _response_plan,
    "healing": _healing,
}


def step_state(intervention, key: str) -> StepState:
    return STATES[key](intervention)


def task_groups(intervention) -> list[tuple[str, list[tuple[Step, StepState]]]]:
    """The model's steps in their groups, each with its state."""
    return [
        (heading, [(STEPS[key], step_state(intervention, key)) for key in keys])
        for heading, keys in MODEL_GROUPS[intervention.model]
    ]
