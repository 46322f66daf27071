from datetime import date

import pytest

from continuum.tenancy.models import Membership, Role
from tests.people.factories import CareTeamMemberFactory, ClientFactory


@pytest.fixture
def case_manager(in_org, members):
    return Membership.objects.get(organization=in_org, user=members[Role.CASE_MANAGER])


@pytest.fixture
def person(in_org, members, case_manager):
    """A client with an e-mail address and a portal login, served by the case manager."""
    client = ClientFactory(
        organization=in_org,
        first_name="Sam",
        last_name="Rivera",
        email="sam@example.net",
        portal_user=members[Role.CLIENT],
    )
    CareTeamMemberFactory(
        organization=in_org,
        client=client,
        membership=case_manager,
        role=Role.CASE_MANAGER,
        # Before any frozen clock a test travels to.
        started_on=date(2020, 1, 1),
    )
    return client
