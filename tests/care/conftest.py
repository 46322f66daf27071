from datetime import date

import pytest

from continuum.care.registry import registry
from continuum.tenancy.models import Membership
from tests.people.conftest import care_timeline_only  # noqa: F401 - shared fixture
from tests.people.factories import CareTeamMemberFactory, ClientFactory


@pytest.fixture
def memberships(in_org, members):
    """The Membership of each role's user in `org`, keyed by role."""
    by_user = {m.user_id: m for m in Membership.objects.filter(organization=in_org)}
    return {role: by_user[user.pk] for role, user in members.items()}


@pytest.fixture
def client_record(in_org):
    return ClientFactory(organization=in_org, first_name="Jordan", last_name="Reyes")


@pytest.fixture
def with_case_manager(client_record, memberships):
    return CareTeamMemberFactory(
        client=client_record, membership=memberships["case_manager"], started_on=date(2020, 1, 1)
    )


@pytest.fixture
def enqueued(monkeypatch):
    """Handoff runs handed to the broker, instead of sending them."""
    from continuum.care import tasks

    sent = []
    monkeypatch.setattr(
        tasks.handoff_run_task, "apply_async", lambda *a, **kw: sent.append(kw["kwargs"])
    )
    return sent


@pytest.fixture
def temporary_handoff():
    """Register handoffs for one test only."""
    names = []

    def add(name, *, enters=(), leaves=(), func):
        registry.register(name=name, enters=enters, leaves=leaves)(func)
        names.append(name)

    yield add
    for name in names:
        registry.unregister(name)
