from datetime import date

import pytest

from continuum.tenancy.models import Membership, Role
from tests.people.factories import CareTeamMemberFactory, ClientFactory


@pytest.fixture
def memberships(in_org, members):
    by_user = {m.user_id: m for m in Membership.objects.filter(organization=in_org)}
    return {role: by_user[user.pk] for role, user in members.items()}


@pytest.fixture
def coach_client(in_org, memberships):
    client = ClientFactory(organization=in_org, first_name="Jordan", last_name="Reyes")
    CareTeamMemberFactory(
        client=client, membership=memberships[Role.SOBER_COACH], started_on=date(2020, 1, 1)
    )
    return client


@pytest.fixture
def care_timeline_only():
    """The care spine's own timeline providers only, so counts do not depend on which
    service-line apps are installed."""
    from continuum.care import timeline

    with timeline.PROVIDERS.only(timeline.transitions_provider, timeline.tasks_provider):
        yield
