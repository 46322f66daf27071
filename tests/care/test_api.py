from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope

from continuum.care.models import CareEpisode, Phase, PhaseTransition, Task
from continuum.care.services import episode_open, task_create
from continuum.tenancy.models import Role
from tests.people.factories import CareTeamMemberFactory, ClientFactory
from tests.queries import assert_queries

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def api_url(name, org, **kwargs):
    return reverse(f"api:{name}", kwargs={"org": org.slug, **kwargs})


@pytest.fixture
def coach_client(org, memberships, client_record):
    CareTeamMemberFactory(
        client=client_record,
        membership=memberships[Role.SOBER_COACH],
        started_on=NOW.date() - timedelta(days=400),
    )
    return client_record


def test_open_list_and_retrieve_episodes(client, org, members, coach_client, enqueued):
    client.force_login(members[Role.SOBER_COACH])
    response = client.post(
        api_url("episode_list", org),
        {"client": str(coach_client.public_id), "reason": "Call"},
        content_type="application/json",
    )
    assert response.status_code == 201
    episode = response.json()
    assert episode["phase"] == "inquiry" and episode["allowed_next_phases"] == [
        "pre_treatment",
        "closed",
    ]
    listed = client.get(api_url("episode_list", org)).json()
    assert [e["id"] for e in listed["results"]] == [episode["id"]]
    detail = client.get(api_url("episode_detail", org, episode_id=episode["id"])).json()
    assert [(t["from_phase"], t["to_phase"], t["reason"]) for t in detail["transitions"]] == [
        ("", "inquiry", "Call")
    ]


def test_opening_for_an_invisible_client_is_refused(client, org, members, coach_client, enqueued):
    client.force_login(members[Role.CASE_MANAGER])
    response = client.post(
        api_url("episode_list", org),
        {"client": str(coach_client.public_id)},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json() == {"client": ["No such client."]}
    client.force_login(members[Role.SOBER_COACH])
    response = client.post(
        api_url("episode_list", org),
        {"client": str(coach_client.public_id), "phase": "closed"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "phase" in response.json()
    with scope(organization=org.pk):
        assert not CareEpisode.objects.exists()


def test_episode_list_queries_are_constant(client, org, admin_user, enqueued):
    client.force_login(admin_user)
    with scope(organization=org.pk):
        episode_open(actor=admin_user, client=ClientFactory(organization=org))
    # 1 session, 2 membership with organization and user (middleware), 3 count, 4 page of
    # episodes with their clients, 5 one audit insert for the rows returned.
    with assert_queries(5, label="episode list API"):
        assert client.get(api_url("episode_list", org)).json()["count"] == 1
    with scope(organization=org.pk):
        for _ in range(4):
            episode_open(actor=admin_user, client=ClientFactory(organization=org))
    with assert_queries(5, label="episode list API with more rows"):
        assert client.get(api_url("episode_list", org)).json()["count"] == 5


def test_transition_endpoint_moves_and_refuses_clearly(
    client, org, members, coach_client, enqueued
):
    with scope(organization=org.pk):
        episode = episode_open(actor=members[Role.SOBER_COACH], client=coach_client)
    client.force_login(members[Role.SOBER_COACH])
    endpoint = api_url("episode_transitions", org, episode_id=episode.public_id)
    response = client.post(endpoint, {"to_phase": "residential"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "to_phase": [
            "An episode in Inquiry cannot move to Residential; it can move to Pre-treatment or Closed."
        ]
    }
    response = client.post(endpoint, {"to_phase": "nowhere"}, content_type="application/json")
    assert response.status_code == 400 and "to_phase" in response.json()
    response = client.post(endpoint, {"to_phase": "closed"}, content_type="application/json")
    assert response.status_code == 400 and "closed_reason" in response.json()
    response = client.post(
        endpoint,
        {"to_phase": "pre_treatment", "reason": "Family ready"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert (response.json()["from_phase"], response.json()["to_phase"]) == (
        "inquiry",
        "pre_treatment",
    )
    with scope(organization=org.pk):
        episode.refresh_from_db()
        assert episode.phase == Phase.PRE_TREATMENT
        assert PhaseTransition.objects.filter(episode=episode).count() == 2
    client.force_login(members[Role.CASE_MANAGER])
    response = client.post(
        endpoint,
        {"to_phase": "closed", "closed_reason": "declined"},
        content_type="application/json",
    )
    assert response.status_code == 404


@time_machine.travel(NOW, tick=False)
def test_my_tasks_list_and_status_update(client, org, members, memberships, coach_client):
    coach = memberships[Role.SOBER_COACH]
    with scope(organization=org.pk):
        later = task_create(
            actor=None,
            organization=org,
            title="Later",
            assignee=coach,
            due_at=NOW + timedelta(days=1),
            client=coach_client,
        )
        overdue = task_create(
            actor=None,
            organization=org,
            title="Overdue",
            assignee=coach,
            due_at=NOW - timedelta(days=1),
        )
        task_create(
            actor=None, organization=org, title="Not mine", queue_role=Role.INTAKE_COORDINATOR
        )
    client.force_login(members[Role.SOBER_COACH])
    # 1 session, 2 membership with organization and user (middleware), 3 count, 4 page of my
    # tasks with clients and assignees.
    with assert_queries(4, label="task list API"):
        data = client.get(api_url("task_list", org)).json()
    assert [t["title"] for t in data["results"]] == ["Overdue", "Later"]
    assert data["results"][1]["client_name"] == "Jordan Reyes"
    with scope(organization=org.pk):
        for n in range(5):
            task_create(
                actor=None,
                organization=org,
                title=f"More {n}",
                assignee=coach,
                client=ClientFactory(organization=org),
            )
    with assert_queries(4, label="task list API with more rows"):
        assert client.get(api_url("task_list", org)).json()["count"] == 7
    detail = api_url("task_detail", org, task_id=overdue.public_id)
    assert client.get(detail).json()["status"] == "open"
    response = client.patch(detail, {"status": "finished"}, content_type="application/json")
    assert response.status_code == 400 and "status" in response.json()
    response = client.patch(detail, {"status": "done"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "done"
    with scope(organization=org.pk):
        assert Task.objects.get(pk=overdue.pk).completed_by == members[Role.SOBER_COACH]
    client.force_login(members[Role.CASE_MANAGER])
    response = client.patch(
        api_url("task_detail", org, task_id=later.public_id),
        {"status": "done"},
        content_type="application/json",
    )
    assert response.status_code == 404
