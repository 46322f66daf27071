from datetime import date

import pytest
from django.utils import timezone

from continuum.care.models import Phase
from continuum.tenancy.models import Membership, Role
from tests.care.factories import EpisodeFactory
from tests.people.factories import CareTeamMemberFactory, ClientFactory


@pytest.fixture
def case_manager(in_org, members):
    return Membership.objects.get(organization=in_org, user=members[Role.CASE_MANAGER])


@pytest.fixture
def coach(in_org, members):
    return Membership.objects.get(organization=in_org, user=members[Role.SOBER_COACH])


@pytest.fixture
def alumnus(in_org, members, case_manager):
    """A client in the alumni phase with a portal login, whose case manager still serves
    them (their coach does not)."""
    client = ClientFactory(
        organization=in_org,
        first_name="Robin",
        last_name="Okafor",
        email="robin@example.net",
        portal_user=members[Role.CLIENT],
    )
    CareTeamMemberFactory(
        organization=in_org,
        client=client,
        membership=case_manager,
        role=Role.CASE_MANAGER,
        started_on=date(2020, 1, 1),
    )
    EpisodeFactory(
        organization=in_org,
        client=client,
        phase=Phase.ALUMNI,
        discharge_date=date(2024, 1, 10),
        phase_changed_at=timezone.now(),
    )
    return client
