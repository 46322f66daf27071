from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from continuum.audit.models import AuditEvent
from continuum.care.models import (
    CareEpisode,
    HandoffRun,
    HandoffStatus,
    Phase,
    PhaseTransition,
    Task,
)
from continuum.care.services import episode_open, episode_transition, task_create
from continuum.people.models import Client
from continuum.tenancy.models import Role
from tests.people.factories import CareTeamMemberFactory, ClientFactory, FamilyRelationshipFactory
from tests.queries import assert_queries

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("care_timeline_only")]

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def url(name, org, **kwargs):
    return reverse(f"staff:{name}", kwargs={"org": org.slug, **kwargs})


@pytest.fixture
def team_client(org, memberships, client_record):
    """Jordan, served by the sober coach, with a parent on file."""
    CareTeamMemberFactory(
        client=client_record, membership=memberships[Role.SOBER_COACH], started_on=date(2020, 1, 1)
    )
    FamilyRelationshipFactory(
        client=client_record, family_member__first_name="Pat", is_primary_contact=True
    )
    return client_record


# --- client list ----------------------------------------------------------------------


def test_client_list_shows_only_the_coachs_clients_and_everything_to_admins(
    client, org, members, team_client
):
    with scope(organization=org.pk):
        ClientFactory(organization=org, first_name="Zed", last_name="Other")
    client.force_login(members[Role.SOBER_COACH])
    body = client.get(url("client_list", org)).content.decode()
    assert "Jordan Reyes" in body and "Zed Other" not in body
    client.force_login(members[Role.ORG_ADMIN])
    body = client.get(url("client_list", org)).content.decode()
    assert "Jordan Reyes" in body and "Zed Other" in body


def test_client_list_search_and_filters(client, org, members, admin_user, team_client, enqueued):
    with scope(organization=org.pk):
        other = ClientFactory(organization=org, first_name="Zed", last_name="Other")
        episode = episode_open(actor=admin_user, client=other)
        episode_transition(actor=admin_user, episode=episode, to_phase=Phase.PRE_TREATMENT)
    client.force_login(admin_user)
    body = client.get(url("client_list", org), {"q": "reye"}).content.decode()
    assert "Jordan Reyes" in body and "Zed Other" not in body
    body = client.get(url("client_list", org), {"phase": "pre_treatment"}).content.decode()
    assert "Zed Other" in body and "Jordan Reyes" not in body
    assert "Pre-treatment" in body
    body = client.get(url("client_list", org), {"phase": "none"}).content.decode()
    assert "Jordan Reyes" in body and "Zed Other" not in body
    body = client.get(url("client_list", org), {"role": "sober_coach"}).content.decode()
    assert "Jordan Reyes" in body and "Zed Other" not in body
    # Unknown filter values are ignored rather than erroring.
    assert (
        client.get(url("client_list", org), {"phase": "moon", "role": "x", "page": "y"}).status_code
        == 200
    )


def test_client_list_paginates_by_25_with_constant_queries(client, org, admin_user, team_client):
    client.force_login(admin_user)
    # 1 session, 2 membership with organization and user (middleware), 3 count, 4 page of clients
    # with their phase and care team (sub-selects), 5 one audit insert for the rows shown,
    # 6 switcher memberships (header).
    with assert_queries(6, label="client list"):
        assert client.get(url("client_list", org)).status_code == 200
    with scope(organization=org.pk):
        for n in range(30):
            c = ClientFactory(organization=org, last_name=f"Zz{n:02d}")
            CareTeamMemberFactory(client=c, membership=team_client.care_team.first().membership)
    with assert_queries(6, label="client list with more rows"):
        response = client.get(url("client_list", org))
    body = response.content.decode()
    assert body.count('scope="row"') == 25
    assert "Page 1 of 2" in body
    assert (
        client.get(url("client_list", org), {"page": 2}).content.decode().count('scope="row"') == 6
    )


def test_client_list_shows_names_and_teams_and_records_a_read_per_row(
    client, org, members, admin_user, team_client
):
    with scope(organization=org.pk):
        ClientFactory(organization=org, first_name="Zed", last_name="Other", preferred_name="Zee")
    client.force_login(admin_user)
    body = client.get(url("client_list", org)).content.decode()
    coach = members[Role.SOBER_COACH].get_full_name()
    assert f"{coach} (Sober coach)" in body
    # The preferred name links to the record; the legal name is shown beneath it.
    assert 'Zee Other</a><br><span class="helptext">Zed Other</span>' in body
    assert url("client_detail", org, client_id=team_client.public_id) in body
    with scope(organization=org.pk):
        events = AuditEvent.objects.filter(action="client.viewed", actor=admin_user)
        shown = set(events.values_list("object_id", flat=True))
        assert shown == {str(c.public_id) for c in Client.objects.all()}
        assert all(str(e.client_id) == e.object_id for e in events)


def test_client_list_access(client, org, members, outsider):
    target = url("client_list", org)
    response = client.get(target)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(outsider)
    assert client.get(target).status_code == 404
    client.force_login(members[Role.FAMILY_MEMBER])
    assert client.get(target).status_code == 403


# --- client page ----------------------------------------------------------------------


def test_a_coach_not_on_the_team_gets_404_and_admin_sees_it(client, org, members, team_client):
    page = url("client_detail", org, client_id=team_client.public_id)
    client.force_login(members[Role.CASE_MANAGER])
    assert client.get(page).status_code == 404
    client.force_login(members[Role.SOBER_COACH])
    assert client.get(page).status_code == 200
    client.force_login(members[Role.ORG_ADMIN])
    assert client.get(page).status_code == 200


def test_client_page_shows_team_family_phase_allowed_moves_and_timeline(
    client, org, admin_user, members, team_client, enqueued
):
    with scope(organization=org.pk):
        with time_machine.travel(NOW - timedelta(days=2), tick=False):
            episode = episode_open(actor=admin_user, client=team_client, reason="Mother called")
        with time_machine.travel(NOW - timedelta(days=1), tick=False):
            episode_transition(
                actor=admin_user,
                episode=episode,
                to_phase=Phase.PRE_TREATMENT,
                reason="Intervention booked",
            )
    client.force_login(members[Role.SOBER_COACH])
    response = client.get(url("client_detail", org, client_id=team_client.public_id))
    body = response.content.decode()
    assert "Jordan Reyes" in body
    assert "Sober coach" in body and "Pat " in body and "Primary contact" in body
    assert '<option value="residential">Residential</option>' in body
    assert '<option value="closed">Closed</option>' in body
    assert '<option value="aftercare">' not in body
    newer = body.index("Inquiry → Pre-treatment")
    older = body.index("Episode opened in Inquiry")
    assert newer < older, "the timeline is newest first"
    assert "Intervention booked" in body
    with scope(organization=org.pk):
        assert AuditEvent.objects.filter(
            action="client.viewed", client_id=team_client.public_id
        ).exists()


def test_client_page_queries_do_not_grow_with_the_timeline(
    client, org, admin_user, team_client, enqueued
):
    with scope(organization=org.pk):
        episode = episode_open(actor=admin_user, client=team_client)
    client.force_login(admin_user)
    page = url("client_detail", org, client_id=team_client.public_id)
    # 1 session, 2 membership with organization and user (middleware), 3 the client within the
    # visitor's visibility, 4 audit of the read, 5 current episode, 6 phase transitions with
    # actors, 7 tasks with assignees (one query per timeline provider), 8 switcher
    # memberships (header), 9 care team with staff, 10 family with members.
    with assert_queries(10, label="client page"):
        assert client.get(page).status_code == 200
    with scope(organization=org.pk):
        for n in range(30):
            task_create(
                actor=admin_user,
                organization=org,
                title=f"Task {n}",
                client=team_client,
                queue_role=Role.INTAKE_COORDINATOR,
            )
        episode_transition(actor=admin_user, episode=episode, to_phase=Phase.PRE_TREATMENT)
    with assert_queries(10, label="client page with more rows"):
        response = client.get(page)
    body = response.content.decode()
    # The overview shows the latest five and links to the timeline tab for the rest.
    assert body.count('class="timeline__entry') == 5
    timeline_tab = url("client_timeline", org, client_id=team_client.public_id)
    assert f'href="{timeline_tab}"' in body
    # The tab: the same queries as the overview's timeline, whatever the rows (1-4
    # middleware, 5 the client, 6 audit of the read, 7-8 one per timeline provider,
    # 9 switcher), and pages.
    with assert_queries(7, label="timeline tab"):
        tab = client.get(timeline_tab).content.decode()
    assert tab.count('class="timeline__entry') == 20
    assert 'rel="next"' in tab
    assert 'aria-current="page">Timeline</a>' in tab
    second = client.get(timeline_tab, {"page": 2}).content.decode()
    assert "Episode opened in Inquiry" in second


# --- episodes -------------------------------------------------------------------------


def test_opening_an_episode_from_the_client_page(client, org, members, team_client, enqueued):
    client.force_login(members[Role.SOBER_COACH])
    response = client.post(
        url("episode_open", org, client_id=team_client.public_id),
        {"phase": "inquiry", "reason": "Sister called"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("client_detail", org, client_id=team_client.public_id)
    with scope(organization=org.pk):
        episode = CareEpisode.objects.get(client=team_client)
        assert episode.phase == Phase.INQUIRY
        assert HandoffRun.objects.filter(
            transition__episode=episode, name="care.inquiry_triage"
        ).exists()
    # A second one is refused with the reason, and nothing is added.
    response = client.post(
        url("episode_open", org, client_id=team_client.public_id), {"phase": "inquiry"}
    )
    assert response.status_code == 400
    assert "already has an open episode" in response.content.decode()
    response = client.post(
        url("episode_open", org, client_id=team_client.public_id), {"phase": "closed"}
    )
    assert response.status_code == 400
    with scope(organization=org.pk):
        assert CareEpisode.objects.filter(client=team_client).count() == 1


def test_changing_phase_from_the_page_records_it(
    client, org, members, admin_user, team_client, enqueued
):
    with scope(organization=org.pk):
        episode = episode_open(actor=admin_user, client=team_client)
        episode_transition(actor=admin_user, episode=episode, to_phase=Phase.PRE_TREATMENT)
    client.force_login(members[Role.SOBER_COACH])
    page = url("episode_transition", org, episode_id=episode.public_id)
    assert "Change phase" in client.get(page).content.decode()
    response = client.post(
        page,
        {
            "to_phase": "residential",
            "reason": "Admitted today",
            "admission_date": "2026-02-01",
            "residential_program": "Harbor House",
        },
    )
    assert response.status_code == 302
    with scope(organization=org.pk):
        episode.refresh_from_db()
        transition = PhaseTransition.objects.filter(episode=episode).first()
    assert (episode.phase, episode.admission_date) == ("residential", date(2026, 2, 1))
    assert (transition.to_phase, transition.reason, transition.actor) == (
        "residential",
        "Admitted today",
        members[Role.SOBER_COACH],
    )
    follow = client.get(response["Location"]).content.decode()
    assert "moved to Residential" in follow


def test_an_illegal_move_is_refused_with_the_allowed_phases(
    client, org, admin_user, team_client, enqueued
):
    with scope(organization=org.pk):
        episode = episode_open(actor=admin_user, client=team_client)
    client.force_login(admin_user)
    page = url("episode_transition", org, episode_id=episode.public_id)
    response = client.post(page, {"to_phase": "aftercare", "discharge_date": "not a date"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Discharge date: Enter a valid date." in body
    response = client.post(page, {"to_phase": "aftercare"})
    assert response.status_code == 400
    assert (
        "cannot move to Aftercare; it can move to Pre-treatment or Closed."
        in response.content.decode()
    )
    with scope(organization=org.pk):
        episode.refresh_from_db()
        assert episode.phase == Phase.INQUIRY
        assert PhaseTransition.objects.filter(episode=episode).count() == 1


def test_a_staff_member_off_the_team_cannot_move_the_episode(
    client, org, members, admin_user, team_client, enqueued
):
    with scope(organization=org.pk):
        episode = episode_open(actor=admin_user, client=team_client)
    client.force_login(members[Role.CASE_MANAGER])
    response = client.post(
        url("episode_transition", org, episode_id=episode.public_id), {"to_phase": "pre_treatment"}
    )
    assert response.status_code == 404
    with scope(organization=org.pk):
        episode.refresh_from_db()
    assert episode.phase == Phase.INQUIRY


# --- my work --------------------------------------------------------------------------


@pytest.fixture
def coach_tasks(org, memberships, team_client):
    coach = memberships[Role.SOBER_COACH]
    with scope(organization=org.pk):
        later = task_create(
            actor=None,
            organization=org,
            title="Later call",
            assignee=coach,
            due_at=NOW + timedelta(days=3),
            client=team_client,
        )
        overdue = task_create(
            actor=None,
            organization=org,
            title="Overdue call",
            assignee=coach,
            due_at=NOW - timedelta(hours=5),
            kind="deadline",
        )
        soon = task_create(
            actor=None,
            organization=org,
            title="Soon call",
            assignee=coach,
            due_at=NOW + timedelta(hours=2),
        )
        undated = task_create(actor=None, organization=org, title="Someday", assignee=coach)
        task_create(
            actor=None, organization=org, title="Intake only", queue_role=Role.INTAKE_COORDINATOR
        )
        task_create(
            actor=None,
            organization=org,
            title="Case manager only",
            assignee=memberships[Role.CASE_MANAGER],
        )
    return {"later": later, "overdue": overdue, "soon": soon, "undated": undated}


@time_machine.travel(NOW, tick=False)
def test_my_work_lists_my_open_tasks_overdue_first_then_by_due_date(
    client, org, members, coach_tasks
):
    client.force_login(members[Role.SOBER_COACH])
    body = client.get(url("my_work", org)).content.decode()
    positions = [body.index(t) for t in ("Overdue call", "Soon call", "Later call", "Someday")]
    assert positions == sorted(positions)
    assert "Intake only" not in body and "Case manager only" not in body
    assert body.count('<span class="badge badge--high">Overdue</span>') == 1
    assert "No safety alert is waiting for you." in body
    client.force_login(members[Role.INTAKE_COORDINATOR])
    body = client.get(url("my_work", org)).content.decode()
    assert "Intake only" in body and "Overdue call" not in body


@time_machine.travel(NOW, tick=False)
def test_my_work_queries_do_not_grow_with_tasks(client, org, members, memberships, coach_tasks):
    client.force_login(members[Role.SOBER_COACH])
    # 1 session, 2 membership with organization and user (middleware), 3 my open tasks with
    # clients, 4 safety events waiting for me (alerts), 5-6 the engagements I coach and
    # their count (coaching's My work section), 7 switcher memberships (header).
    with assert_queries(7, label="my work"):
        assert client.get(url("my_work", org)).status_code == 200
    with scope(organization=org.pk):
        for n in range(10):
            task_create(
                actor=None,
                organization=org,
                title=f"Extra {n}",
                assignee=memberships[Role.SOBER_COACH],
                client=ClientFactory(organization=org),
            )
    with assert_queries(7, label="my work with more tasks"):
        assert client.get(url("my_work", org)).status_code == 200


@time_machine.travel(NOW, tick=False)
def test_marking_done_without_javascript_and_with_htmx(client, org, members, coach_tasks):
    client.force_login(members[Role.SOBER_COACH])
    response = client.post(url("task_done", org, task_id=coach_tasks["soon"].public_id))
    assert response.status_code == 302 and response["Location"] == url("my_work", org)
    body = client.get(url("my_work", org)).content.decode()
    assert "Done: Soon call" in body
    assert body.count("Soon call") == 1, "only the confirmation mentions it"
    response = client.post(
        url("task_done", org, task_id=coach_tasks["later"].public_id), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert (
        '<tr id="task-{}" class="task--done">'.format(coach_tasks["later"].public_id)
        in response.content.decode()
    )
    with scope(organization=org.pk):
        statuses = dict(
            Task.objects.filter(title__in=["Soon call", "Later call"]).values_list(
                "title", "status"
            )
        )
    assert statuses == {"Soon call": "done", "Later call": "done"}


def test_someone_elses_task_is_404(client, org, members, coach_tasks):
    client.force_login(members[Role.CASE_MANAGER])
    response = client.post(url("task_done", org, task_id=coach_tasks["soon"].public_id))
    assert response.status_code == 404
    with scope(organization=org.pk):
        assert Task.objects.get(pk=coach_tasks["soon"].pk).status == "open"


# --- failed handoffs ------------------------------------------------------------------


def test_admins_see_failed_handoffs_and_run_them_again(
    client, org, admin_user, team_client, enqueued, django_capture_on_commit_callbacks
):
    with scope(organization=org.pk):
        episode = episode_open(actor=admin_user, client=team_client)
        run = HandoffRun.objects.get(transition__episode=episode, name="care.inquiry_triage")
        HandoffRun.objects.filter(pk=run.pk).update(
            status=HandoffStatus.FAILED,
            attempts=7,
            error="OperationalError: server closed the connection",
            last_attempt_at=NOW,
        )
    enqueued.clear()
    client.force_login(admin_user)
    body = client.get(url("handoff_failures", org)).content.decode()
    assert "care.inquiry_triage" in body and "server closed the connection" in body
    assert "Jordan Reyes" in body
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("handoff_rerun", org, handoff_run_id=run.public_id))
    assert response.status_code == 302
    with scope(organization=org.pk):
        run.refresh_from_db()
    assert run.status == HandoffStatus.PENDING
    assert enqueued == [{"organization_id": org.pk, "run_id": run.pk}]
    body = client.get(url("handoff_failures", org)).content.decode()
    assert "will run again shortly" in body and "No failed handoffs." in body
    # Asking again for a run that is no longer failed says so and enqueues nothing.
    response = client.post(url("handoff_rerun", org, handoff_run_id=run.public_id), follow=True)
    assert "Only a failed handoff can be run again." in response.content.decode()
    assert len(enqueued) == 1


def test_failed_handoffs_page_queries_are_constant(client, org, admin_user, enqueued):
    client.force_login(admin_user)

    def fail_one():
        with scope(organization=org.pk):
            episode = episode_open(actor=admin_user, client=ClientFactory(organization=org))
            HandoffRun.objects.filter(transition__episode=episode).update(
                status=HandoffStatus.FAILED, error="x"
            )

    fail_one()
    # 1 session, 2 membership with organization and user (middleware), 3 count, 4 page of runs
    # with transition, episode and client, 5 switcher memberships (header).
    with assert_queries(5, label="failed handoffs"):
        assert client.get(url("handoff_failures", org)).status_code == 200
    for _ in range(3):
        fail_one()
    with assert_queries(5, label="failed handoffs with more rows"):
        assert client.get(url("handoff_failures", org)).status_code == 200


# --- portal ---------------------------------------------------------------------------


def test_a_client_sees_their_own_phase_and_care_team(
    client, org, members, admin_user, team_client, enqueued
):
    with scope(organization=org.pk):
        team_client.portal_user = members[Role.CLIENT]
        team_client.save(update_fields=["portal_user"])
        episode_open(actor=admin_user, client=team_client)
    client.force_login(members[Role.CLIENT])
    body = client.get(reverse("portal:my_care", kwargs={"org": org.slug})).content.decode()
    assert "Inquiry, since" in body
    assert members[Role.SOBER_COACH].get_full_name() in body and "Sober coach" in body
    assert "Pat " not in body, "family details are not part of this page"


def test_a_client_login_without_a_record_is_told_so(client, org, members):
    client.force_login(members[Role.CLIENT])
    response = client.get(reverse("portal:my_care", kwargs={"org": org.slug}))
    assert response.status_code == 200
    assert "not connected to this login yet" in response.content.decode()


def test_a_transition_answers_success_when_the_broker_is_down_and_the_sweep_starts_its_runs(
    client,
    org,
    members,
    admin_user,
    team_client,
    monkeypatch,
    temporary_handoff,
    django_capture_on_commit_callbacks,
):
    """The move commits, the page says so at once, and the runs start within a minute."""
    from kombu.exceptions import OperationalError

    from continuum.care import tasks
    from continuum.operations import broker

    attempts = []

    def down(*args, **kwargs):
        attempts.append(kwargs["kwargs"])
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.handoff_run_task, "apply_async", down)
    for name in ("test.first_call", "test.plan_meeting"):
        temporary_handoff(name, enters=[Phase.PRE_TREATMENT], func=lambda *, transition: None)
    with scope(organization=org.pk):
        episode = episode_open(actor=admin_user, client=team_client)
    broker.reset()
    attempts.clear()
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("episode_transition", org, episode_id=episode.public_id),
            {"to_phase": "pre_treatment", "reason": "Family engaged"},
        )
    assert response.status_code == 302
    assert "moved to Pre-treatment" in client.get(response["Location"]).content.decode()
    with scope(organization=org.pk):
        episode.refresh_from_db()
        moved = HandoffRun.objects.filter(transition__to_phase="pre_treatment")
        runs = list(moved.values_list("status", flat=True))
        run_ids = set(moved.values_list("pk", flat=True))
    assert episode.phase == "pre_treatment"
    assert runs == ["pending", "pending"]
    # One failed publish, then the broker is skipped: the request paid the timeout once.
    assert len(attempts) == 1

    sent = []
    monkeypatch.setattr(
        tasks.handoff_run_task, "apply_async", lambda *a, **kw: sent.append(kw["kwargs"])
    )
    broker.reset()
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        tasks.handoff_sweep()
    assert run_ids <= {message["run_id"] for message in sent}
