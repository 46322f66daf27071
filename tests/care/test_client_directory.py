"""The staff client list's statements, compiled once per process (continuum.compiled):
the same rows as the queryset they were compiled from, for every kind of member and
filter, with today's date and the present moment as parameters, never as constants."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.paginator import Paginator
from django_scopes import scope
from django_scopes.exceptions import ScopeError

from continuum.care.models import Phase
from continuum.care.selectors import ClientDirectory, _client_rows, client_directory
from continuum.care.services import episode_open
from continuum.compiled import CompiledQuery
from continuum.people.models import BreakGlassGrant, Client
from continuum.tenancy.models import Membership, Role
from continuum.tenancy.scoping import organization_scope
from tests.people.factories import CareTeamMemberFactory, ClientFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)


@pytest.fixture
def caseload(org, memberships, admin_user):
    """Twelve clients: the coach serves the first six (the last of them until tomorrow
    only), half have an episode in aftercare."""
    clients = []
    for n in range(12):
        c = ClientFactory(organization=org, first_name=f"F{n}", last_name=f"L{n:02d}")
        if n < 6:
            CareTeamMemberFactory(
                client=c,
                membership=memberships[Role.SOBER_COACH],
                role="sober_coach",
                started_on=TODAY - timedelta(days=10),
                ended_on=TODAY + timedelta(days=1) if n == 5 else None,
            )
        if n % 2:
            episode = episode_open(actor=admin_user, client=c, reason="test")
            episode.phase = Phase.AFTERCARE
            episode.save(update_fields=["phase"])
        clients.append(c)
    return clients


@pytest.mark.parametrize(
    "role", [Role.ORG_ADMIN, Role.SOBER_COACH, Role.CASE_MANAGER, Role.INTAKE_COORDINATOR]
)
@pytest.mark.parametrize(
    ("phase", "care_team_role"),
    [("", ""), (Phase.AFTERCARE, ""), ("none", ""), ("", "sober_coach")],
)
def test_compiled_rows_equal_the_querysets(org, memberships, caseload, role, phase, care_team_role):
    membership = memberships[role]
    with time_machine.travel(datetime(2026, 3, 2, 15, 0, tzinfo=UTC)), scope(organization=org.pk):
        compiled = client_directory(
            membership=membership, phase=phase, care_team_role=care_team_role
        )
        assert isinstance(compiled, ClientDirectory)
        queryset = _client_rows(membership=membership, phase=phase, care_team_role=care_team_role)
        assert compiled.count() == queryset.count()
        assert list(compiled[0:100]) == list(queryset[0:100])
        assert list(compiled[2:4]) == list(queryset[2:4])
    if role == Role.SOBER_COACH and not phase and not care_team_role:
        assert compiled.count() == 6


def test_today_is_a_parameter_not_part_of_the_compiled_statement(org, memberships, caseload):
    coach = memberships[Role.SOBER_COACH]
    with scope(organization=org.pk):
        with time_machine.travel(datetime(2026, 3, 2, 15, 0, tzinfo=UTC)):
            assert client_directory(membership=coach).count() == 6
        # The sixth assignment ends tomorrow: from then on the coach no longer sees it,
        # with the statement compiled the day before.
        with time_machine.travel(datetime(2026, 3, 3, 15, 0, tzinfo=UTC)):
            page = Paginator(client_directory(membership=coach), 25).get_page(1)
            assert page.paginator.count == 5
            assert [r["last_name"] for r in page.object_list] == [f"L{n:02d}" for n in range(5)]


def test_emergency_access_ends_with_its_grant_under_the_compiled_statement(
    org, memberships, caseload
):
    manager = memberships[Role.CASE_MANAGER]
    with scope(organization=org.pk):
        BreakGlassGrant.objects.create(
            organization=org,
            client=caseload[9],
            membership=manager,
            reason="Crisis call at night",
            expires_at=datetime(2026, 3, 2, 16, 0, tzinfo=UTC),
        )
        with time_machine.travel(datetime(2026, 3, 2, 15, 0, tzinfo=UTC)):
            assert [r["last_name"] for r in client_directory(membership=manager)] == ["L09"]
        with time_machine.travel(datetime(2026, 3, 2, 16, 30, tzinfo=UTC)):
            assert list(client_directory(membership=manager)) == []


def test_a_name_search_stays_with_the_queryset(org, memberships, caseload):
    with scope(organization=org.pk):
        found = client_directory(membership=memberships[Role.ORG_ADMIN], text="F3")
        assert not isinstance(found, ClientDirectory)
        assert [r["last_name"] for r in found] == ["L03"]


def test_a_value_the_orm_rewrites_cannot_be_compiled(org):
    query = CompiledQuery(
        lambda shape, *, organization, word: Client.objects.filter(
            organization=organization, last_name__icontains=word
        ),
        organization=(2_000_000_001, 2_000_000_002),
        word=("compiled-word-1", "compiled-word-2"),
    )
    with scope(organization=org.pk), pytest.raises(ValueError, match="rewritten"):
        query.statement(("any",), organization=org.pk, word="Reyes")


def test_compiled_in_one_organization_each_other_sees_its_own_clients(
    org, other_org, memberships, outsider
):
    ClientFactory(organization=org, last_name="Harbor")
    with organization_scope(other_org):
        ClientFactory(organization=other_org, last_name="Lear")
        theirs = Membership.objects.get(organization=other_org, user=outsider)
    with scope(organization=org.pk):
        assert [
            r["last_name"] for r in client_directory(membership=memberships[Role.ORG_ADMIN])
        ] == ["Harbor"]
    with organization_scope(other_org):
        assert [r["last_name"] for r in client_directory(membership=theirs)] == ["Lear"]
        # Never another organization's statement: asked with the first one's member, refused.
        with pytest.raises(ScopeError):
            client_directory(membership=memberships[Role.ORG_ADMIN]).count()


def test_a_compiled_statement_refuses_to_run_outside_an_organization(org, memberships):
    # Compiled inside the organization, then asked for again where a request or task
    # has no organization in scope: refused as the scoped managers refuse.
    directory = client_directory(membership=memberships[Role.ORG_ADMIN])
    assert directory.count() == 0
    with scope(organization=None), pytest.raises(ScopeError):
        directory.count()
    with scope(organization=None), pytest.raises(ScopeError):
        directory[0:25]
