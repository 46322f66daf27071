"""Sobriety anniversaries as recovery communities count them: 30, 60 and 90 days, 6 and
9 months, 1 year, then every year. Pure functions of dates.

A month anniversary falls on the same day of the month; where that month is shorter
(31 August + 6 months, 29 February + 1 year) it falls on the month's last day, so every
client has exactly one anniversary of each kind."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

DAY_MILESTONES = (30, 60, 90)
MONTH_MILESTONES = (6, 9)


@dataclass(frozen=True)
class Milestone:
    on: date
    count: int
    unit: str  # "days", "months" or "years"

    @property
    def key(self) -> str:
        return f"{self.count}{self.unit[0]}"


def add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def milestones_from(sober_since: date):
    """Every anniversary after `sober_since`, in order, without end."""
    for days in DAY_MILESTONES:
        yield Milestone(sober_since + timedelta(days=days), days, "days")
    for months in MONTH_MILESTONES:
        yield Milestone(add_months(sober_since, months), months, "months")
    years = 1
    while True:
        yield Milestone(add_months(sober_since, 12 * years), years, "years")
        years += 1


def next_milestone(sober_since: date, today: date) -> Milestone:
    """The first anniversary today or later (today's own counts: it is the day to mark)."""
    for milestone in milestones_from(sober_since):
        if milestone.on >= today:
            return milestone
    raise AssertionError("unreachable: anniversaries have no end")


def milestone_on(sober_since: date, today: date) -> Milestone | None:
    milestone = next_milestone(sober_since, today)
    return milestone if milestone.on == today else None


def reached(sober_since: date, today: date) -> list[Milestone]:
    """The anniversaries already passed or reached today, oldest first."""
    out = []
    for milestone in milestones_from(sober_since):
        if milestone.on > today:
            return out
        out.append(milestone)
    return out


def days_sober(sober_since: date, today: date) -> int:
    return max((today - sober_since).days, 0)
