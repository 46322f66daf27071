from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope

from continuum.notifications import calendar
from continuum.notifications.calendar import CalendarItem, escape_text, fold, render_ics
from continuum.notifications.models import CalendarFeed

from .factories import calendar_feed_with_token

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def appointments():
    """A provider standing in for the apps that own scheduled items."""
    seen = []

    def provider(*, organization, user):
        seen.append((organization.slug, user.email))
        if user.email.startswith("sober_coach"):
            yield CalendarItem(
                uid="appointment-1",
                start=datetime(2026, 3, 3, 14, 0, tzinfo=UTC),
                end=datetime(2026, 3, 3, 15, 0, tzinfo=UTC),
                summary="Appointment",
                location="Harbor Clinic, Room 2; 12 Main St.",
                url="https://example.com/a/1",
            )
            yield CalendarItem(
                uid="family-day@harbor",
                start=date(2026, 3, 1),
                end=date(2026, 3, 2),
                summary="Family day",
            )

    calendar.register(provider)
    yield seen
    calendar.unregister(provider)


def _unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


@time_machine.travel(NOW, tick=False)
def test_feed_serves_the_users_items_as_icalendar(client, org, members, appointments):
    token = calendar_feed_with_token(org, members["sober_coach"])
    url = reverse("public:calendar_feed_ics", kwargs={"org": org.slug, "feed_token": token})
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    text = response.content.decode()
    assert text.endswith("\r\n")
    lines = _unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and "X-WR-CALNAME:Harbor Recovery" in lines
    assert lines.count("BEGIN:VEVENT") == 2
    # Sorted by start: the all-day item first.
    first = lines.index("BEGIN:VEVENT")
    assert lines[first + 1 : first + 6] == [
        "UID:family-day@harbor",
        "DTSTAMP:20260302T120000Z",
        "DTSTART;VALUE=DATE:20260301",
        "DTEND;VALUE=DATE:20260302",
        "SUMMARY:Family day",
    ]
    assert "UID:appointment-1@continuum" in lines
    assert "DTSTART:20260303T140000Z" in lines
    assert "LOCATION:Harbor Clinic\\, Room 2\\; 12 Main St." in lines
    assert "URL:https://example.com/a/1" in lines
    assert appointments == [("harbor", "sober_coach@harbor.example.com")]


def test_feed_for_unknown_or_revoked_tokens_is_404(client, org, members, appointments):
    unknown = reverse("public:calendar_feed_ics", kwargs={"org": org.slug, "feed_token": "nope"})
    assert client.get(unknown).status_code == 404
    token = calendar_feed_with_token(org, members["sober_coach"])
    with scope(organization=org.pk):
        CalendarFeed.objects.update(revoked_at=NOW)
    url = reverse("public:calendar_feed_ics", kwargs={"org": org.slug, "feed_token": token})
    assert client.get(url).status_code == 404
    assert appointments == []  # no provider was asked for anything


def test_feed_token_only_works_in_its_own_organization(client, org, other_org, members):
    token = calendar_feed_with_token(org, members["sober_coach"])
    url = reverse("public:calendar_feed_ics", kwargs={"org": other_org.slug, "feed_token": token})
    assert client.get(url).status_code == 404


def test_text_is_escaped():
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_long_lines_fold_at_75_octets_without_splitting_characters():
    line = "SUMMARY:" + "Überprüfung " * 20
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == line


def test_naive_datetimes_are_refused():
    item = CalendarItem(uid="x", start=datetime(2026, 1, 1), end=datetime(2026, 1, 1), summary="s")
    with pytest.raises(ValueError, match="timezone-aware"):
        render_ics(items=[item], name="n", now=NOW - timedelta(days=1))
