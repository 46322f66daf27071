import pytest
from django.core import mail

from continuum.notifications.models import Notification
from continuum.notifications.services import notification_deliver_due
from continuum.tenancy.models import Membership, Role

HELP_DATA = {
    "requester_first_name": "Maria",
    "requester_last_name": "Lopez",
    "requester_email": "maria.lopez@example.com",
    "requester_phone": "555-0100",
    "preferred_contact_times": "Evenings",
    "relationship": "parent",
    "loved_one_first_name": "Sam",
    "loved_one_last_name": "Lopez",
    "loved_one_age": 27,
    "substances": "alcohol, opioids",
    "duration": "About three years",
    "prior_treatment": "Detox once, in 2023",
    "recent_events": "Lost his job last month",
    "others_involved": "His sister Ana and his father",
    "urgency": "this_week",
    "insurance": "Aetna PPO",
    "consent_to_contact": True,
}


@pytest.fixture
def help_data():
    return dict(HELP_DATA)


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    """Handoff runs stay pending in the database instead of going to a broker; tests run
    them with handoff_execute where they matter."""
    from continuum.care import tasks

    monkeypatch.setattr(tasks.handoff_run_task, "apply_async", lambda *a, **kw: None)


@pytest.fixture
def memberships(in_org, members):
    return {
        role: Membership.objects.get(organization=in_org, user=user)
        for role, user in members.items()
    }


@pytest.fixture
def deliver(in_org):
    """Deliver every due notification in the outbox; returns the e-mails sent."""

    def run():
        mail.outbox.clear()
        notification_deliver_due(worker="test")
        return list(mail.outbox)

    return run


def notifications_for(user, template=None):
    queryset = Notification.objects.filter(recipient=user)
    if template:
        queryset = queryset.filter(template=template)
    return list(queryset.order_by("created_at", "pk"))


__all__ = ["Role", "notifications_for"]
