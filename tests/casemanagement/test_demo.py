import pytest
from django.core.management import call_command
from django_scopes import scope

from casemanagement.models import Appointment, Assessment, CarePlan, Gap, Medication, Provider
from continuum.care.models import Task, TaskStatus
from continuum.tenancy.models import Organization


@pytest.mark.django_db
def test_demo_gives_the_struggling_client_a_full_record_once(monkeypatch):
    from continuum.care import tasks

    monkeypatch.setattr(tasks.handoff_run_task, "apply_async", lambda *a, **kw: None)
    call_command("demo_setup")
    call_command("demo_casemanagement")
    with scope(organization=Organization.objects.get(slug="demo").pk):
        plan = CarePlan.objects.get(client__email="danny.okafor@demo.example.com")
        assert plan.case_manager.user.email == "casemanager@demo.example.com"
        assert plan.goals.count() == 3
        assert Provider.objects.filter(client=plan.client).count() == 3
        visits = Appointment.objects.filter(client=plan.client)
        assert sorted(visits.values_list("status", flat=True)) == [
            "attended",
            "attended",
            "attended",
            "missed",
            "scheduled",
        ]
        assert Medication.objects.filter(client=plan.client).count() == 2
        assert Assessment.objects.filter(client=plan.client).count() == 4
        rules = set(Gap.objects.filter(resolved_at__isnull=True).values_list("rule", flat=True))
        assert {"no_mental_health_provider", "refill_overdue"} <= rules
        reschedule = Task.objects.get(client=plan.client, title__startswith="Reschedule")
        assert reschedule.status == TaskStatus.OPEN
        assert reschedule.assignee.user.email == "casemanager@demo.example.com"
