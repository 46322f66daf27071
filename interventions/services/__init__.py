"""Every change in the intervention service line: a family's request, triage, the plan,
the day and its outcome, and the family's healing afterwards.

One module per entity; every public name is re-exported here, so callers import
`from interventions import services` or `from interventions.services import x`."""

from .family import NOTE_MAX_LENGTH, family_checkin_record
from .letters import (
    letter_review,
    letter_save,
)
from .outcomes import (
    FOLLOW_UP_AFTER,
    OutcomeForFamily,
    intervention_resume_planning,
    outcome_disclose_to_participant,
    outcome_record,
    response_plan_save,
)
from .participants import (
    ROLE_TO_RELATIONSHIP,
    meeting_answer,
    participant_add,
    participant_invite_to_portal,
    participant_rsvp,
    participant_set_order,
)
from .planning import (
    INTAKE_FIELDS,
    PLAN_FIELDS,
    TRANSPORT_FIELDS,
    TREATMENT_FIELDS,
    agenda_set,
    intervention_intake_update,
    intervention_plan_update,
    intervention_transport_update,
    intervention_treatment_update,
)
from .requests import (
    CLOSE_REASONS,
    MERGE_WINDOW,
    PUBLIC_ACTOR,
    REQUEST_FIELDS,
    request_accept,
    request_alert_overdue,
    request_close,
    request_record_contact,
    request_refer,
    request_submit,
)
from .sessions import (
    REMIND_BEFORE,
    session_record_attendance,
    session_schedule,
)

__all__ = [
    "CLOSE_REASONS",
    "FOLLOW_UP_AFTER",
    "INTAKE_FIELDS",
    "MERGE_WINDOW",
    "NOTE_MAX_LENGTH",
    "PLAN_FIELDS",
    "PUBLIC_ACTOR",
    "REMIND_BEFORE",
    "REQUEST_FIELDS",
    "ROLE_TO_RELATIONSHIP",
    "TRANSPORT_FIELDS",
    "TREATMENT_FIELDS",
    "OutcomeForFamily",
    "agenda_set",
    "family_checkin_record",
    "intervention_intake_update",
    "intervention_plan_update",
    "intervention_resume_planning",
    "intervention_transport_update",
    "intervention_treatment_update",
    "letter_review",
    "letter_save",
    "meeting_answer",
    "outcome_disclose_to_participant",
    "outcome_record",
    "participant_add",
    "participant_invite_to_portal",
    "participant_rsvp",
    "participant_set_order",
    "request_accept",
    "request_alert_overdue",
    "request_close",
    "request_record_contact",
    "request_refer",
    "request_submit",
    "response_plan_save",
    "session_record_attendance",
    "session_schedule",
]
