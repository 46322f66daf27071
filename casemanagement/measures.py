"""Follow-up measures after a residential or withdrawal-management discharge: pure
functions over local dates, no queries (selectors.followup_report loads the rows).

- Follow-up within 7 and 30 days (HEDIS FUI-style, shared instruments reference): a
  qualifying visit on a day in (D, D+N]; the discharge day does not count, day N does.
- Initiation (IET-style): a qualifying visit in (D, D+14]. Engagement: two more, on
  later days, within 34 days of the initiation day, (I, I+34].
- Continuity of medication for opioid use disorder (POD-style): from the first fill of
  buprenorphine, methadone or naltrexone, 180 days of treatment with no gap of more than
  7 days without medication.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

FOLLOW_UP_DAYS = (7, 30)
INITIATION_DAYS = 14
ENGAGEMENT_DAYS = 34
ENGAGEMENT_VISITS = 2
CONTINUITY_DAYS = 180
CONTINUITY_MAX_GAP = 7

MET, OPEN, MISSED, NOT_STARTED = "met", "open", "missed", "not_started"
MEASURES = ("follow_up_7", "follow_up_30", "initiation", "engagement", "continuity")

# Medications for opioid use disorder, by generic and brand name (POD counts these).
OUD_MEDICATIONS = {
    "buprenorphine": ("buprenorphine", "suboxone", "subutex", "zubsolv", "sublocade", "brixadi"),
    "methadone": ("methadone", "methadose", "dolophine"),
    "naltrexone": ("naltrexone", "vivitrol"),
}


def oud_medication(name: str) -> str:
    """'buprenorphine', 'methadone', 'naltrexone', or '' for any other medication."""
    lowered = name.lower()
    for generic, names in OUD_MEDICATIONS.items():
        if any(n in lowered for n in names):
            return generic
    return ""


@dataclass(frozen=True, order=True)
class Visit:
    day: date
    kind: str  # what the visit was, as a case manager reads it


@dataclass(frozen=True)
class Window:
    state: str  # met, open, missed
    last_day: date
    days_left: int = 0  # while open: days still to go, today included
    visit: Visit | None = None


def _days_left(last_day: date, first_day: date, today: date) -> int:
    return (last_day - max(today, first_day)).days + 1


def window(*, after: date, visits: list[Visit], days: int, today: date) -> Window:
    """The first qualifying visit on a day in (after, after+days]."""
    last_day = after + timedelta(days=days)
    inside = sorted(v for v in visits if after < v.day <= last_day)
    if inside:
        return Window(MET, last_day, visit=inside[0])
    if today > last_day:
        return Window(MISSED, last_day)
    return Window(OPEN, last_day, days_left=_days_left(last_day, after + timedelta(days=1), today))


@dataclass(frozen=True)
class Engagement:
    state: str  # met, open, missed (also missed when there was no initiation)
    last_day: date | None
    days_left: int = 0
    visits: tuple[Visit, ...] = ()


def engagement(*, initiation: Window, visits: list[Visit], today: date) -> Engagement:
    if initiation.state == OPEN:
        return Engagement(OPEN, None, days_left=0)
    if initiation.state == MISSED:
        return Engagement(MISSED, None)
    start = initiation.visit.day
    last_day = start + timedelta(days=ENGAGEMENT_DAYS)
    by_day: dict[date, Visit] = {}
    for visit in sorted(visits):
        if start < visit.day <= last_day:
            by_day.setdefault(visit.day, visit)
    later = tuple(by_day.values())
    if len(later) >= ENGAGEMENT_VISITS:
        return Engagement(MET, last_day, visits=later[:ENGAGEMENT_VISITS])
    if today > last_day:
        return Engagement(MISSED, last_day, visits=later)
    return Engagement(
        OPEN,
        last_day,
        days_left=_days_left(last_day, start + timedelta(days=1), today),
        visits=later,
    )


@dataclass(frozen=True)
class Continuity:
    state: str  # met, open, missed, not_started
    medication: str  # buprenorphine, methadone, naltrexone
    started_on: date | None = None
    covered_until: date | None = None  # last day with medication in the unbroken run
    days_left: int = 0
    gap_days: int = 0  # the gap that broke continuity


def continuity(*, medication: str, supplies: list[tuple[date, date]], today: date) -> Continuity:
    """`supplies` are (first day, day the supply runs out) pairs, end exclusive."""
    if not supplies:
        return Continuity(NOT_STARTED, medication)
    supplies = sorted(supplies)
    start = supplies[0][0]
    horizon = start + timedelta(days=CONTINUITY_DAYS)
    run_end = supplies[0][1]
    for first, end in supplies[1:]:
        gap = (first - run_end).days
        if gap > CONTINUITY_MAX_GAP:
            break
        run_end = max(run_end, end)
    last = run_end - timedelta(days=1)
    if run_end >= horizon:
        return Continuity(MET, medication, start, last)
    # Without medication since run_end: broken once that gap passes 7 days (a later
    # fill starts a new treatment, not this one's continuation).
    gap = (today - run_end).days
    if gap > CONTINUITY_MAX_GAP or any(first > run_end for first, _ in supplies):
        next_fill = next((first for first, _ in supplies if first > run_end), None)
        gap_days = (next_fill - run_end).days if next_fill else gap
        return Continuity(MISSED, medication, start, last, gap_days=gap_days)
    return Continuity(
        OPEN, medication, start, last, days_left=max(0, (horizon - max(today, start)).days)
    )


@dataclass
class MonthRate:
    month: date  # first of the month of discharge
    discharges: int = 0
    counts: dict = field(default_factory=dict)  # measure -> {met, open, missed}

    def add(self, measure: str, state: str) -> None:
        row = self.counts.setdefault(measure, {MET: 0, OPEN: 0, MISSED: 0})
        row[state] = row.get(state, 0) + 1

    @property
    def cells(self) -> list[dict]:
        """One cell per measure, in the report's column order."""
        return [
            {
                "measure": measure,
                "met": self.counts.get(measure, {}).get(MET, 0),
                "decided": self.counts.get(measure, {}).get(MET, 0)
                + self.counts.get(measure, {}).get(MISSED, 0),
                "open": self.counts.get(measure, {}).get(OPEN, 0),
                "rate": self.rate(measure),
            }
            for measure in MEASURES
        ]

    def rate(self, measure: str) -> int | None:
        """Percent met of the discharges whose window has closed; None while all open."""
        row = self.counts.get(measure, {})
        decided = row.get(MET, 0) + row.get(MISSED, 0)
        return round(100 * row.get(MET, 0) / decided) if decided else None
