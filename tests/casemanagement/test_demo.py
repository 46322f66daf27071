import pytest
from django.core.management import call_command
from django_scopes import scope

from casemanagement.models import Appointment, Assessment, CarePlan, Gap, Medication, Provider
from continuum.tenancy.models import Organization


@pytest.mark.django_db
def test_demo_has_an_aftercare_client_with_a_full_record_and_is_idempotent(monkeypatch):
    from continuum.care import tasks

    monkeypatch.setattr(tasks.handoff_run_task, "apply_async", lambda *a, **kw: None)
    call_command("demo_setup")
    call_command("demo_care")
    call_command("demo_casemanagement")
    call_command("demo_casemanagement")
    with scope(organization=Organization.objects.get(slug="demo").pk):
        plan = CarePlan.objects.get(client__email="danny.okafor@demo.example.com")
        assert plan.case_manager.user.email == "casemanager@demo.example.com"
        assert plan.goals.count() == 5
        assert Provider.objects.filter(client=plan.client).count() == 3
        assert Appointment.objects.filter(client=plan.client).count() == 3
        assert Medication.objects.filter(client=plan.client).count() == 2
        assert Assessment.objects.filter(client=plan.client).count() == 7
        rules = set(Gap.objects.filter(resolved_at__isnull=True).values_list("rule", flat=True))
        assert {"no_mental_health_provider", "refill_overdue"} <= rules
