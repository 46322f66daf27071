"""Anniversaries counted by hand: 30/60/90 days, 6 and 9 months, 1 year, then yearly;
a month anniversary on a day the month lacks falls on its last day."""

from datetime import date
from itertools import islice

import pytest

from alumni.milestones import (
    add_months,
    days_sober,
    milestone_on,
    milestones_from,
    next_milestone,
    reached,
)


def first(sober_since, n):
    out = []
    for m in milestones_from(sober_since):
        out.append((m.count, m.unit, m.on))
        if len(out) == n:
            return out


def test_the_series_from_an_ordinary_date():
    assert first(date(2025, 3, 14), 8) == [
        (30, "days", date(2025, 4, 13)),
        (60, "days", date(2025, 5, 13)),
        (90, "days", date(2025, 6, 12)),
        (6, "months", date(2025, 9, 14)),
        (9, "months", date(2025, 12, 14)),
        (1, "years", date(2026, 3, 14)),
        (2, "years", date(2027, 3, 14)),
        (3, "years", date(2028, 3, 14)),
    ]


def test_days_count_across_a_leap_february():
    # 2024 is a leap year: 30 days from 31 January is 1 March, not 2 March.
    assert first(date(2024, 1, 31), 1) == [(30, "days", date(2024, 3, 1))]
    assert first(date(2023, 1, 31), 1) == [(30, "days", date(2023, 3, 2))]


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 8, 31), 6, date(2026, 2, 28)),  # February has no 31st
        (date(2023, 8, 31), 6, date(2024, 2, 29)),  # ... in a leap year its 29th
        (date(2025, 5, 31), 9, date(2026, 2, 28)),
        (date(2025, 3, 31), 6, date(2025, 9, 30)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2025, 10, 15), 6, date(2026, 4, 15)),  # across the year end
    ],
)
def test_month_ends(start, months, expected):
    assert add_months(start, months) == expected


def test_a_29_february_sobriety_date_has_an_anniversary_every_year():
    series = islice(milestones_from(date(2024, 2, 29)), 10)
    years = [m.on for m in series if m.unit == "years"]
    assert years == [
        date(2025, 2, 28),
        date(2026, 2, 28),
        date(2027, 2, 28),
        date(2028, 2, 29),
        date(2029, 2, 28),
    ]


def test_next_milestone_and_days_sober():
    since = date(2025, 3, 14)
    assert days_sober(since, date(2025, 3, 14)) == 0
    assert days_sober(since, date(2026, 3, 14)) == 365
    upcoming = next_milestone(since, date(2025, 6, 13))
    assert (upcoming.count, upcoming.unit, upcoming.on) == (6, "months", date(2025, 9, 14))
    # The day itself is the next milestone: the day to mark it.
    today = next_milestone(since, date(2026, 3, 14))
    assert (today.count, today.unit) == (1, "years")
    assert milestone_on(since, date(2026, 3, 14)) == today
    assert milestone_on(since, date(2026, 3, 15)) is None
    assert [(m.count, m.unit) for m in reached(since, date(2025, 12, 13))] == [
        (30, "days"),
        (60, "days"),
        (90, "days"),
        (6, "months"),
    ]
