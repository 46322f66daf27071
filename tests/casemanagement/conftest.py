import pytest

from continuum.tenancy.models import Membership, Role
from tests.people.factories import CareTeamMemberFactory, ClientFactory

from . import factories


@pytest.fixture
def case_manager(in_org, members):
    return Membership.objects.get(organization=in_org, user=members[Role.CASE_MANAGER])


@pytest.fixture
def client_rec(in_org, members, case_manager):
    """A client with a portal login, served by the case manager."""
    client = ClientFactory(
        organization=in_org, first_name="Sam", last_name="Rivera", portal_user=members[Role.CLIENT]
    )
    CareTeamMemberFactory(
        organization=in_org, client=client, membership=case_manager, role=Role.CASE_MANAGER
    )
    return client


@pytest.fixture
def plan(client_rec, case_manager):
    return factories.CarePlanFactory(client=client_rec, case_manager=case_manager)
