from django.urls import reverse

from continuum.tenancy.models import Role
from outcomes import services
from outcomes.models import Method
from tests.queries import assert_queries

from .factories import FollowUpFactory, answers


def test_staff_read_a_clients_follow_ups_with_the_answers(client, org, members, outsider, person):
    done = FollowUpFactory(episode__client=person)
    services.follow_up_answer(
        actor=members[Role.CASE_MANAGER], follow_up=done, answers=answers(), method=Method.PHONE
    )
    path = reverse(
        "api:outcomes_client_follow_ups", kwargs={"org": org.slug, "client_id": person.public_id}
    )
    assert client.get(path).status_code == 401
    client.force_login(members[Role.CASE_MANAGER])
    [row] = client.get(path).json()["results"]
    assert (row["method"], row["barc10_total"], row["recorded_by"]) == (
        "phone",
        40,
        "case_manager@harbor.example.com",
    )
    assert row["barc10_answers"] == {f"q{n}": 4 for n in range(1, 11)}
    client.force_login(members[Role.INTERVENTIONIST])
    assert client.get(path).status_code == 403
    client.force_login(outsider)
    assert client.get(path).status_code == 404
    client.force_login(members[Role.SOBER_COACH])  # not on Sam's care team
    assert client.get(path).status_code == 404


def test_the_api_list_costs_the_same_for_one_follow_up_or_several(client, org, members, person):
    first = FollowUpFactory(episode__client=person)
    path = reverse(
        "api:outcomes_client_follow_ups", kwargs={"org": org.slug, "client_id": person.public_id}
    )
    client.force_login(members[Role.CASE_MANAGER])
    # session, membership with organization and user; client (visibility), the page's
    # count, the follow-ups, the audit insert of the rows read
    expected = 6
    with assert_queries(expected, label="one follow-up"):
        assert len(client.get(path).json()["results"]) == 1
    for offset in (90, 180, 365):
        FollowUpFactory(episode=first.episode, offset_days=offset)
    with assert_queries(expected, label="four follow-ups"):
        assert len(client.get(path).json()["results"]) == 4


def test_the_client_reads_their_own_follow_ups(client, org, members, person, in_org):
    mine = FollowUpFactory(episode__client=person)
    FollowUpFactory(episode__client__organization=in_org)  # someone else's
    path = reverse("api:outcomes_my_follow_ups", kwargs={"org": org.slug})
    client.force_login(members[Role.CLIENT])
    rows = client.get(path).json()["results"]
    assert [r["id"] for r in rows] == [str(mine.public_id)]
    client.force_login(members[Role.CASE_MANAGER])
    assert client.get(path).status_code == 403
