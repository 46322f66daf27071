from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from casemanagement import services
from casemanagement.extensions import appointments_calendar
from casemanagement.models import Assessment, CarePlan, Contact
from continuum.care.models import HandoffRun, Phase, Task, TaskStatus
from continuum.care.services import episode_open, episode_transition, handoff_execute
from continuum.care.timeline import client_timeline
from continuum.consent.models import Disclosure, RecipientKind
from continuum.consent.services import PART2_NOTICE, ConsentRequired
from continuum.notifications.models import Notification, Status
from continuum.people.models import CareTeamMember
from continuum.tenancy.models import Role
from tests.consent.factories import ConsentFactory
from tests.factories import MembershipFactory
from tests.people.factories import ClientFactory

from . import factories

NOW = datetime(2026, 4, 6, 15, 0, tzinfo=UTC)


@pytest.fixture
def enqueued(monkeypatch):
    from continuum.care import tasks

    monkeypatch.setattr(tasks.handoff_run_task, "apply_async", lambda *a, **kw: None)


def _to_aftercare(client, actor):
    episode = episode_open(
        actor=actor,
        client=client,
        phase=Phase.RESIDENTIAL,
        admission_date=(NOW - timedelta(days=30)).date(),
    )
    return episode_transition(
        actor=actor,
        episode=episode,
        to_phase=Phase.AFTERCARE,
        reason="Weekly therapy, IOP three evenings a week, sober living.",
        discharge_date=NOW.date(),
        discharge_type="planned",
    )


def _run(transition, name):
    return handoff_execute(run_id=HandoffRun.objects.get(transition=transition, name=name).pk)


# --- aftercare handoff ------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("order", ["care_first", "casemanagement_first"])
def test_entering_aftercare_opens_a_plan_assigns_a_case_manager_and_one_first_contact_task(
    in_org, members, case_manager, enqueued, order
):
    client = ClientFactory(organization=in_org, first_name="Ana", last_name="Diaz")
    transition = _to_aftercare(client, members[Role.ORG_ADMIN])
    names = ["care.aftercare_first_contact", "casemanagement.open_care_plan"]
    if order == "casemanagement_first":
        names.reverse()
    for name in names:
        assert _run(transition, name).status == "succeeded"
    _run(transition, names[0])  # a rerun changes nothing

    plan = CarePlan.objects.get(client=client)
    assert plan.case_manager == case_manager
    assert plan.recommendations.startswith("Weekly therapy")
    assert plan.next_review_on == NOW.date() + timedelta(days=30)
    assert CareTeamMember.objects.filter(
        client=client, membership=case_manager, role=Role.CASE_MANAGER
    ).exists()
    open_tasks = Task.objects.filter(
        client=client, status=TaskStatus.OPEN, title__startswith="First"
    )
    assert [(t.assignee, t.due_at) for t in open_tasks] == [
        (case_manager, NOW + timedelta(hours=72))
    ]


@time_machine.travel(NOW, tick=False)
def test_entering_aftercare_offers_the_portal_to_a_client_who_cannot_sign_in(
    in_org, members, case_manager, enqueued
):
    ana = ClientFactory(
        organization=in_org, first_name="Ana", last_name="Diaz", email="ana@example.com"
    )
    transition = _to_aftercare(ana, members[Role.ORG_ADMIN])
    _run(transition, "casemanagement.open_care_plan")
    _run(transition, "casemanagement.open_care_plan")  # a rerun changes nothing
    (offer,) = Task.objects.filter(client=ana, title="Offer Ana Diaz the client portal")
    assert (offer.assignee, offer.due_at, offer.status) == (
        case_manager,
        NOW + services.PORTAL_OFFER_WITHIN,
        TaskStatus.OPEN,
    )
    assert "If they agree, use “Invite to the portal” on their record" in offer.detail
    assert "ana@example.com" in offer.detail
    # A client who can already sign in is not asked again.
    sam = ClientFactory(organization=in_org, portal_user=members[Role.CLIENT])
    _run(_to_aftercare(sam, members[Role.ORG_ADMIN]), "casemanagement.open_care_plan")
    assert not Task.objects.filter(client=sam, title__startswith="Offer").exists()


@time_machine.travel(NOW, tick=False)
def test_the_least_loaded_case_manager_is_assigned(in_org, members, case_manager, enqueued):
    from tests.factories import UserFactory

    second = MembershipFactory(organization=in_org, user=UserFactory(), roles=[Role.CASE_MANAGER])
    factories.CarePlanFactory(client=ClientFactory(organization=in_org), case_manager=case_manager)
    plan = services.careplan_open(actor=None, client=ClientFactory(organization=in_org))
    assert plan.case_manager == second
    again = services.careplan_open(actor=None, client=plan.client)
    assert again.pk == plan.pk


# --- assessments and the safety rule ----------------------------------------------------


def _phq9(item9=0, rest=1):
    return {f"q{n}": rest for n in range(1, 9)} | {"q9": item9}


@time_machine.travel(NOW, tick=False)
def test_phq9_item9_raises_an_urgent_task_and_alert_whatever_the_total(
    in_org, members, client_rec, plan, case_manager
):
    # The case manager has served the client since before today.
    CareTeamMember.objects.filter(client=client_rec).update(started_on=NOW.date())
    assessment = services.assessment_record(
        actor=members[Role.CLIENT],
        client=client_rec,
        instrument="phq9",
        answers=_phq9(item9=1, rest=0),
        source="portal",
    )
    assert (assessment.total, assessment.band, assessment.urgent) == (1, "minimal", True)
    assert assessment.answers == _phq9(item9=1, rest=0)
    task = Task.objects.get(source="care.safety")
    assert task.assignee == case_manager and task.priority == "urgent"
    assert task.title == f"Same-day safety call with {client_rec.display_name}"
    alerts = Notification.objects.filter(template="safety_event")
    assert {(n.recipient, n.urgent) for n in alerts} == {(members[Role.CASE_MANAGER], True)}
    # Nothing clinical leaves the platform: not the instrument, not the question.
    assert all("PHQ" not in str(n.context) for n in alerts)


def test_phq9_without_item9_raises_no_alert(in_org, members, client_rec, plan):
    assessment = services.assessment_record(
        actor=members[Role.CASE_MANAGER],
        client=client_rec,
        instrument="phq9",
        answers=_phq9(item9=0, rest=3),
        source="staff",
    )
    assert (assessment.total, assessment.band, assessment.urgent) == (24, "severe", False)
    assert not Task.objects.filter(source="care.safety").exists()


def test_bad_answers_are_refused_item_by_item_and_nothing_is_saved(in_org, members, client_rec):
    answers = _phq9()
    del answers["q4"]
    with pytest.raises(ValidationError) as exc:
        services.assessment_record(
            actor=members[Role.CASE_MANAGER],
            client=client_rec,
            instrument="phq9",
            answers=answers,
            source="staff",
        )
    assert set(exc.value.message_dict) == {"q4"}
    assert not Assessment.objects.exists()


def test_auditc_is_stored_with_sex_and_scored_by_it(in_org, members, client_rec):
    assessment = services.assessment_record(
        actor=members[Role.CASE_MANAGER],
        client=client_rec,
        instrument="auditc",
        answers={"q1": 1, "q2": 1, "q3": 1},
        source="staff",
        sex="female",
    )
    assert (assessment.total, assessment.band, assessment.sex) == (3, "positive", "female")


# --- coordination and consent -----------------------------------------------------------


def test_a_provider_message_without_consent_is_refused_and_nothing_is_logged(
    in_org, members, client_rec
):
    provider = factories.ProviderFactory(client=client_rec, practice="Bayside Outpatient Clinic")
    with pytest.raises(ConsentRequired) as exc:
        services.contact_record(
            actor=members[Role.CASE_MANAGER],
            client=client_rec,
            provider=provider,
            kind="message",
            summary="Sent attendance summary",
            information=["attendance"],
        )
    assert "Bayside Outpatient Clinic" in exc.value.messages[0]
    assert not Contact.objects.exists() and not Disclosure.objects.exists()


def test_an_outbound_provider_message_is_a_disclosure_with_the_part2_notice(
    in_org, members, client_rec
):
    ConsentFactory(client=client_rec)
    provider = factories.ProviderFactory(client=client_rec, practice="Bayside Outpatient Clinic")
    contact = services.contact_record(
        actor=members[Role.CASE_MANAGER],
        client=client_rec,
        provider=provider,
        kind="records_sent",
        summary="Sent attendance summary",
        information=["attendance"],
    )
    disclosure = Disclosure.objects.get()
    assert contact.disclosure == disclosure
    assert disclosure.recipient == "Bayside Outpatient Clinic"
    assert disclosure.notice == PART2_NOTICE == contact.notice


def test_a_consent_for_treating_providers_covers_any_provider(in_org, members, client_rec):
    ConsentFactory(
        client=client_rec,
        recipient_kind=RecipientKind.TREATING_PROVIDERS,
        recipient_name="",
    )
    provider = factories.ProviderFactory(client=client_rec, name="Dr. Lee")
    services.contact_record(
        actor=members[Role.CASE_MANAGER],
        client=client_rec,
        provider=provider,
        kind="call",
        summary="Discussed progress",
        information=["progress"],
    )
    assert Disclosure.objects.count() == 1


def test_a_support_contact_needs_no_consent_and_counts_as_client_contact(
    in_org, members, client_rec
):
    contact = services.contact_record(
        actor=members[Role.CASE_MANAGER],
        client=client_rec,
        kind="practical_support",
        summary="Helped with a bus pass application",
    )
    assert contact.with_client and contact.disclosure is None


# --- appointments -----------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_appointment_reminders_go_to_the_client_and_the_accompanying_case_manager(
    in_org, members, client_rec, case_manager
):
    starts = NOW + timedelta(days=3)
    appointment = services.appointment_schedule(
        actor=members[Role.CASE_MANAGER],
        client=client_rec,
        visit_type="outpatient",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        location="12 Main St",
        accompanied_by=case_manager,
    )
    reminders = Notification.objects.filter(template="appointment_reminder").order_by("recipient")
    assert {n.recipient for n in reminders} == {members[Role.CLIENT], members[Role.CASE_MANAGER]}
    assert {n.due_at for n in reminders} == {starts - timedelta(hours=24)}
    # Both calendars carry it, without clinical detail.
    for user in (members[Role.CLIENT], members[Role.CASE_MANAGER]):
        items = list(appointments_calendar(organization=in_org, user=user))
        assert [(i.start, i.summary) for i in items] == [(starts, "Appointment")]
    services.appointment_set_status(
        actor=members[Role.CASE_MANAGER], appointment=appointment, status="cancelled"
    )
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.CANCELLED}


def test_a_missed_appointment_raises_a_task_that_rescheduling_closes(
    in_org, members, client_rec, plan, case_manager
):
    appointment = factories.AppointmentFactory(
        client=client_rec, starts_at=NOW - timedelta(hours=3)
    )
    services.appointment_set_status(
        actor=members[Role.CASE_MANAGER], appointment=appointment, status="missed"
    )
    task = Task.objects.get(source="casemanagement.appointment_missed")
    assert task.assignee == case_manager and task.status == TaskStatus.OPEN
    new_start = NOW + timedelta(days=5)
    new = services.appointment_reschedule(
        actor=members[Role.CASE_MANAGER],
        appointment=appointment,
        starts_at=new_start,
        ends_at=new_start + timedelta(hours=1),
    )
    appointment.refresh_from_db()
    task.refresh_from_db()
    assert appointment.status == "rescheduled" and appointment.rescheduled_to == new
    assert task.status == TaskStatus.DONE


def test_an_appointment_must_end_after_it_starts(in_org, members, client_rec):
    with pytest.raises(ValidationError) as exc:
        services.appointment_schedule(
            actor=members[Role.CASE_MANAGER],
            client=client_rec,
            visit_type="outpatient",
            starts_at=NOW,
            ends_at=NOW,
            location="12 Main St",
        )
    assert "ends_at" in exc.value.message_dict


# --- medications, plan ------------------------------------------------------------------


def test_poor_adherence_raises_one_task_per_week(in_org, members, client_rec, plan):
    medication = factories.MedicationFactory(client=client_rec)
    for _ in range(2):
        services.adherence_report(
            actor=members[Role.CLIENT],
            medication=medication,
            week_of=NOW.date(),
            adherence="some",
        )
    assert Task.objects.filter(source="casemanagement.adherence").count() == 1


def test_good_adherence_raises_no_task(in_org, members, client_rec, plan):
    medication = factories.MedicationFactory(client=client_rec)
    services.adherence_report(
        actor=members[Role.CLIENT], medication=medication, week_of=NOW.date(), adherence="all"
    )
    assert not Task.objects.filter(source="casemanagement.adherence").exists()


def test_the_client_acknowledges_the_plan_and_a_change_asks_again(
    in_org, members, client_rec, plan
):
    services.plan_acknowledge(actor=members[Role.CLIENT], plan=plan)
    assert plan.acknowledged_current
    services.goal_add(
        actor=members[Role.CASE_MANAGER], plan=plan, domain="housing", title="Stable housing"
    )
    plan.refresh_from_db()
    assert not plan.acknowledged_current
    with pytest.raises(ValidationError):
        services.plan_acknowledge(actor=members[Role.CASE_MANAGER], plan=plan)


def test_review_task_is_raised_ahead_of_the_due_date_once(in_org, client_rec, case_manager):
    plan = factories.CarePlanFactory(
        client=client_rec, case_manager=case_manager, next_review_on=NOW.date() + timedelta(days=5)
    )
    for _ in range(2):
        services.reminders_scan(organization=in_org, today=NOW.date())
    task = Task.objects.get(source="casemanagement.plan_review")
    assert task.assignee == case_manager
    assert str(plan.public_id) in task.dedup_key


@time_machine.travel(NOW, tick=False)
def test_refill_and_reassessment_reminders_are_scheduled_once(in_org, members, client_rec, plan):
    factories.MedicationFactory(client=client_rec, refill_due_on=NOW.date() + timedelta(days=2))
    with time_machine.travel(NOW - timedelta(days=31), tick=False):
        services.assessment_record(
            actor=members[Role.CLIENT],
            client=client_rec,
            instrument="gad7",
            answers={f"q{n}": 0 for n in range(1, 8)},
            source="portal",
        )
    services.reminders_scan(organization=in_org)
    services.reminders_scan(organization=in_org)
    templates = sorted(Notification.objects.values_list("template", flat=True))
    assert templates == ["assessment_reminder", "refill_reminder"]


def test_case_management_entries_are_on_the_client_timeline(in_org, members, client_rec, plan):
    factories.GoalFactory(plan=plan, title="Find a therapist")
    services.assessment_record(
        actor=members[Role.CASE_MANAGER],
        client=client_rec,
        instrument="phq9",
        answers=_phq9(rest=1),
        source="staff",
    )
    kinds = {e.kind for e in client_timeline(client=client_rec, organization=in_org).entries}
    assert {"goal", "assessment"} <= kinds
