"""The daily scan under a frozen clock: an anniversary message once, to those who asked;
event reminders the day before to those who said yes; one check-in invitation a month.
Each in the client's own language."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine
from django.utils import translation

from alumni import services, tasks
from continuum.care.models import CareEpisode, Phase
from continuum.notifications.engine.render import in_app_copy
from continuum.notifications.models import Notification
from continuum.tenancy.scoping import organization_scope

from .factories import EventFactory, ProfileFactory, RsvpFactory

NY = ZoneInfo("America/New_York")


def at(*args):
    return time_machine.travel(datetime(*args, tzinfo=NY), tick=False)


def test_the_anniversary_message_goes_once_and_only_to_who_asked(in_org, alumnus):
    ProfileFactory(
        organization=in_org,
        client=alumnus,
        sobriety_date=date(2025, 3, 14),
        milestone_messages=True,
    )
    with at(2026, 3, 14, 9, 0):
        assert services.alumni_scan(organization=in_org)["milestones"] == 1
        services.alumni_scan(organization=in_org)
    sent = Notification.objects.filter(template=services.MILESTONE_KIND)
    assert sent.count() == 1
    assert sent.get().dedup_key.endswith(":2025-03-14:1y")
    with at(2026, 3, 15, 9, 0):
        assert services.alumni_scan(organization=in_org)["milestones"] == 0
    assert Notification.objects.filter(template=services.MILESTONE_KIND).count() == 1


def test_no_message_without_the_opt_in_or_outside_the_alumni_phase(in_org, alumnus):
    profile = ProfileFactory(
        organization=in_org,
        client=alumnus,
        sobriety_date=date(2025, 3, 14),
        milestone_messages=False,
    )
    with at(2026, 3, 14, 9, 0):
        assert services.alumni_scan(organization=in_org)["milestones"] == 0
        profile.milestone_messages = True
        profile.save()
        CareEpisode.objects.filter(client=alumnus).update(phase=Phase.AFTERCARE)
        assert services.alumni_scan(organization=in_org)["milestones"] == 0
    assert not Notification.objects.filter(template=services.MILESTONE_KIND).exists()


def test_the_message_reads_in_the_clients_language(in_org, alumnus):
    alumnus.preferred_language = "es"
    alumnus.save()
    ProfileFactory(
        organization=in_org, client=alumnus, sobriety_date=date(2026, 1, 1), milestone_messages=True
    )
    with at(2026, 1, 31, 9, 0):
        services.alumni_scan(organization=in_org)
    notification = Notification.objects.get(template=services.MILESTONE_KIND)
    with translation.override("en"):
        _subject, text, _url = in_app_copy(notification)
    assert "30 días" in text


def test_reminders_go_the_day_before_to_those_who_said_yes(in_org, alumnus):
    with at(2026, 6, 1, 12, 0):
        event = EventFactory(organization=in_org, starts_at=datetime(2026, 6, 3, 18, 30, tzinfo=NY))
        RsvpFactory(organization=in_org, event=event, client=alumnus, answer="yes")
        RsvpFactory(organization=in_org, event=event, client__organization=in_org, answer="maybe")
        # Two days ahead: not yet.
        assert services.alumni_scan(organization=in_org)["event_reminders"] == 0
    with at(2026, 6, 2, 8, 0):
        assert services.alumni_scan(organization=in_org)["event_reminders"] == 1
        services.alumni_scan(organization=in_org)
    reminder = Notification.objects.get(template=services.EVENT_REMINDER_KIND)
    assert reminder.recipient == alumnus.portal_user
    assert reminder.context["time"] == "18:30"


def test_one_check_in_invitation_a_month_until_answered(in_org, alumnus):
    ProfileFactory(organization=in_org, client=alumnus, monthly_checkin=True)
    with at(2026, 5, 1, 9, 0):
        services.alumni_scan(organization=in_org)
        services.alumni_scan(organization=in_org)
    with at(2026, 5, 2, 9, 0):
        services.alumni_scan(organization=in_org)
    assert Notification.objects.filter(template=services.CHECKIN_KIND).count() == 1
    with at(2026, 6, 1, 9, 0):
        services.checkin_record(
            actor=alumnus.portal_user, client=alumnus, doing=4, still_sober=True, unsafe=False
        )
        assert services.alumni_scan(organization=in_org)["checkins"] == 0


def test_the_beat_task_enters_the_organizations_scope(org, alumnus):
    with organization_scope(org):
        ProfileFactory(
            organization=org,
            client=alumnus,
            sobriety_date=date(2025, 3, 14),
            milestone_messages=True,
        )
    with at(2026, 3, 14, 9, 0):
        result = tasks.scan_organization.apply(kwargs={"organization_id": org.pk}).get()
    assert result["milestones"] == 1
