"""A page that is not there, or a record of another organization, answers 404 with a page
in words that names the way back, and says the same in both cases, so it tells nobody
what another organization holds."""

from django.urls import reverse
from django_scopes import scope

from continuum.tenancy.models import Role
from tests.people.factories import ClientFactory


def test_another_organizations_client_is_not_found_with_the_way_back(
    client, org, other_org, members
):
    with scope(organization=other_org.pk):
        theirs = ClientFactory(organization=other_org)
    client.force_login(members[Role.CASE_MANAGER])
    url = reverse("staff:client_detail", kwargs={"org": org.slug, "client_id": theirs.public_id})
    response = client.get(url)
    assert response.status_code == 404
    page = response.content.decode()
    assert "We could not find that page" in page
    assert "Nothing was opened or changed." in page
    assert f'href="{reverse("staff:dashboard", kwargs={"org": org.slug})}"' in page
    assert theirs.last_name not in page
    # A record that never existed reads the same.
    missing = client.get(url.replace(str(theirs.public_id), "00000000-0000-0000-0000-000000000000"))
    assert missing.status_code == 404
    assert "We could not find that page" in missing.content.decode()


def test_a_visitor_on_an_unknown_address_is_sent_to_the_start_page(client):
    response = client.get("/no-such-place/at-all/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "We could not find that page" in page
    assert f'href="{reverse("home")}"' in page


def test_a_family_member_on_an_unknown_portal_address_is_never_offered_staff_pages(
    client, org, members
):
    client.force_login(members[Role.FAMILY_MEMBER])
    response = client.get(f"/{org.slug}/portal/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "We could not find that page" in page
    assert f'href="{reverse("home")}"' in page
    assert "/staff/" not in page
