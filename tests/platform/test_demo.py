"""The demo organization `make run` loads tells one story, dated from the day it is
loaded: every phase of the continuum, weeks of history behind each client, and landing
pages with something on them."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db.models.functions import Greatest
from django.urls import reverse

from casemanagement.models import Appointment, Assessment
from coaching.models import Alert, AlertStatus, CheckIn, Engagement, EngagementStatus
from continuum.audit.models import AuditEvent
from continuum.care.models import CareEpisode, Phase, PhaseTransition, Task, TaskStatus
from continuum.messaging.models import Message
from continuum.notifications.models import Notification
from continuum.tenancy.models import Organization
from continuum.tenancy.scoping import organization_scope
from continuum.tenancy.timezones import local_now
from interventions.models import EducationSession, Intervention, Letter
from referrals.models import Referral

pytestmark = pytest.mark.django_db(transaction=True)

# Two days the story must survive: a spring-forward Sunday afternoon in New York, and
# late on New Year's Eve there (already the next year in UTC).
DAYS = [
    datetime(2026, 3, 8, 18, 0, tzinfo=UTC),
    datetime(2027, 1, 1, 4, 30, tzinfo=UTC),
]


def _counts(organization) -> dict[str, int]:
    """Rows of every tenant table in the demo organization, the audit trail included."""
    counts = {}
    with organization_scope(organization):
        for model in apps.get_models():
            if any(f.name == "organization" for f in model._meta.fields):
                counts[model._meta.label_lower] = model._default_manager.count()
    return counts


def _setup(moment: datetime) -> Organization:
    with time_machine.travel(moment, tick=False):
        call_command("demo_setup", stdout=io.StringIO())
    return Organization.objects.get(slug="demo")


@pytest.mark.parametrize("moment", DAYS, ids=["dst-sunday", "new-years-eve"])
def test_the_demo_tells_the_same_story_whatever_the_day(moment):
    organization = _setup(moment)
    with organization_scope(organization), time_machine.travel(moment, tick=False):
        today = local_now(organization).date()
        # The story's clients; the past clients of the outcomes cohort are only numbers.
        story = CareEpisode.objects.exclude(client__email__startswith="past-client-")
        episodes = {e.client.first_name: e for e in story.select_related("client")}
        assert {name: e.phase for name, e in episodes.items()} == {
            "Cameron": Phase.AFTERCARE,
            "Daniel": Phase.AFTERCARE,
            "Rosa": Phase.ALUMNI,
            "Alex": Phase.ALUMNI,
            "Maya": Phase.RESIDENTIAL,
            "Jordan": Phase.PRE_TREATMENT,
            "Marcus": Phase.PRE_TREATMENT,
            "Tess": Phase.INQUIRY,
        }
        assert episodes["Cameron"].discharge_date == today - timedelta(days=42)
        assert episodes["Daniel"].discharge_date == today - timedelta(days=24)
        assert episodes["Maya"].admission_date == today - timedelta(days=14)
        # The alumna has been sober since her admission, months ago.
        assert (today - episodes["Rosa"].admission_date).days > 270

        # Nothing in the story's past is recorded in the future.
        assert not PhaseTransition.objects.filter(at__gt=moment).exists()
        assert not CheckIn.objects.filter(day__gt=today).exists()
        assert not AuditEvent.objects.filter(at__gt=moment).exists()
        # And the history is dated on its days: Cameron's discharge was entered then.
        discharge = PhaseTransition.objects.get(
            episode=episodes["Cameron"], to_phase=Phase.AFTERCARE
        )
        assert local_now(organization, discharge.at).date() == today - timedelta(days=42)

        # What the story's past made due reached its reader then, not on the day of
        # loading: a reminder of a visit weeks ago arrived the day before that visit.
        assert not Notification.objects.filter(status="pending", available_at__lte=moment).exists()
        sent = Notification.objects.filter(status="sent")
        assert sent.filter(template="appointment_reminder", sent_at__lt=moment - timedelta(days=7))
        late = sent.filter(
            sent_at__gt=Greatest("available_at", "created_at") + timedelta(minutes=1)
        )
        assert not late.exists()

        # Mid-intervention: both letters wait for review, the next meeting and the day
        # itself are ahead.
        jordan = Intervention.objects.get(client__first_name="Jordan")
        assert jordan.scheduled_at > moment
        letters = Letter.objects.filter(participant__intervention=jordan)
        assert sorted(letters.values_list("status", flat=True)) == ["submitted", "submitted"]
        assert EducationSession.objects.filter(intervention=jordan, starts_at__gt=moment).exists()

        # Doing well: PHQ-9 falls at every assessment, cravings fade.
        cameron = episodes["Cameron"].client
        phq9 = list(
            Assessment.objects.filter(client=cameron, instrument="phq9")
            .order_by("completed_at")
            .values_list("total", flat=True)
        )
        assert len(phq9) >= 3 and phq9 == sorted(phq9, reverse=True) and phq9[0] > phq9[-1]
        cravings = list(
            CheckIn.objects.filter(engagement__client=cameron)
            .order_by("day")
            .values_list("craving", flat=True)
        )
        assert len(cravings) >= 30
        assert sum(cravings[:7]) > sum(cravings[-7:])

        # Struggling: an open craving alert today and a missed visit with its task.
        danny = episodes["Daniel"].client
        assert Alert.objects.filter(
            engagement__client=danny, cause="craving", status=AlertStatus.OPEN
        ).exists()
        missed = Appointment.objects.get(client=danny, status="missed")
        assert missed.starts_at < moment
        assert Task.objects.filter(
            client=danny, status=TaskStatus.OPEN, title__startswith="Reschedule"
        ).exists()
        assert Engagement.objects.get(client=danny).status == EngagementStatus.ACTIVE

        # Referrals in several states; conversations on both sides of the portal.
        states = set(Referral.objects.values_list("status", flat=True))
        assert {"draft", "requested", "rejected", "in_progress", "completed"} <= states
        threads = {
            (m.thread.client.first_name, m.thread.family_member_id is not None)
            for m in Message.objects.select_related("thread__client")
        }
        assert {("Cameron", False), ("Cameron", True), ("Daniel", False)} <= threads


def test_running_the_demo_again_changes_nothing(client):
    organization = _setup(DAYS[0])
    first = _counts(organization)
    # The story's eight (the alumnus among them), and the outcomes cohort's 60 past clients.
    assert first["people.client"] == 8 + 60
    _setup(DAYS[0] + timedelta(hours=3))
    assert _counts(organization) == first

    for email, page in [
        ("admin@demo.example.com", "staff:dashboard"),
        ("family@demo.example.com", "portal:home"),
        ("client@demo.example.com", "portal:home"),
        ("alumni@demo.example.com", "portal:home"),
    ]:
        assert client.login(email=email, password="recovery-demo-2026")
        assert client.get(reverse(page, kwargs={"org": "demo"})).status_code == 200
        client.logout()


def test_a_demo_loaded_by_an_earlier_version_is_left_alone_with_the_way_to_start_over():
    from tests.factories import OrganizationFactory
    from tests.people.factories import ClientFactory

    organization = OrganizationFactory(slug="demo")
    ClientFactory(organization=organization, email="client@demo.example.com")
    before = _counts(organization)
    out = io.StringIO()
    call_command("demo_setup", stdout=out)
    assert "earlier version of the demo" in out.getvalue()
    assert "make clean-data" in out.getvalue()
    assert "client@demo.example.com" in out.getvalue()
    after = _counts(organization)
    # The logins are refreshed (their memberships and the audit of them); no story is
    # written over the other one.
    changed = {name for name in after if after[name] != before[name]}
    assert changed <= {"tenancy.membership", "audit.auditevent"}
    assert after["people.client"] == 1
