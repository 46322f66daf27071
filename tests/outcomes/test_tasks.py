from datetime import timedelta

import time_machine
from django.utils import timezone
from django_scopes import scope

from continuum.care.models import Task
from continuum.tenancy.models import Membership, Role
from outcomes.models import FollowUp, FollowUpStatus
from outcomes.tasks import scan, scan_organization
from tests.people.factories import CareTeamMemberFactory, ClientFactory

from .factories import AgreementFactory, FollowUpFactory


def test_the_beat_scans_each_organization_in_its_own_scope(org, other_org, monkeypatch):
    sent = []
    monkeypatch.setattr(scan_organization, "delay", lambda **kw: sent.append(kw))
    assert scan.apply().get() == 2
    assert sorted(kw["organization_id"] for kw in sent) == sorted([org.pk, other_org.pk])


def test_the_organizations_scan_sends_what_is_due_there_only(org, other_org):
    with scope(organization=org.pk):
        # Due yesterday: "today" differs between UTC and the organization's zone.
        due = timezone.localdate() - timedelta(days=1)
        mine = FollowUpFactory(
            episode__client__organization=org,
            episode__client__email="robin@example.net",
            scheduled=True,
            due_on=due,
        )
        AgreementFactory(client=mine.client)
    with scope(organization=other_org.pk):
        theirs = FollowUpFactory(
            episode__client__organization=other_org,
            episode__client__email="kim@example.net",
            scheduled=True,
            due_on=due,
        )
        AgreementFactory(client=theirs.client)
    counts = scan_organization.apply(kwargs={"organization_id": org.pk}).get()
    assert counts == {"sent": 1, "reminded": 0, "unreached": 0, "cancelled": 0}
    with scope(organization=org.pk):
        assert FollowUp.objects.get(pk=mine.pk).status == FollowUpStatus.SENT
    with scope(organization=other_org.pk):
        assert FollowUp.objects.get(pk=theirs.pk).status == FollowUpStatus.SCHEDULED


def test_without_a_case_manager_the_unreached_call_goes_to_the_coach(in_org, members):
    coach = Membership.objects.get(organization=in_org, user=members[Role.SOBER_COACH])
    client = ClientFactory(organization=in_org, first_name="Dee", last_name="Moss")
    CareTeamMemberFactory(client=client, membership=coach, role=Role.SOBER_COACH)
    follow_up = FollowUpFactory(episode__client=client)
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        scan_organization.apply(kwargs={"organization_id": in_org.pk}).get()
    [call] = Task.objects.filter(client=client, source="outcomes.unreached")
    assert call.assignee == coach
    assert FollowUp.objects.get(pk=follow_up.pk).status == FollowUpStatus.UNREACHED
