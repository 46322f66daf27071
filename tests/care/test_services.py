from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from continuum.audit.models import AuditEvent
from continuum.care.models import (
    CareEpisode,
    HandoffRun,
    HandoffStatus,
    Phase,
    PhaseTransition,
    Task,
)
from continuum.care.services import (
    episode_open,
    episode_transition,
    handoff_execute,
    handoff_rerun,
    task_create,
    task_set_status,
)
from continuum.care.tasks import handoff_backoff, handoff_run_task
from continuum.tenancy.models import Role
from tests.care.factories import HandoffRunFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def _walk_to(episode, actor, *phases):
    details = {
        Phase.RESIDENTIAL: {
            "admission_date": date(2026, 2, 1),
            "residential_program": "Harbor House",
        },
        Phase.AFTERCARE: {"discharge_date": date(2026, 3, 1), "discharge_type": "planned"},
    }
    for phase in phases:
        episode_transition(
            actor=actor,
            episode=episode,
            to_phase=phase,
            reason=f"to {phase}",
            **details.get(phase, {}),
        )
        episode.refresh_from_db()
    return episode


def test_opening_an_episode_records_it_and_queues_the_triage_handoff(
    client_record, admin_user, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        episode = episode_open(actor=admin_user, client=client_record, reason="Mother called")
    transition = PhaseTransition.objects.get(episode=episode)
    assert (transition.from_phase, transition.to_phase, transition.actor) == (
        "",
        "inquiry",
        admin_user,
    )
    assert transition.reason == "Mother called"
    run = HandoffRun.objects.get(transition=transition)
    assert (run.name, run.status) == ("care.inquiry_triage", "pending")
    assert enqueued == [{"organization_id": client_record.organization_id, "run_id": run.pk}]
    assert AuditEvent.objects.filter(
        action="episode.opened", client_id=client_record.public_id
    ).exists()


def test_a_second_open_episode_is_refused(client_record, admin_user, enqueued):
    episode_open(actor=admin_user, client=client_record)
    with pytest.raises(ValidationError, match="already has an open episode"):
        episode_open(actor=admin_user, client=client_record)
    assert CareEpisode.objects.filter(client=client_record).count() == 1


def test_the_whole_continuum_is_recorded_step_by_step(client_record, admin_user, enqueued):
    episode = episode_open(actor=admin_user, client=client_record)
    _walk_to(
        episode, admin_user, Phase.PRE_TREATMENT, Phase.RESIDENTIAL, Phase.AFTERCARE, Phase.ALUMNI
    )
    episode_transition(
        actor=admin_user,
        episode=episode,
        to_phase=Phase.CLOSED,
        reason="Five years sober",
        closed_reason="completed",
    )
    episode.refresh_from_db()
    assert episode.phase == Phase.CLOSED and episode.closed_reason == "completed"
    assert episode.closed_at is not None
    assert (episode.admission_date, episode.discharge_date) == (date(2026, 2, 1), date(2026, 3, 1))
    assert episode.residential_program == "Harbor House"
    steps = list(
        PhaseTransition.objects.filter(episode=episode)
        .order_by("at", "id")
        .values_list("from_phase", "to_phase")
    )
    assert steps == [
        ("", "inquiry"),
        ("inquiry", "pre_treatment"),
        ("pre_treatment", "residential"),
        ("residential", "aftercare"),
        ("aftercare", "alumni"),
        ("alumni", "closed"),
    ]
    residential = PhaseTransition.objects.get(episode=episode, to_phase="residential")
    assert residential.details["admission_date"] == "2026-02-01"
    assert residential.actor == admin_user and residential.reason == "to residential"
    assert (
        AuditEvent.objects.filter(
            action="episode.transitioned", object_id=str(episode.public_id)
        ).count()
        == 5
    )


@pytest.mark.parametrize(
    ("path", "target", "message"),
    [
        (
            (),
            Phase.AFTERCARE,
            "An episode in Inquiry cannot move to Aftercare; it can move to Pre-treatment or Closed.",
        ),
        ((Phase.PRE_TREATMENT,), Phase.INQUIRY, "cannot move to Inquiry"),
        ((), Phase.INQUIRY, "The episode is already in Inquiry."),
    ],
)
def test_illegal_transitions_are_refused_and_nothing_is_recorded(
    client_record, admin_user, enqueued, path, target, message
):
    episode = _walk_to(episode_open(actor=admin_user, client=client_record), admin_user, *path)
    before = PhaseTransition.objects.count()
    with pytest.raises(ValidationError) as exc:
        episode_transition(actor=admin_user, episode=episode, to_phase=target, reason="")
    assert message in exc.value.message_dict["to_phase"][0]
    episode.refresh_from_db()
    assert episode.phase == (path[-1] if path else Phase.INQUIRY)
    assert PhaseTransition.objects.count() == before


def test_closing_needs_a_reason_and_a_closed_episode_stays_closed(
    client_record, admin_user, enqueued
):
    episode = episode_open(actor=admin_user, client=client_record)
    with pytest.raises(ValidationError) as exc:
        episode_transition(actor=admin_user, episode=episode, to_phase=Phase.CLOSED)
    assert "closed_reason" in exc.value.message_dict
    episode_transition(
        actor=admin_user, episode=episode, to_phase=Phase.CLOSED, closed_reason="declined"
    )
    with pytest.raises(ValidationError, match="closed; open a new episode"):
        episode_transition(actor=admin_user, episode=episode, to_phase=Phase.PRE_TREATMENT)
    # A new episode can start once the old one is closed.
    assert episode_open(actor=admin_user, client=client_record).phase == Phase.INQUIRY


def test_discharge_before_admission_is_refused(client_record, admin_user, enqueued):
    episode = _walk_to(
        episode_open(actor=admin_user, client=client_record),
        admin_user,
        Phase.PRE_TREATMENT,
        Phase.RESIDENTIAL,
    )
    with pytest.raises(ValidationError) as exc:
        episode_transition(
            actor=admin_user,
            episode=episode,
            to_phase=Phase.AFTERCARE,
            discharge_date=date(2026, 1, 1),
        )
    assert "before the admission date" in exc.value.message_dict["discharge_date"][0]
    episode.refresh_from_db()
    assert episode.phase == Phase.RESIDENTIAL and episode.discharge_date is None


@time_machine.travel(NOW, tick=False)
def test_inquiry_handoff_creates_one_triage_task_and_a_rerun_is_a_no_op(
    client_record, admin_user, enqueued
):
    episode = episode_open(actor=admin_user, client=client_record)
    run = HandoffRun.objects.get(transition__episode=episode)
    assert handoff_execute(run_id=run.pk).status == HandoffStatus.SUCCEEDED
    again = handoff_execute(run_id=run.pk)
    assert (again.status, again.attempts) == (HandoffStatus.SUCCEEDED, 1)
    task = Task.objects.get(client=client_record)
    assert task.queue_role == Role.INTAKE_COORDINATOR and task.assignee is None
    assert task.title == "Triage new inquiry for Jordan Reyes"
    assert task.due_at == NOW + timedelta(hours=client_record.organization.response_time_hours)
    assert task.source == "handoff:care.inquiry_triage"


@time_machine.travel(NOW, tick=False)
def test_aftercare_first_contact_goes_to_the_case_manager(
    client_record, admin_user, memberships, with_case_manager, enqueued
):
    episode = _walk_to(
        episode_open(actor=admin_user, client=client_record),
        admin_user,
        Phase.PRE_TREATMENT,
        Phase.RESIDENTIAL,
        Phase.AFTERCARE,
    )
    run = HandoffRun.objects.get(transition__episode=episode, name="care.aftercare_first_contact")
    handoff_execute(run_id=run.pk)
    task = Task.objects.get(source="handoff:care.aftercare_first_contact")
    assert task.assignee == memberships["case_manager"]
    # Discharged on March 1 (entered a day later): 72 h from the start of March 1 in
    # New York (05:00 UTC), not from data entry.
    assert task.due_at == datetime(2026, 3, 1, 5, 0, tzinfo=UTC) + timedelta(hours=72)


def test_aftercare_first_contact_falls_back_to_intake(client_record, admin_user, enqueued):
    episode = _walk_to(
        episode_open(actor=admin_user, client=client_record),
        admin_user,
        Phase.PRE_TREATMENT,
        Phase.RESIDENTIAL,
        Phase.AFTERCARE,
    )
    run = HandoffRun.objects.get(transition__episode=episode, name="care.aftercare_first_contact")
    handoff_execute(run_id=run.pk)
    task = Task.objects.get(source="handoff:care.aftercare_first_contact")
    assert (task.assignee, task.queue_role) == (None, Role.INTAKE_COORDINATOR)


def test_leave_handoffs_run_when_leaving_a_phase(
    client_record, admin_user, enqueued, temporary_handoff
):
    temporary_handoff(
        "test.left_residential", leaves=[Phase.RESIDENTIAL], func=lambda *, transition: None
    )
    episode = _walk_to(
        episode_open(actor=admin_user, client=client_record),
        admin_user,
        Phase.PRE_TREATMENT,
        Phase.RESIDENTIAL,
        Phase.AFTERCARE,
    )
    names = set(
        HandoffRun.objects.filter(transition__episode=episode).values_list("name", flat=True)
    )
    # Other apps declare their own handoffs for these phases too.
    assert {"care.inquiry_triage", "test.left_residential", "care.aftercare_first_contact"} <= names
    left = HandoffRun.objects.get(name="test.left_residential")
    assert (left.transition.from_phase, left.transition.to_phase) == ("residential", "aftercare")


def test_a_failed_handoff_is_recorded_without_its_half_done_writes_then_retried(
    client_record, admin_user, memberships, enqueued, temporary_handoff
):
    state = {"fail": True}

    def flaky(*, transition):
        task_create(
            actor=None,
            organization=transition.organization,
            title="Half done",
            queue_role=Role.INTAKE_COORDINATOR,
            dedup_key=f"flaky:{transition.pk}",
        )
        if state["fail"]:
            raise RuntimeError("directory unavailable")

    temporary_handoff("test.flaky", enters=[Phase.PRE_TREATMENT], func=flaky)
    episode = episode_open(actor=admin_user, client=client_record)
    episode_transition(actor=admin_user, episode=episode, to_phase=Phase.PRE_TREATMENT)
    run = HandoffRun.objects.get(name="test.flaky")

    failed = handoff_execute(run_id=run.pk)
    assert (failed.status, failed.attempts) == (HandoffStatus.FAILED, 1)
    assert failed.error == "RuntimeError: directory unavailable"
    assert not Task.objects.filter(title="Half done").exists()

    state["fail"] = False
    succeeded = handoff_execute(run_id=run.pk)
    assert (succeeded.status, succeeded.attempts, succeeded.error) == (
        HandoffStatus.SUCCEEDED,
        2,
        "",
    )
    assert Task.objects.filter(title="Half done").count() == 1


def test_the_task_retries_a_failure_until_it_succeeds(
    client_record, admin_user, enqueued, temporary_handoff
):
    calls = []

    def fails_twice(*, transition):
        calls.append(1)
        if len(calls) <= 2:
            raise RuntimeError("not yet")

    temporary_handoff("test.fails_twice", enters=[Phase.PRE_TREATMENT], func=fails_twice)
    episode = episode_open(actor=admin_user, client=client_record)
    episode_transition(actor=admin_user, episode=episode, to_phase=Phase.PRE_TREATMENT)
    run = HandoffRun.objects.get(name="test.fails_twice")
    # apply() runs in this process; each retry runs again at once instead of after the backoff.
    handoff_run_task.apply(kwargs={"organization_id": run.organization_id, "run_id": run.pk})
    run.refresh_from_db()
    assert (run.status, run.attempts, len(calls)) == (HandoffStatus.SUCCEEDED, 3, 3)


def test_retries_back_off_exponentially_up_to_an_hour():
    assert [handoff_backoff(n) for n in range(4)] == [30, 60, 120, 240]
    assert handoff_backoff(20) == 3600


def test_a_handoff_that_is_no_longer_registered_fails_visibly(client_record, admin_user, enqueued):
    episode = episode_open(actor=admin_user, client=client_record)
    transition = episode.transitions.get()
    run = HandoffRunFactory(transition=transition, name="gone.away", status=HandoffStatus.PENDING)
    result = handoff_execute(run_id=run.pk)
    assert result.status == HandoffStatus.FAILED and "No handoff named 'gone.away'" in result.error


def test_an_admin_reruns_a_failed_handoff_and_only_a_failed_one(
    client_record, admin_user, enqueued, django_capture_on_commit_callbacks
):
    episode = episode_open(actor=admin_user, client=client_record)
    run = HandoffRun.objects.get(transition__episode=episode)
    HandoffRun.objects.filter(pk=run.pk).update(
        status=HandoffStatus.FAILED, error="boom", attempts=6
    )
    enqueued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        handoff_rerun(actor=admin_user, run=run)
    run.refresh_from_db()
    assert run.status == HandoffStatus.PENDING
    assert enqueued == [{"organization_id": run.organization_id, "run_id": run.pk}]
    assert AuditEvent.objects.filter(
        action="handoff.rerun_requested", object_id=str(run.public_id)
    ).exists()
    handoff_execute(run_id=run.pk)
    with pytest.raises(ValidationError, match="Only a failed handoff"):
        handoff_rerun(actor=admin_user, run=run)
    assert Task.objects.filter(client=client_record).count() == 1


def test_tasks_are_idempotent_on_their_key_and_need_an_owner(in_org, admin_user, memberships):
    first = task_create(
        actor=admin_user,
        organization=in_org,
        title="Call",
        assignee=memberships["sober_coach"],
        dedup_key="k1",
    )
    second = task_create(
        actor=admin_user,
        organization=in_org,
        title="Call",
        assignee=memberships["sober_coach"],
        dedup_key="k1",
    )
    assert first.pk == second.pk and Task.objects.count() == 1
    with pytest.raises(ValidationError) as exc:
        task_create(actor=admin_user, organization=in_org, title="Nobody's")
    assert "assignee" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        task_create(
            actor=admin_user, organization=in_org, title="  ", queue_role="intake_coordinator"
        )
    assert "title" in exc.value.message_dict
    assert Task.objects.count() == 1


def test_marking_a_task_done_records_who_and_when(in_org, members, memberships):
    coach = members["sober_coach"]
    task = task_create(
        actor=None, organization=in_org, title="Check in", assignee=memberships["sober_coach"]
    )
    with time_machine.travel(NOW, tick=False):
        task_set_status(actor=coach, task=task, status="done")
    task.refresh_from_db()
    assert (task.status, task.completed_by, task.completed_at) == ("done", coach, NOW)
    with pytest.raises(ValidationError):
        task_set_status(actor=coach, task=task, status="finished")
    task_set_status(actor=coach, task=task, status="open")
    task.refresh_from_db()
    assert task.completed_at is None


def test_a_task_key_inserted_by_a_concurrent_worker_returns_that_task(
    in_org, admin_user, memberships, monkeypatch
):
    """Two handoffs of one transition (care's first contact and case management's) run on
    different workers and create the same keyed task at once: the one whose look-up missed
    the other's row must get that row back, not fail its handoff."""
    from django.db.models import QuerySet

    first = task_create(
        actor=admin_user,
        organization=in_org,
        title="First contact",
        assignee=memberships["sober_coach"],
        dedup_key="handoff:first-contact",
    )
    real_first = QuerySet.first
    missed = []

    def look_up_before_the_other_commit(queryset):
        if not missed:  # the other worker's row is not visible to the first look-up
            missed.append(True)
            return None
        return real_first(queryset)

    monkeypatch.setattr(QuerySet, "first", look_up_before_the_other_commit)
    second = task_create(
        actor=admin_user,
        organization=in_org,
        title="First contact",
        assignee=memberships["sober_coach"],
        dedup_key="handoff:first-contact",
    )
    monkeypatch.undo()
    assert missed and second.pk == first.pk
    assert Task.objects.filter(dedup_key="handoff:first-contact").count() == 1
