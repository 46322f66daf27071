"""What follow-up does when an episode changes phase."""

from continuum.care.models import PhaseTransition

from .services import follow_up_discharge


def enroll_follow_up(*, transition: PhaseTransition) -> None:
    """At discharge to aftercare: enroll the client in the follow-up schedule if they
    agreed to follow-up contact, else ask their case manager or coach to ask them."""
    follow_up_discharge(transition=transition)
