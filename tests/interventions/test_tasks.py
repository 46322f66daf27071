from datetime import timedelta

import time_machine
from django.utils import timezone
from django_scopes import scope

from continuum.care.timeline import client_timeline
from continuum.tenancy.models import Role
from interventions import services, tasks
from tests.interventions.conftest import notifications_for


def test_sweep_starts_one_alert_task_per_organization_taking_requests(org, other_org, monkeypatch):
    other_org.intake_open = False
    other_org.save()
    started = []
    monkeypatch.setattr(tasks.alert_overdue_requests, "delay", lambda **kw: started.append(kw))

    assert tasks.overdue_sweep() == 1
    assert started == [{"organization_id": org.pk}]


def test_alert_task_runs_in_the_organization_scope(org, members, help_data):
    start = timezone.now()
    with time_machine.travel(start, tick=False), scope(organization=org.pk):
        services.request_submit(organization=org, **help_data)
    with time_machine.travel(start + timedelta(hours=30), tick=False):
        result = tasks.alert_overdue_requests.apply(kwargs={"organization_id": org.pk})
    assert result.get() == 1
    with scope(organization=org.pk):
        assert notifications_for(members[Role.INTAKE_COORDINATOR], "interventions_request_overdue")


def test_every_step_is_on_the_clients_timeline(in_org, members, memberships, help_data):
    request, _ = services.request_submit(organization=in_org, **help_data)
    services.request_accept(
        actor=members[Role.INTAKE_COORDINATOR],
        request=request,
        interventionist=memberships[Role.INTERVENTIONIST],
    )
    titles = [e.title for e in client_timeline(client=request.client, organization=in_org).entries]
    assert "Family asked for an intervention" in titles
    assert "Request accepted" in titles
    assert "Intervention planning began" in titles
