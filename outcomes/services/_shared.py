from continuum.people.models import Client
from continuum.people.selectors import active_care_team, case_manager_for
from continuum.tenancy.models import Membership, Role


def reacher_for(*, client: Client) -> Membership | None:
    """Who reaches the client about a follow-up: their case manager, else their sober
    coach; None when neither is on the care team (the task then goes to intake)."""
    case_manager = case_manager_for(client=client)
    if case_manager is not None:
        return case_manager
    link = (
        active_care_team()
        .filter(client=client, role=Role.SOBER_COACH, membership__is_active=True)
        .select_related("membership")
        .order_by("started_on")
        .first()
    )
    return link.membership if link else None
