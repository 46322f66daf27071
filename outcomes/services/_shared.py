from continuum.people.models import Client
from continuum.people.selectors import care_team_member_for
from continuum.tenancy.models import Membership, Role


def reacher_for(*, client: Client) -> Membership | None:
    """Who reaches the client about a follow-up: their case manager, else their sober
    coach; None when neither is on the care team (the task then goes to intake)."""
    return care_team_member_for(client=client, role=Role.CASE_MANAGER) or care_team_member_for(
        client=client, role=Role.SOBER_COACH
    )
