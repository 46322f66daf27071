from django.core.management import call_command
from django_scopes import scope

from continuum.care.models import CareEpisode, Phase
from continuum.tenancy.models import Organization
from interventions.models import Intervention, InterventionRequest, Letter, ResponsePlan


def test_demo_builds_each_familys_case_once(db, monkeypatch):
    from continuum.care import tasks

    monkeypatch.setattr(tasks.handoff_run_task, "apply_async", lambda *a, **kw: None)
    call_command("demo_setup")
    call_command("demo_interventions")

    organization = Organization.objects.get(slug="demo")
    with scope(organization=organization.pk):
        assert InterventionRequest.objects.count() == 4
        phases = {
            e.client.first_name: e.phase
            for e in CareEpisode.objects.filter(
                client__last_name__in=["Ellis", "Lindqvist", "Bell", "Moreno"]
            ).select_related("client")
        }
        assert phases == {
            "Jordan": Phase.PRE_TREATMENT,
            "Maya": Phase.RESIDENTIAL,
            "Marcus": Phase.PRE_TREATMENT,
            "Tess": Phase.INQUIRY,
        }
        outcomes = dict(Intervention.objects.values_list("client__first_name", "outcome"))
        assert outcomes == {"Jordan": "", "Maya": "accepted", "Marcus": "declined"}
        # The family login's letter waits for review, beside the sister's second draft.
        in_review = Letter.objects.filter(
            participant__intervention__client__first_name="Jordan", status="submitted"
        )
        assert set(in_review.values_list("participant__name", flat=True)) == {
            "Fran Family",
            "Priya Ellis",
        }
        assert ResponsePlan.objects.get().shared_at is not None
