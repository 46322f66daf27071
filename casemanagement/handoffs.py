"""What case management does when an episode changes phase."""

from continuum.care.models import PhaseTransition
from continuum.tenancy.models import Role

from .services import aftercare_start, portal_offer_task_ensure


def open_care_plan(*, transition: PhaseTransition) -> None:
    """Open the care plan from the discharge recommendations, assign a case manager and
    give them the first-contact-within-72-hours task; a client who cannot sign in to
    the portal yet is offered a login through a task of theirs. An alumnus who came back
    for a sober coach only gets no care plan."""
    if not transition.wants_line(Role.CASE_MANAGER):
        return
    aftercare_start(transition=transition)
    portal_offer_task_ensure(transition=transition)
