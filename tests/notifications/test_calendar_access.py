"""A calendar link ends with the membership or role that allowed it, every read of it is
in the audit trail, and what it shows leaves out what the events are about."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scope

from continuum.audit.models import AuditEvent
from continuum.care.models import Phase
from continuum.notifications.services import calendar_feed_rotate
from continuum.tenancy.models import Membership, Role
from continuum.tenancy.services import membership_deactivate, membership_update
from tests.coaching.factories import EngagementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coach_feed(client, org, members):
    """The coach's calendar link, with a high-risk day on it."""
    coach = members[Role.SOBER_COACH]
    with scope(organization=org.pk):
        membership = Membership.objects.get(organization=org, user=coach)
        engagement = EngagementFactory(organization=org, coach=membership)
        engagement.high_risk_events.create(
            organization=org,
            title="Anniversary of the overdose; relapse risk",
            starts_at=timezone.now() + timedelta(days=2),
            plan="Call at 9",
            created_by=coach,
        )
        _feed, token = calendar_feed_rotate(actor=coach, organization=org)
    url = reverse("public:calendar_feed_ics", kwargs={"org": org.slug, "feed_token": token})
    return {"url": url, "membership": membership}


def _events(org, action):
    with scope(organization=org.pk):
        return list(AuditEvent.objects.filter(action=action))


def test_a_read_of_the_feed_is_audited(client, org, members, coach_feed):
    response = client.get(coach_feed["url"])
    assert response.status_code == 200
    assert response.content.decode().count("BEGIN:VEVENT") == 1
    [read] = _events(org, "calendar_feed.read")
    assert read.actor == members[Role.SOBER_COACH] and read.detail == {"items": 1}


def test_titles_say_nothing_about_what_the_day_is(client, org, coach_feed):
    text = client.get(coach_feed["url"]).content.decode()
    summaries = re.findall(r"^SUMMARY:(.*)\r$", text, re.MULTILINE)
    assert summaries == ["Extra support day"]
    words = ["high-risk", "relapse", "overdose", "craving", "PHQ", "GAD", "AUDIT", "BAM"]
    with translation.override("en"):
        words += [str(label) for label in Phase.labels]
    for word in words:
        assert word.lower() not in text.lower(), word


def test_a_deactivated_members_feed_ends(client, org, members, coach_feed):
    with scope(organization=org.pk):
        membership_deactivate(actor=members[Role.ORG_ADMIN], membership=coach_feed["membership"])
    response = client.get(coach_feed["url"])
    assert response.status_code == 410
    body = response.content.decode()
    assert "BEGIN:VEVENT" not in body and "create a new link" in body
    assert _events(org, "calendar_feed.read") == []
    [refused] = _events(org, "calendar_feed.refused")
    assert refused.actor == members[Role.SOBER_COACH]


def test_a_feed_ends_with_the_role_that_allowed_it(client, org, members, coach_feed):
    with scope(organization=org.pk):
        membership_update(
            actor=members[Role.ORG_ADMIN],
            membership=coach_feed["membership"],
            roles=[Role.CASE_MANAGER],
        )
    assert client.get(coach_feed["url"]).status_code == 410
    assert _events(org, "calendar_feed.read") == []


def test_a_role_added_later_leaves_the_feed_working(client, org, members, coach_feed):
    with scope(organization=org.pk):
        membership_update(
            actor=members[Role.ORG_ADMIN],
            membership=coach_feed["membership"],
            roles=[Role.SOBER_COACH, Role.CASE_MANAGER],
        )
    assert client.get(coach_feed["url"]).status_code == 200
