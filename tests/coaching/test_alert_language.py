"""An alert's detail is said in the reader's language, whoever raised it: a coach working
in Spanish records a positive test, and the admin reading in English sees English."""

from datetime import datetime
from importlib import import_module
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django_scopes import scope

from coaching.models import Alert, AlertCause
from continuum.tenancy.models import Membership, Role
from tests.coaching.factories import AlertFactory, EngagementFactory
from tests.people.factories import ClientFactory

NY = ZoneInfo("America/New_York")
NOON = datetime(2026, 11, 12, 12, 0, tzinfo=NY)
ENGLISH = "Positive urine test on Nov 10"
SPANISH = "Prueba de orina positiva el 10 de noviembre"

migration = import_module("coaching.migrations.0005_alert_facts_from_detail")


@pytest.fixture
def engagement(org, members):
    with scope(organization=org.pk):
        coach = Membership.objects.get(organization=org, user=members[Role.SOBER_COACH])
        client = ClientFactory(organization=org, first_name="Jordan", last_name="Reyes")
        return EngagementFactory(
            organization=org, client=client, coach=coach, includes_monitoring=True
        )


def _in(client, user, language):
    """Sign in as `user` with `language` chosen, as the language switcher does."""
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _page(client, org, engagement) -> str:
    target = reverse(
        "staff:coaching_engagement",
        kwargs={"org": org.slug, "engagement_id": engagement.public_id},
    )
    response = client.get(target)
    assert response.status_code == 200
    return response.content.decode()


def _api_detail(client, org) -> str:
    response = client.get(reverse("api:coaching_alerts", kwargs={"org": org.slug}))
    assert response.status_code == 200
    return response.json()["results"][0]["detail"]


@time_machine.travel(NOON, tick=False)
def test_a_positive_test_recorded_in_spanish_reads_in_each_readers_language(
    client, org, members, engagement
):
    coach, admin = members[Role.SOBER_COACH], members[Role.ORG_ADMIN]
    response = _in(client, coach, "es").post(
        reverse(
            "staff:coaching_test_new",
            kwargs={"org": org.slug, "engagement_id": engagement.public_id},
        ),
        {"tested_on": "2026-11-10", "kind": "urine", "result": "positive"},
    )
    assert response.status_code == 302
    with scope(organization=org.pk):
        alert = Alert.objects.get(engagement=engagement, cause=AlertCause.REPORTED_USE)
    # The codes are stored, and the sentence in English, not in the coach's Spanish.
    assert alert.facts == {"test_kind": "urine", "tested_on": "2026-11-10"}
    assert alert.detail == ENGLISH

    spanish_page = _page(client, org, engagement)
    assert SPANISH in spanish_page and ENGLISH not in spanish_page
    assert _api_detail(client, org) == SPANISH

    _in(client, admin, "en")
    english_page = _page(client, org, engagement)
    assert ENGLISH in english_page and SPANISH not in english_page
    assert _api_detail(client, org) == ENGLISH


@time_machine.travel(NOON, tick=False)
def test_the_scan_and_the_check_in_say_their_details_in_the_readers_language(
    client, org, members, engagement
):
    with scope(organization=org.pk):
        AlertFactory(
            organization=org,
            engagement=engagement,
            cause=AlertCause.MISSED_CHECKIN,
            facts={"days": 3},
        )
    _in(client, members[Role.SOBER_COACH], "es")
    assert "Sin registro desde hace 3 días" in _page(client, org, engagement)
    _in(client, members[Role.ORG_ADMIN], "en")
    assert "No check-in for 3 days" in _page(client, org, engagement)


def test_the_migration_reads_the_facts_back_from_sentences_the_services_wrote(
    client, org, members, engagement
):
    raised = datetime(2027, 1, 1, 15, tzinfo=NY)
    with scope(organization=org.pk):
        written_in_spanish = AlertFactory(
            organization=org,
            engagement=engagement,
            cause=AlertCause.REPORTED_USE,
            detail="Positive orina test on Dec 31",
            raised_at=raised,
            facts={},
        )
        craving = AlertFactory(
            organization=org,
            engagement=engagement,
            cause=AlertCause.CRAVING,
            detail="Craving 8/10 on Jan 1",
            raised_at=raised,
            facts={},
        )
        by_hand = AlertFactory(
            organization=org,
            engagement=engagement,
            cause=AlertCause.NO_CONTACT,
            detail="Coach on leave, covered by Sam",
            raised_at=raised,
            facts={},
        )
    migration.recover_facts(apps, None)
    with scope(organization=org.pk):
        for alert in (written_in_spanish, craving, by_hand):
            alert.refresh_from_db()
    # The test was on Dec 31 of the year before the alert.
    assert written_in_spanish.facts == {"test_kind": "urine", "tested_on": "2026-12-31"}
    assert craving.facts == {"craving": 8, "day": "2027-01-01"}
    # Nothing to read back: it stays as it was written.
    assert by_hand.facts == {} and by_hand.detail_text == "Coach on leave, covered by Sam"

    _in(client, members[Role.ORG_ADMIN], "en")
    page = _page(client, org, engagement)
    assert "Positive urine test on Dec 31" in page and "Craving 8/10 on Jan 1" in page
    _in(client, members[Role.SOBER_COACH], "es")
    page = _page(client, org, engagement)
    assert "Prueba de orina positiva el 31 de diciembre" in page
    assert "Coach on leave, covered by Sam" in page


def test_the_migration_leaves_a_sentence_it_cannot_read_back(org):
    raised = datetime(2026, 3, 1, 12, tzinfo=NY)
    assert migration.facts_from("reported_use", "Positive sweat test on Feb 2", raised) == {}
    assert migration.facts_from("reported_use", "Positive urine test on Feb 30", raised) == {}
    assert migration.facts_from("missed_checkin", "No check-in for 1 day", raised) == {"days": 1}
    assert migration.facts_from("help_now", "Asked for help from the portal", raised) == {
        "door": "portal"
    }
