"""The client record as the hub: one page per client, with the tabs each app registers
(continuum.care.actions.CLIENT_TABS), each tab a page that shows the same tab row."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coaching.models import EngagementStatus
from continuum.tenancy.models import Role
from tests.coaching.factories import AlertFactory, EngagementFactory
from tests.people.factories import CareTeamMemberFactory, ClientFactory
from tests.queries import assert_queries

pytestmark = pytest.mark.django_db


def page(name, org, client_rec) -> str:
    return reverse(f"staff:{name}", kwargs={"org": org.slug, "client_id": client_rec.public_id})


@pytest.fixture
def luis(org, memberships):
    return EngagementFactory(
        organization=org,
        coach=memberships[Role.SOBER_COACH],
        client=ClientFactory(organization=org, first_name="Luis", last_name="Ortega"),
    )


def test_a_coach_moves_between_the_tabs_of_her_clients_record(client, org, members, luis):
    client.force_login(members[Role.SOBER_COACH])
    overview = client.get(page("client_detail", org, luis.client)).content.decode()
    tabs = [
        ("Overview", "client_detail"),
        ("Timeline", "client_timeline"),
        ("Coaching", "coaching_client"),
        ("Case management", "casemgmt_client"),
        ("Referrals", "client_referrals"),
        ("Consents", "client_consents"),
        ("Messages", "messaging_client_threads"),
    ]
    positions = [overview.index(f'href="{page(name, org, luis.client)}"') for _, name in tabs]
    assert positions == sorted(positions), "the tabs keep their order"
    assert 'aria-current="page">Overview</a>' in overview
    for label, name in tabs:
        response = client.get(page(name, org, luis.client))
        assert response.status_code == 200, name
        assert f'aria-current="page">{label}</a>' in response.content.decode(), name


def test_the_coaching_tab_lists_the_engagements_and_their_alerts(client, org, members, luis):
    AlertFactory(organization=org, engagement=luis)
    client.force_login(members[Role.SOBER_COACH])
    body = client.get(page("coaching_client", org, luis.client)).content.decode()
    engagement = reverse(
        "staff:coaching_engagement", kwargs={"org": org.slug, "engagement_id": luis.public_id}
    )
    assert f'href="{engagement}"' in body
    assert "Asked for help now" in body and "Acknowledge" in body


def test_a_client_with_no_engagement_is_offered_one(client, org, members, memberships):
    nobody = ClientFactory(organization=org, first_name="Ann", last_name="Lee")
    client.force_login(members[Role.ORG_ADMIN])
    body = client.get(page("coaching_client", org, nobody)).content.decode()
    assert "No coaching engagement yet." in body
    propose = reverse("staff:coaching_engagement_new", kwargs={"org": org.slug})
    assert f"{propose}?client={nobody.public_id}" in body


def test_intake_has_no_coaching_tab_and_is_refused_the_page(client, org, members, luis):
    client.force_login(members[Role.INTAKE_COORDINATOR])
    overview = client.get(page("client_detail", org, luis.client)).content.decode()
    assert page("coaching_client", org, luis.client) not in overview
    assert client.get(page("coaching_client", org, luis.client)).status_code == 403


def test_the_tabs_answer_404_to_another_organization_and_ask_strangers_to_sign_in(
    client, org, outsider, luis
):
    for name in ("client_timeline", "coaching_client", "client_referrals"):
        client.logout()
        response = client.get(page(name, org, luis.client))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        client.force_login(outsider)
        assert client.get(page(name, org, luis.client)).status_code == 404


def test_the_coaching_tab_queries_do_not_grow_with_engagements(
    client, org, members, memberships, luis
):
    client.force_login(members[Role.SOBER_COACH])
    # 1 session, 2 membership with organization and user (middleware); 3 the client within my
    # visibility; 4 its engagements; 5 their outstanding alerts; 6 the read audit of the
    # rows shown, one statement whatever their number; 7 switcher.
    with assert_queries(7, label="coaching tab"):
        assert client.get(page("coaching_client", org, luis.client)).status_code == 200
    # One open engagement a client: the others are over.
    for _ in range(3):
        engagement = EngagementFactory(
            organization=org,
            coach=memberships[Role.SOBER_COACH],
            client=luis.client,
            status=EngagementStatus.COMPLETED,
        )
        AlertFactory(organization=org, engagement=engagement)
    with assert_queries(7, label="coaching tab with more rows"):
        assert client.get(page("coaching_client", org, luis.client)).status_code == 200


def test_the_intervention_tab_lists_the_clients_interventions_and_requests(
    client, org, members, memberships
):
    from tests.interventions.factories import InterventionFactory, InterventionRequestFactory

    nora = ClientFactory(organization=org, first_name="Nora", last_name="Diaz")
    intervention = InterventionFactory(
        organization=org, request__client=nora, interventionist=memberships[Role.INTERVENTIONIST]
    )
    InterventionRequestFactory(
        organization=org, client=nora, episode=intervention.episode, is_urgent=True
    )
    InterventionRequestFactory(organization=org)  # another client's
    # As the intervention's creation does, the interventionist is on the care team.
    CareTeamMemberFactory(
        client=nora,
        membership=memberships[Role.INTERVENTIONIST],
        started_on=timezone.localdate() - timedelta(days=7),
    )
    client.force_login(members[Role.INTERVENTIONIST])
    body = client.get(page("intervention_client", org, nora)).content.decode()
    assert 'aria-current="page">Intervention</a>' in body
    detail = reverse(
        "staff:intervention_detail",
        kwargs={"org": org.slug, "intervention_id": intervention.public_id},
    )
    assert f'href="{detail}"' in body
    assert body.count(">Request ") == 2, "this client's two requests, not the other's"
    assert '<span class="badge badge--urgent">' in body
    # A coach holds no intervention role: no tab, and the page refuses.
    client.force_login(members[Role.SOBER_COACH])
    assert client.get(page("intervention_client", org, nora)).status_code == 403
