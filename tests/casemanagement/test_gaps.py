"""Every gap rule with frozen time: it appears once (one gap, one task, however often
the scan runs) and resolves by itself when fixed."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from casemanagement.models import AppointmentStatus, Contact, Gap, GapRule, MedicationFill
from casemanagement.services import gaps_scan
from continuum.care.models import Phase, Task, TaskStatus
from tests.care.factories import EpisodeFactory

from . import factories

NY = ZoneInfo("America/New_York")


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=NY)


def open_gaps(rule):
    return list(Gap.objects.filter(rule=rule, resolved_at__isnull=True))


def gap_tasks(rule):
    """The tasks of the rule's gaps (a client's gaps found together share one task)."""
    return list(Task.objects.filter(pk__in=Gap.objects.filter(rule=rule).values("task")))


def assert_appears_once(org, rule, today):
    with time_machine.travel(at(today), tick=False):
        gaps_scan(organization=org)
        gaps_scan(organization=org)
    gaps = open_gaps(rule)
    assert len(gaps) == 1
    tasks = gap_tasks(rule)
    assert len(tasks) == 1
    assert tasks[0].status == TaskStatus.OPEN
    assert gaps[0].task_id == tasks[0].pk
    return gaps[0]


def assert_resolves(org, rule, today):
    with time_machine.travel(at(today), tick=False):
        counts = gaps_scan(organization=org)
    assert open_gaps(rule) == []
    assert counts["resolved"] >= 1
    assert all(t.status == TaskStatus.DONE for t in gap_tasks(rule))


def assert_no_gap(org, rule, today):
    with time_machine.travel(at(today), tick=False):
        gaps_scan(organization=org)
    assert open_gaps(rule) == []


DISCHARGE = date(2026, 3, 2)


@pytest.fixture
def discharged(client_rec, plan):
    return EpisodeFactory(
        organization=client_rec.organization,
        client=client_rec,
        phase=Phase.AFTERCARE,
        admission_date=DISCHARGE - timedelta(days=30),
        discharge_date=DISCHARGE,
    )


def _visit(client, day, **values):
    values.setdefault("visit_type", "outpatient")
    return factories.AppointmentFactory(
        client=client, starts_at=at(day, 10), status="attended", **values
    )


# --- follow-up after residential discharge ----------------------------------------------


def test_follow_up_7_not_a_gap_while_the_window_is_open(in_org, discharged):
    assert_no_gap(in_org, GapRule.FOLLOW_UP_7, DISCHARGE + timedelta(days=7))


def test_follow_up_7_appears_on_day_8_without_a_visit_and_resolves_when_one_is_recorded(
    in_org, discharged, client_rec
):
    gap = assert_appears_once(in_org, GapRule.FOLLOW_UP_7, DISCHARGE + timedelta(days=8))
    assert gap.owner.user.email == "case_manager@harbor.example.com"
    _visit(client_rec, DISCHARGE + timedelta(days=5))
    assert_resolves(in_org, GapRule.FOLLOW_UP_7, DISCHARGE + timedelta(days=9))


def test_discharge_day_visit_does_not_count(in_org, discharged, client_rec):
    _visit(client_rec, DISCHARGE)
    assert_appears_once(in_org, GapRule.FOLLOW_UP_7, DISCHARGE + timedelta(days=8))


def test_day_7_visit_counts_for_the_7_day_measure(in_org, discharged, client_rec):
    _visit(client_rec, DISCHARGE + timedelta(days=7))
    assert_no_gap(in_org, GapRule.FOLLOW_UP_7, DISCHARGE + timedelta(days=8))


def test_day_8_visit_misses_7_days_but_counts_for_30(in_org, discharged, client_rec):
    _visit(client_rec, DISCHARGE + timedelta(days=8))
    assert_appears_once(in_org, GapRule.FOLLOW_UP_7, DISCHARGE + timedelta(days=31))
    assert open_gaps(GapRule.FOLLOW_UP_30) == []


def test_non_qualifying_or_missed_visits_do_not_count(in_org, discharged, client_rec):
    _visit(client_rec, DISCHARGE + timedelta(days=2), visit_type="lab")
    factories.AppointmentFactory(
        client=client_rec, starts_at=at(DISCHARGE + timedelta(days=3)), status="missed"
    )
    assert_appears_once(in_org, GapRule.FOLLOW_UP_7, DISCHARGE + timedelta(days=8))


@pytest.mark.parametrize("visit_type", ["telehealth", "telephone", "peer_support", "iop", "php"])
def test_every_qualifying_visit_type_counts(in_org, discharged, client_rec, visit_type):
    _visit(client_rec, DISCHARGE + timedelta(days=1), visit_type=visit_type)
    assert_no_gap(in_org, GapRule.FOLLOW_UP_7, DISCHARGE + timedelta(days=31))
    assert open_gaps(GapRule.FOLLOW_UP_30) == []


def test_moud_dispensing_counts_as_follow_up(in_org, discharged, client_rec, members):
    medication = factories.MedicationFactory(client=client_rec, is_moud=True)
    MedicationFill.objects.create(
        organization=in_org,
        medication=medication,
        filled_on=DISCHARGE + timedelta(days=3),
        recorded_by=members["case_manager"],
    )
    assert_no_gap(in_org, GapRule.FOLLOW_UP_7, DISCHARGE + timedelta(days=8))


def test_follow_up_30_day_30_counts_day_31_does_not(in_org, discharged, client_rec):
    assert_no_gap(in_org, GapRule.FOLLOW_UP_30, DISCHARGE + timedelta(days=30))
    gap = assert_appears_once(in_org, GapRule.FOLLOW_UP_30, DISCHARGE + timedelta(days=31))
    assert "30 days" in gap.detail
    _visit(client_rec, DISCHARGE + timedelta(days=30))
    with time_machine.travel(at(DISCHARGE + timedelta(days=32)), tick=False):
        assert gaps_scan(organization=in_org)["resolved"] == 1
    assert open_gaps(GapRule.FOLLOW_UP_30) == []
    # The 7-day gap, found in the same scan, shares the task and is still open.
    (task,) = gap_tasks(GapRule.FOLLOW_UP_30)
    assert [g.task_id for g in open_gaps(GapRule.FOLLOW_UP_7)] == [task.pk]
    assert task.status == TaskStatus.OPEN


# --- the other rules --------------------------------------------------------------------

TODAY = date(2026, 5, 11)


def test_missed_appointment_not_rescheduled_within_3_days(in_org, client_rec, plan):
    provider = factories.ProviderFactory(client=client_rec)
    missed = factories.AppointmentFactory(
        client=client_rec, provider=provider, starts_at=at(TODAY), status=AppointmentStatus.MISSED
    )
    assert_no_gap(in_org, GapRule.MISSED_NOT_RESCHEDULED, TODAY + timedelta(days=3))
    gap = assert_appears_once(in_org, GapRule.MISSED_NOT_RESCHEDULED, TODAY + timedelta(days=4))
    assert str(missed.public_id) in gap.subject_key
    factories.AppointmentFactory(
        client=client_rec, provider=provider, starts_at=at(TODAY + timedelta(days=9))
    )
    assert_resolves(in_org, GapRule.MISSED_NOT_RESCHEDULED, TODAY + timedelta(days=5))


def test_co_occurring_condition_without_mental_health_provider(in_org, client_rec, plan):
    client_rec.co_occurring_conditions = ["depression"]
    client_rec.save()
    factories.ProviderFactory(client=client_rec, kind="primary_care")
    assert_appears_once(in_org, GapRule.NO_MENTAL_HEALTH_PROVIDER, TODAY)
    factories.ProviderFactory(client=client_rec, kind="psychiatrist")
    assert_resolves(in_org, GapRule.NO_MENTAL_HEALTH_PROVIDER, TODAY)


def test_no_condition_means_no_mental_health_gap(in_org, client_rec, plan):
    assert_no_gap(in_org, GapRule.NO_MENTAL_HEALTH_PROVIDER, TODAY)


def test_overdue_plan_review_resolves_when_reviewed(in_org, client_rec, case_manager, members):
    from casemanagement.services import plan_review

    plan = factories.CarePlanFactory(
        client=client_rec, case_manager=case_manager, next_review_on=TODAY
    )
    assert_no_gap(in_org, GapRule.PLAN_REVIEW_OVERDUE, TODAY)
    assert_appears_once(in_org, GapRule.PLAN_REVIEW_OVERDUE, TODAY + timedelta(days=1))
    with time_machine.travel(at(TODAY + timedelta(days=2)), tick=False):
        plan_review(actor=members["case_manager"], plan=plan, summary="On track; housing next.")
    plan.refresh_from_db()
    assert plan.next_review_on == TODAY + timedelta(days=32)
    # Recording the review re-evaluated the client's gaps at once, not at the next scan.
    assert open_gaps(GapRule.PLAN_REVIEW_OVERDUE) == []
    assert all(t.status == TaskStatus.DONE for t in gap_tasks(GapRule.PLAN_REVIEW_OVERDUE))


def test_overdue_goal_step(in_org, plan):
    step = factories.GoalStepFactory(goal=factories.GoalFactory(plan=plan), due_on=TODAY)
    assert_no_gap(in_org, GapRule.STEP_OVERDUE, TODAY)
    assert_appears_once(in_org, GapRule.STEP_OVERDUE, TODAY + timedelta(days=1))
    step.status = "done"
    step.save()
    assert_resolves(in_org, GapRule.STEP_OVERDUE, TODAY + timedelta(days=2))


def test_overdue_refill(in_org, client_rec, plan):
    medication = factories.MedicationFactory(
        client=client_rec, started_on=TODAY - timedelta(days=40), refill_due_on=TODAY
    )
    assert_no_gap(in_org, GapRule.REFILL_OVERDUE, TODAY)
    assert_appears_once(in_org, GapRule.REFILL_OVERDUE, TODAY + timedelta(days=1))
    medication.refill_due_on = TODAY + timedelta(days=30)
    medication.save()
    assert_resolves(in_org, GapRule.REFILL_OVERDUE, TODAY + timedelta(days=2))


def test_no_case_manager_contact_in_14_days(in_org, client_rec, case_manager, members):
    factories.CarePlanFactory(client=client_rec, case_manager=case_manager, opened_at=at(TODAY))
    assert_no_gap(in_org, GapRule.NO_CONTACT, TODAY + timedelta(days=14))
    assert_appears_once(in_org, GapRule.NO_CONTACT, TODAY + timedelta(days=15))
    Contact.objects.create(
        organization=in_org,
        client=client_rec,
        kind="client_contact",
        summary="Check-in call",
        occurred_at=at(TODAY + timedelta(days=15)),
        author=members["case_manager"],
    )
    assert_resolves(in_org, GapRule.NO_CONTACT, TODAY + timedelta(days=16))


def test_a_gap_that_returns_after_resolving_is_a_new_gap(in_org, client_rec, plan):
    client_rec.co_occurring_conditions = ["PTSD"]
    client_rec.save()
    assert_appears_once(in_org, GapRule.NO_MENTAL_HEALTH_PROVIDER, TODAY)
    provider = factories.ProviderFactory(client=client_rec, kind="therapist")
    assert_resolves(in_org, GapRule.NO_MENTAL_HEALTH_PROVIDER, TODAY)
    provider.is_active = False
    provider.save()
    with time_machine.travel(at(TODAY), tick=False):
        gaps_scan(organization=in_org)
    assert len(open_gaps(GapRule.NO_MENTAL_HEALTH_PROVIDER)) == 1
    assert Gap.objects.filter(rule=GapRule.NO_MENTAL_HEALTH_PROVIDER).count() == 2


def test_detection_runs_a_fixed_number_of_queries(in_org, plan):
    """Detection does not grow with clients (writes do, one set per new gap)."""
    from casemanagement.selectors import detect_gaps
    from tests.people.factories import ClientFactory
    from tests.queries import assert_queries

    def add_client():
        other = ClientFactory(organization=in_org, co_occurring_conditions=["anxiety"])
        factories.CarePlanFactory(client=other)
        factories.AppointmentFactory(
            client=other, starts_at=at(TODAY - timedelta(days=6)), status="missed"
        )
        EpisodeFactory(
            organization=in_org, client=other, phase=Phase.AFTERCARE, discharge_date=DISCHARGE
        )
        _visit(other, DISCHARGE + timedelta(days=2))

    add_client()
    # plans, episodes, attended visits, MOUD fills, missed appointments, later
    # appointments, mental-health providers, last contacts, overdue steps, overdue refills
    with assert_queries(10, label="detect_gaps, one client"):
        detect_gaps(organization=in_org, today=TODAY)
    for _ in range(3):
        add_client()
    with assert_queries(10, label="detect_gaps, four clients"):
        found = detect_gaps(organization=in_org, today=TODAY)
    assert len([k for k in found if k[0] == GapRule.MISSED_NOT_RESCHEDULED]) == 4
