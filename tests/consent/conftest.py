import pytest

from tests.people.factories import ClientFactory, FamilyMemberFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def person(org, members, in_org):
    """The client in care, with a portal account (the `client` role member)."""
    return ClientFactory(
        organization=org, portal_user=members["client"], first_name="Jordan", last_name="Reyes"
    )


@pytest.fixture
def mother(org, person):
    return FamilyMemberFactory(
        organization=org, related_to=person, first_name="Ana", last_name="Reyes"
    )
