from datetime import UTC, datetime

import pytest
import time_machine

from casemanagement import tasks
from casemanagement.models import Gap
from continuum.care.models import Task


@time_machine.travel(datetime(2026, 6, 1, 15, tzinfo=UTC), tick=False)
def test_the_scan_task_is_idempotent_and_scoped(org, client, members, other_org):
    from django_scopes import scope

    from tests.people.factories import ClientFactory

    from . import factories

    with scope(organization=org.pk):
        sam = ClientFactory(organization=org, co_occurring_conditions=["depression"])
        factories.CarePlanFactory(client=sam)
    first = tasks.scan_organization(organization_id=org.pk)
    second = tasks.scan_organization(organization_id=org.pk)
    assert first["created"] == 1 and second["created"] == 0
    with scope(organization=org.pk):
        assert Gap.objects.count() == 1
        assert Task.objects.filter(source__startswith="casemanagement.gap").count() == 1
    with scope(organization=other_org.pk):
        assert Gap.objects.count() == 0


def test_the_beat_task_fans_out_one_scan_per_active_organization(org, other_org, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.scan_organization, "delay", lambda **kw: sent.append(kw))
    other_org.is_active = False
    other_org.save()
    assert tasks.scan() == 1
    assert sent == [{"organization_id": org.pk}]


pytestmark = pytest.mark.django_db
