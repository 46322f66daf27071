import pytest

from .factories import make_client, make_family_member


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def person(org, members, in_org):
    """The client in care, with a portal account (the `client` role member)."""
    return make_client(org, portal_user=members["client"])


@pytest.fixture
def mother(org, person):
    return make_family_member(org, person, first_name="Ana", last_name="Reyes")
