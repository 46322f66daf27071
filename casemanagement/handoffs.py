"""What case management does when an episode changes phase."""

from continuum.care.models import PhaseTransition

from .services import aftercare_start


def open_care_plan(*, transition: PhaseTransition) -> None:
    """Open the care plan from the discharge recommendations, assign a case manager and
    give them the first-contact-within-72-hours task."""
    aftercare_start(transition=transition)
