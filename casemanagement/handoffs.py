"""What case management does when an episode changes phase."""

from continuum.care.handoffs import registry
from continuum.care.models import Phase, PhaseTransition

from .services import aftercare_start


@registry.on_enter(Phase.AFTERCARE, name="casemanagement.open_care_plan")
def open_care_plan(*, transition: PhaseTransition) -> None:
    """Open the care plan from the discharge recommendations, assign a case manager and
    give them the first-contact-within-72-hours task."""
    aftercare_start(transition=transition)
