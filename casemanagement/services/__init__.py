"""Every change to case-management records: one function per use case, each in one
transaction with its audit event.

One module per entity; every public name is re-exported here, so callers import
`from casemanagement import services` or `from casemanagement.services import x`."""

from ._shared import SAFETY_ITEM9, plan_owner
from .aftercare import (
    CARE_FIRST_CONTACT,
    FIRST_CONTACT_WITHIN,
    aftercare_start,
)
from .appointments import (
    MISSED_RESCHEDULE_WITHIN,
    REMINDER_BEFORE,
    appointment_reschedule,
    appointment_schedule,
    appointment_set_status,
)
from .assessments import (
    assessment_record,
)
from .careplans import (
    REVIEW_TASK_AHEAD,
    careplan_open,
    goal_add,
    goal_set_status,
    plan_acknowledge,
    plan_review,
    plan_review_task_ensure,
    progress_note_add,
    step_add,
    step_set_status,
)
from .gaps import (
    GAP_TASK_KIND,
    gaps_recheck,
    gaps_scan,
)
from .medications import (
    adherence_report,
    medication_add,
    medication_fill_record,
)
from .portal_offer import (
    PORTAL_OFFER_WITHIN,
    portal_offer_task_ensure,
)
from .providers import (
    contact_record,
    provider_add,
)
from .questionnaires import (
    ASSIGNING_ROLES,
    questionnaire_answer,
    questionnaire_assign,
    questionnaire_reminders,
)
from .reminders import (
    REASSESS_EVERY,
    REFILL_REMINDER_AHEAD,
    reminders_scan,
)

__all__ = [
    "ASSIGNING_ROLES",
    "CARE_FIRST_CONTACT",
    "FIRST_CONTACT_WITHIN",
    "GAP_TASK_KIND",
    "MISSED_RESCHEDULE_WITHIN",
    "PORTAL_OFFER_WITHIN",
    "REASSESS_EVERY",
    "REFILL_REMINDER_AHEAD",
    "REMINDER_BEFORE",
    "REVIEW_TASK_AHEAD",
    "SAFETY_ITEM9",
    "adherence_report",
    "aftercare_start",
    "appointment_reschedule",
    "appointment_schedule",
    "appointment_set_status",
    "assessment_record",
    "careplan_open",
    "contact_record",
    "gaps_recheck",
    "gaps_scan",
    "goal_add",
    "goal_set_status",
    "medication_add",
    "medication_fill_record",
    "plan_acknowledge",
    "plan_owner",
    "plan_review",
    "plan_review_task_ensure",
    "portal_offer_task_ensure",
    "progress_note_add",
    "provider_add",
    "questionnaire_answer",
    "questionnaire_assign",
    "questionnaire_reminders",
    "reminders_scan",
    "step_add",
    "step_set_status",
]
