"""Every test world has two organizations and an outsider: `org` (Harbor) and
`other_org` (Lear), one member per role in `org`, and `outsider`, an admin of
`other_org` with every role there, who must never see anything of `org`."""

import pytest
from django.core.cache import cache
from django_scopes import scope

from continuum.tenancy.models import Role

from .factories import MembershipFactory, OrganizationFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Tests create many users; the production hasher is deliberately slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit counters live in the cache; each test starts with none.
    cache.clear()
    yield


@pytest.fixture
def org(db):
    return OrganizationFactory(slug="harbor", name="Harbor Recovery")


@pytest.fixture
def other_org(db):
    return OrganizationFactory(slug="lear", name="Lear Recovery")


@pytest.fixture
def in_org(org):
    """Run the test body inside `org`'s query scope, as a request or task would."""
    with scope(organization=org.pk):
        yield org


def _member(org, role, email):
    user = UserFactory(email=email)
    return MembershipFactory(organization=org, user=user, roles=[role])


@pytest.fixture
def members(org):
    """One user per role in `org`, keyed by role value."""
    return {role: _member(org, role, f"{role}@harbor.example.com").user for role in Role.values}


@pytest.fixture
def admin_user(members):
    return members[Role.ORG_ADMIN]


@pytest.fixture
def outsider(other_org):
    user = UserFactory(email="outsider@lear.example.com")
    MembershipFactory(organization=other_org, user=user, roles=list(Role.values))
    return user


@pytest.fixture
def stranger(db):
    """A logged-in user who belongs to no organization at all."""
    return UserFactory(email="stranger@example.com")
