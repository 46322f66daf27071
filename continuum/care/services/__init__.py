"""Every change in the care spine: episodes and their phases, handoffs, tasks, safety
events and the on-call rota. One transaction per use case, audited.

One module per entity; every public name is re-exported here, so callers import
`from continuum.care import services` or `from continuum.care.services import x`."""

from .episodes import (
    TRANSITION_DETAILS,
    episode_open,
    episode_transition,
)
from .handoffs import (
    handoff_enqueue,
    handoff_execute,
    handoff_rerun,
)
from .oncall import (
    on_call_rota_save,
)
from .safety_events import (
    safety_escalations_run,
    safety_event_acknowledge,
    safety_event_escalate,
    safety_event_raise,
    safety_events_acknowledge_for,
)
from .work import (
    task_create,
    task_reassign,
    task_set_status,
)

__all__ = [
    "TRANSITION_DETAILS",
    "episode_open",
    "episode_transition",
    "handoff_enqueue",
    "handoff_execute",
    "handoff_rerun",
    "on_call_rota_save",
    "safety_escalations_run",
    "safety_event_acknowledge",
    "safety_event_escalate",
    "safety_event_raise",
    "safety_events_acknowledge_for",
    "task_create",
    "task_reassign",
    "task_set_status",
]
