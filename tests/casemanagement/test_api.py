import pytest
from django.urls import reverse

from casemanagement.models import Assessment
from casemanagement.services import gaps_scan
from continuum.audit.models import AuditEvent
from continuum.tenancy.models import Role
from tests.people.factories import ClientFactory

from . import factories


@pytest.fixture
def api(client, members):
    client.force_login(members[Role.CASE_MANAGER])
    return client


def api_url(name, org, **kwargs):
    return reverse(f"api:{name}", kwargs={"org": org.slug, **kwargs})


def test_care_plan_with_goals_and_steps(api, in_org, client_rec, plan):
    factories.GoalStepFactory(
        goal=factories.GoalFactory(plan=plan, title="Stable housing"), description="Tour"
    )
    data = api.get(api_url("casemgmt_plan", in_org, client_id=client_rec.public_id)).json()
    assert data["id"] == str(plan.public_id)
    assert data["goals"][0]["title"] == "Stable housing"
    assert data["goals"][0]["steps"][0]["description"] == "Tour"


def test_lists_are_audited_reads(api, in_org, client_rec):
    factories.ProviderFactory(client=client_rec)
    factories.AppointmentFactory(client=client_rec)
    factories.MedicationFactory(client=client_rec)
    for name in ("casemgmt_provider_list", "casemgmt_appointment_list", "casemgmt_medication_list"):
        response = api.get(api_url(name, in_org, client_id=client_rec.public_id))
        assert response.status_code == 200
        assert response.json()["count"] == 1
    assert AuditEvent.objects.filter(action__endswith=".viewed").count() == 3


def test_record_an_assessment(api, in_org, client_rec, plan):
    url = api_url("casemgmt_assessment_list", in_org, client_id=client_rec.public_id)
    answers = {f"q{n}": 1 for n in range(1, 8)}
    response = api.post(
        url, {"instrument": "gad7", "answers": answers}, content_type="application/json"
    )
    assert response.status_code == 201
    assert (response.json()["total"], response.json()["band"]) == (7, "mild")
    assert api.get(url).json()["count"] == 1


def test_bad_assessment_answers_are_field_errors_and_nothing_is_saved(api, in_org, client_rec):
    url = api_url("casemgmt_assessment_list", in_org, client_id=client_rec.public_id)
    response = api.post(
        url, {"instrument": "gad7", "answers": {"q1": 9}}, content_type="application/json"
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"q1", "q2"}
    assert not Assessment.objects.exists()


def test_gap_list_only_shows_visible_clients(api, in_org, client_rec, plan):
    client_rec.co_occurring_conditions = ["depression"]
    client_rec.save()
    hidden = ClientFactory(organization=in_org, co_occurring_conditions=["anxiety"])
    factories.CarePlanFactory(client=hidden)
    gaps_scan(organization=in_org)
    data = api.get(api_url("casemgmt_gap_list", in_org)).json()
    assert [g["client"] for g in data["results"]] == [str(client_rec.public_id)]


def test_client_not_on_the_care_team_is_404(api, in_org):
    other = ClientFactory(organization=in_org)
    response = api.get(api_url("casemgmt_provider_list", in_org, client_id=other.public_id))
    assert response.status_code == 404
