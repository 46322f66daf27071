"""A client's and a family member's reads of client information are in the audit trail,
like any staff member's."""

import pytest
from django.urls import reverse
from django_scopes import scope

from continuum.audit.models import AuditEvent
from continuum.tenancy.models import Membership, Role
from tests.casemanagement import factories as cm
from tests.coaching.factories import EngagementFactory
from tests.people.factories import ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_record(org, members):
    with scope(organization=org.pk):
        record = ClientFactory(organization=org, portal_user=members[Role.CLIENT])
        cm.GoalFactory(plan=cm.CarePlanFactory(client=record))
        cm.AppointmentFactory(client=record)
        cm.MedicationFactory(client=record)
        coach = Membership.objects.get(organization=org, user=members[Role.SOBER_COACH])
        EngagementFactory(organization=org, client=record, coach=coach)
    return record


@pytest.mark.parametrize(
    ("page", "action"),
    [
        ("portal:casemgmt_portal_plan", "careplan.viewed"),
        ("portal:casemgmt_portal_appointments", "appointment.viewed"),
        ("portal:casemgmt_portal_medications", "medication.viewed"),
        ("portal:coaching_home", "engagement.viewed"),
    ],
)
def test_the_clients_own_reads_are_audited(client, org, members, own_record, page, action):
    client.force_login(members[Role.CLIENT])
    assert client.get(reverse(page, kwargs={"org": org.slug})).status_code == 200
    with scope(organization=org.pk):
        [event] = AuditEvent.objects.filter(action=action)
    assert event.actor == members[Role.CLIENT]
    assert event.client_id == own_record.public_id
