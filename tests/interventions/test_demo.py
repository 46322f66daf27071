from django.core.management import call_command
from django_scopes import scope

from continuum.care.models import CareEpisode, Phase
from continuum.tenancy.models import Organization
from interventions.models import Intervention, InterventionRequest, ResponsePlan


def test_demo_builds_complete_cases_once(db, monkeypatch):
    from continuum.care import tasks

    monkeypatch.setattr(tasks.handoff_run_task, "apply_async", lambda *a, **kw: None)
    call_command("demo_setup")
    call_command("demo_interventions")
    call_command("demo_interventions")

    organization = Organization.objects.get(slug="demo")
    with scope(organization=organization.pk):
        assert InterventionRequest.objects.count() == 3
        phases = {
            e.client.first_name: e.phase
            for e in CareEpisode.objects.filter(
                client__last_name__in=["Ellis", "Bell", "Moreno"]
            ).select_related("client")
        }
        assert phases == {
            "Jordan": Phase.RESIDENTIAL,
            "Marcus": Phase.PRE_TREATMENT,
            "Tess": Phase.INQUIRY,
        }
        assert set(Intervention.objects.values_list("outcome", flat=True)) == {
            "accepted",
            "declined",
        }
        assert ResponsePlan.objects.get().shared_at is not None
