"""A client's gaps share one task; staff re-check one client's gaps; a write that closes a
gap closes it in the same request."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from casemanagement.models import Gap, GapRule
from casemanagement.services import gaps_scan
from continuum.audit.models import AuditEvent
from continuum.care.models import Task, TaskStatus
from continuum.tenancy.models import Role
from tests.people.factories import CareTeamMemberFactory, ClientFactory

from . import factories


@pytest.fixture
def cm_client(client, members):
    client.force_login(members[Role.CASE_MANAGER])
    return client


def check_url(org, client):
    return reverse(
        "staff:casemgmt_gaps_check", kwargs={"org": org.slug, "client_id": client.public_id}
    )


def case_url(org, client):
    return reverse("staff:casemgmt_client", kwargs={"org": org.slug, "client_id": client.public_id})


def open_rules(client):
    return set(
        Gap.objects.filter(client=client, resolved_at__isnull=True).values_list("rule", flat=True)
    )


@pytest.fixture
def many_gaps(client_rec, case_manager):
    """A plan overdue for review, three overdue steps, two overdue refills, a missing
    mental-health provider: seven gaps for one client."""
    today = timezone.localdate()
    plan = factories.CarePlanFactory(
        client=client_rec, case_manager=case_manager, next_review_on=today - timedelta(days=2)
    )
    goal = factories.GoalFactory(plan=plan)
    for n in range(3):
        factories.GoalStepFactory(
            goal=goal, description=f"Step {n}", due_on=today - timedelta(days=1)
        )
    for name in ("Sertraline", "Naltrexone"):
        factories.MedicationFactory(
            client=client_rec,
            name=name,
            refill_due_on=today - timedelta(days=1),
            started_on=date(2026, 1, 1),
        )
    client_rec.co_occurring_conditions = ["depression"]
    client_rec.save(update_fields=["co_occurring_conditions"])
    return plan


def test_a_scan_that_opens_many_gaps_opens_one_task_per_client(in_org, client_rec, many_gaps):
    other = ClientFactory(organization=in_org, co_occurring_conditions=["anxiety"])
    factories.CarePlanFactory(client=other)
    counts = gaps_scan(organization=in_org)
    assert counts["created"] == 8
    tasks = list(Task.objects.filter(source__startswith="casemanagement.gap"))
    assert len(tasks) == 2
    mine = next(t for t in tasks if t.client_id == client_rec.pk)
    assert mine.title == "7 gaps in care for Sam Rivera"
    assert mine.detail.count("\n- ") == 7 and "Medication refill overdue" in mine.detail
    assert set(Gap.objects.filter(client=client_rec).values_list("task", flat=True)) == {mine.pk}
    theirs = next(t for t in tasks if t.client_id == other.pk)
    assert theirs.title.startswith("Gap in care: ")
    # Found again: nothing added.
    assert gaps_scan(organization=in_org)["created"] == 0
    assert Task.objects.filter(source__startswith="casemanagement.gap").count() == 2


def test_a_later_gap_joins_the_open_task_and_the_task_closes_with_the_last_gap(
    in_org, client_rec, case_manager, members
):
    from casemanagement.services import provider_add

    today = timezone.localdate()
    factories.CarePlanFactory(client=client_rec, case_manager=case_manager)
    client_rec.co_occurring_conditions = ["depression"]
    client_rec.save(update_fields=["co_occurring_conditions"])
    gaps_scan(organization=in_org)
    (task,) = Task.objects.filter(source__startswith="casemanagement.gap")
    medication = factories.MedicationFactory(
        client=client_rec, refill_due_on=today - timedelta(days=1)
    )
    gaps_scan(organization=in_org)
    assert Task.objects.filter(source__startswith="casemanagement.gap").count() == 1
    assert Gap.objects.get(rule=GapRule.REFILL_OVERDUE).task_id == task.pk
    provider_add(
        actor=members[Role.CASE_MANAGER], client=client_rec, kind="psychiatrist", name="Dr. Lee"
    )
    task.refresh_from_db()
    assert open_rules(client_rec) == {GapRule.REFILL_OVERDUE}
    assert task.status == TaskStatus.OPEN
    medication.refill_due_on = today + timedelta(days=20)
    medication.save(update_fields=["refill_due_on"])
    gaps_scan(organization=in_org)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


# --- a write that closes a gap, in the same request -------------------------------------


def test_recording_a_refill_closes_the_refill_gap_in_the_same_request(
    cm_client, in_org, client_rec, plan
):
    today = timezone.localdate()
    medication = factories.MedicationFactory(
        client=client_rec,
        refill_due_on=today - timedelta(days=2),
        started_on=today - timedelta(days=40),
    )
    gaps_scan(organization=in_org)
    assert GapRule.REFILL_OVERDUE in open_rules(client_rec)
    response = cm_client.post(
        reverse(
            "staff:casemgmt_medication_fill",
            kwargs={"org": in_org.slug, "cm_medication_id": medication.public_id},
        ),
        {
            "filled_on": today.isoformat(),
            "next_refill_due_on": (today + timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert GapRule.REFILL_OVERDUE not in open_rules(client_rec)
    assert (
        "Medication refill overdue"
        not in cm_client.get(case_url(in_org, client_rec)).content.decode()
    )


def test_adding_a_mental_health_provider_closes_that_gap_in_the_same_request(
    cm_client, in_org, client_rec, plan
):
    client_rec.co_occurring_conditions = ["depression"]
    client_rec.save(update_fields=["co_occurring_conditions"])
    gaps_scan(organization=in_org)
    assert GapRule.NO_MENTAL_HEALTH_PROVIDER in open_rules(client_rec)
    response = cm_client.post(
        reverse(
            "staff:casemgmt_provider_add",
            kwargs={"org": in_org.slug, "client_id": client_rec.public_id},
        ),
        {"kind": "therapist", "name": "Dana Ortiz, LCSW"},
    )
    assert response.status_code == 302
    assert GapRule.NO_MENTAL_HEALTH_PROVIDER not in open_rules(client_rec)
    assert Task.objects.get(source__startswith="casemanagement.gap").status == TaskStatus.DONE


# --- staff re-check one client: the endpoint matrix -------------------------------------


def test_staff_recheck_one_clients_gaps(cm_client, in_org, client_rec, many_gaps):
    other = ClientFactory(organization=in_org, co_occurring_conditions=["anxiety"])
    factories.CarePlanFactory(client=other)
    response = cm_client.post(check_url(in_org, client_rec), follow=True)
    assert response.status_code == 200
    assert "Gaps in care checked now: 7 open, 7 new, 0 closed." in response.content.decode()
    assert Gap.objects.filter(client=client_rec).count() == 7
    assert not Gap.objects.filter(client=other).exists()  # only the client asked about
    assert AuditEvent.objects.filter(action="gaps.rechecked").count() == 1


def test_recheck_is_a_post(cm_client, in_org, client_rec, many_gaps):
    assert cm_client.get(check_url(in_org, client_rec)).status_code == 405
    assert not Gap.objects.exists()


def test_recheck_of_a_client_not_on_the_care_team_is_404(cm_client, in_org):
    stranger = ClientFactory(organization=in_org, co_occurring_conditions=["anxiety"])
    factories.CarePlanFactory(client=stranger)
    assert cm_client.post(check_url(in_org, stranger)).status_code == 404
    assert not Gap.objects.exists()


def test_recheck_by_another_organizations_member_is_404(client, in_org, outsider, client_rec):
    client.force_login(outsider)
    assert client.post(check_url(in_org, client_rec)).status_code == 404


def test_recheck_by_an_anonymous_visitor_asks_to_log_in(client, in_org, client_rec):
    response = client.post(check_url(in_org, client_rec))
    assert response.status_code == 302 and "login" in response["Location"]


def test_recheck_by_a_role_without_case_management_is_refused(
    client, in_org, members, client_rec, many_gaps
):
    CareTeamMemberFactory(
        organization=in_org,
        client=client_rec,
        membership=members[Role.INTERVENTIONIST].memberships.get(organization=in_org),
        role=Role.INTERVENTIONIST,
    )
    client.force_login(members[Role.INTERVENTIONIST])
    assert client.post(check_url(in_org, client_rec)).status_code == 403
    assert not Gap.objects.exists()


def test_a_gap_recorded_meanwhile_by_another_scan_does_not_fail_the_write(
    in_org, client_rec, plan, monkeypatch
):
    """The hourly scan and a write's re-check find the same gap at once: the second to
    record it leaves it to the first instead of failing the case manager's write."""
    # The scan's own module: what it calls is looked up there.
    from casemanagement.services import gaps as services

    client_rec.co_occurring_conditions = ["depression"]
    client_rec.save(update_fields=["co_occurring_conditions"])
    real_owner = services.plan_owner

    def owner_while_another_scan_records_the_gap(**kwargs):
        # Runs after this scan read the open gaps and before it records new ones.
        if not Gap.objects.exists():
            Gap.objects.create(
                organization=in_org,
                client=client_rec,
                rule=GapRule.NO_MENTAL_HEALTH_PROVIDER,
                subject_key=f"client:{client_rec.public_id}",
            )
        return real_owner(**kwargs)

    monkeypatch.setattr(services, "plan_owner", owner_while_another_scan_records_the_gap)
    counts = gaps_scan(organization=in_org, client=client_rec)
    assert counts["created"] == 0
    assert Gap.objects.filter(rule=GapRule.NO_MENTAL_HEALTH_PROVIDER).count() == 1
    assert not Task.objects.filter(source__startswith="casemanagement.gap").exists()


def test_a_gap_task_opened_from_a_spanish_request_is_written_in_english(
    cm_client, in_org, client_rec, many_gaps
):
    # The task is a saved sentence that any colleague reads later, on English staff pages.
    cm_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    assert cm_client.post(check_url(in_org, client_rec)).status_code == 302
    task = Task.objects.get(source__startswith="casemanagement.gap", client=client_rec)
    assert task.title == "7 gaps in care for Sam Rivera"
    assert "Medication refill overdue" in task.detail
    assert "Surtido de medicamento atrasado" not in task.detail
