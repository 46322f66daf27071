import pytest
from django.urls import reverse
from django_scopes import scope
from rest_framework.test import APIClient

from continuum.tenancy.models import Membership, Role
from interventions.models import InterventionOutcome
from tests.factories import MembershipFactory, UserFactory
from tests.interventions.factories import (
    InterventionFactory,
    InterventionRequestFactory,
    LetterFactory,
    ParticipantFactory,
)
from tests.queries import assert_queries


def api(name, org, **kw):
    return reverse(f"api:{name}", kwargs={"org": org.slug, **kw})


@pytest.fixture
def api_client():
    return APIClient()


def as_user(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def test_request_queue_lists_urgent_first(api_client, org, members):
    with scope(organization=org.pk):
        calm = InterventionRequestFactory(organization=org)
        urgent = InterventionRequestFactory(
            organization=org, is_urgent=True, danger_signs=["overdose"]
        )
    response = as_user(api_client, members[Role.INTAKE_COORDINATOR]).get(
        api("intervention_request_list", org)
    )
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [
        str(urgent.public_id),
        str(calm.public_id),
    ]
    assert response.json()["results"][0]["danger_signs"] == ["overdose"]


def test_request_queue_query_count_is_flat(api_client, org, members):
    as_user(api_client, members[Role.INTAKE_COORDINATOR])
    with scope(organization=org.pk):
        InterventionRequestFactory(organization=org)
    # 1 organization (middleware), 2 membership (API permission), 3 count, 4 page of
    # requests with client, requester and episode
    with assert_queries(4):
        api_client.get(api("intervention_request_list", org))
    with scope(organization=org.pk):
        for _ in range(3):
            InterventionRequestFactory(organization=org)
    with assert_queries(4):
        response = api_client.get(api("intervention_request_list", org))
    assert response.json()["count"] == 4


@pytest.fixture
def intervention(org, members):
    with scope(organization=org.pk):
        interventionist = Membership.objects.get(
            organization=org, user=members[Role.INTERVENTIONIST]
        )
        return InterventionFactory(organization=org, interventionist=interventionist)


def test_intervention_detail_has_participants_and_outcomes(api_client, org, members, intervention):
    with scope(organization=org.pk):
        ParticipantFactory(intervention=intervention, name="Ana Lopez", speaking_order=1)
    response = as_user(api_client, members[Role.INTERVENTIONIST]).get(
        api("intervention_detail", org, intervention_id=intervention.public_id)
    )
    assert response.status_code == 200
    body = response.json()
    assert [p["name"] for p in body["participants"]] == ["Ana Lopez"]
    assert body["outcomes"] == [] and body["outcome"] == ""


def test_outcome_bad_input_records_nothing(api_client, org, members, intervention):
    as_user(api_client, members[Role.INTERVENTIONIST])
    target = api("intervention_outcome", org, intervention_id=intervention.public_id)
    assert api_client.post(target, {"outcome": "maybe"}).status_code == 400
    response = api_client.post(target, {"outcome": "accepted"})
    assert response.status_code == 400
    assert "Arrange the treatment program" in response.json()["outcome"][0]
    with scope(organization=org.pk):
        assert not InterventionOutcome.objects.exists()
    # The day has no date: recording before it says why.
    response = api_client.post(target, {"outcome": "declined", "notes": "Left the room"})
    assert response.status_code == 400 and "has no date yet" in response.json()["early_reason"][0]
    response = api_client.post(
        target,
        {"outcome": "declined", "notes": "Left the room", "early_reason": "Met him by chance"},
    )
    assert response.status_code == 201 and response.json()["outcome"] == "declined"
    assert response.json()["notes"] == "Recorded before the day: Met him by chance\n\nLeft the room"


def test_letters_only_for_author_and_interventionist(api_client, org, members, intervention):
    author, sister = UserFactory(), UserFactory()
    with scope(organization=org.pk):
        for user in (author, sister):
            MembershipFactory(organization=org, user=user, roles=[Role.FAMILY_MEMBER])
        mine = ParticipantFactory(intervention=intervention, user=author, name="Ana Lopez")
        ParticipantFactory(intervention=intervention, user=sister, name="Eva Lopez")
        letter = LetterFactory(organization=org, participant=mine, author=author, body="Dear Sam")
    listing = api("intervention_letters", org, intervention_id=intervention.public_id)
    detail = api("intervention_letter", org, letter_id=letter.public_id)

    assert (
        as_user(api_client, members[Role.INTERVENTIONIST]).get(listing).json()[0]["body"]
        == "Dear Sam"
    )
    assert api_client.patch(detail, {"body": "Edited"}, format="json").status_code == 403
    assert as_user(api_client, members[Role.ORG_ADMIN]).get(detail).status_code == 403
    assert as_user(api_client, sister).get(detail).status_code == 404
    assert api_client.get(listing).json() == []

    as_user(api_client, author)
    response = api_client.patch(
        detail, {"body": "Dear Sam, I remember", "submit": True}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    assert api_client.patch(detail, {}, format="json").status_code == 400
