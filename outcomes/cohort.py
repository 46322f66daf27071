"""What the center learns from a discharge cohort: the arithmetic of the cohort page,
pure (no queries; `selectors` loads the rows, `views` renders).

- Proportions carry a 95% Wilson score interval; a mean a t interval (n - 1 degrees
  of freedom); a median a distribution-free interval from the order statistics.
- Non-response stays visible: every proportion is shown of those reached and of all
  discharged whose follow-up is due (someone not reached counts as not having the
  outcome in the second).
- Small cells: a numerator or denominator of 1 to 10 people is shown as "fewer than 11",
  its interval too; where a hidden count could be worked out by subtraction from a shown
  total, the complement is hidden as well (docs/outcomes.md, "Small cells")."""

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _

from continuum.care.cohorts import MEDIAN, Figure

from .models import FollowUpStatus, Housing, WorkSchool

Z = 1.959963984540054  # the normal distribution's 97.5th percentile
SMALLEST_SHOWN = 11
STABLE_HOUSING = frozenset({Housing.OWN, Housing.FAMILY, Housing.RECOVERY})
WORK_OR_SCHOOL = frozenset({WorkSchool.FULL_TIME, WorkSchool.PART_TIME, WorkSchool.SCHOOL})


# --- intervals ---------------------------------------------------------------------------


def wilson(k: int, n: int, z: float = Z) -> tuple[float, float]:
    """The Wilson score interval of k successes in n."""
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def t_quantile(df: int) -> float:
    """Student's t 97.5th percentile (Cornish-Fisher expansion about the normal one;
    within 0.001 of the exact value from 10 degrees of freedom on, which is all the
    page shows: smaller groups are suppressed)."""
    z, v = Z, float(df)
    return (
        z
        + (z**3 + z) / (4 * v)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * v**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * v**3)
        + (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / (92160 * v**4)
    )


def mean_interval(values: list[float]) -> tuple[float, float, float]:
    """The mean and its 95% t interval (sample standard deviation, n - 1)."""
    n = len(values)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = t_quantile(n - 1) * sd / math.sqrt(n)
    return mean, mean - half, mean + half


def median_interval(values: list[float]) -> tuple[float, float, float]:
    """The median and its 95% interval between the order statistics of ranks
    n/2 - z*sqrt(n)/2 and 1 + n/2 + z*sqrt(n)/2, rounded (1-based)."""
    ordered = sorted(values)
    n = len(ordered)
    middle = n // 2
    median = ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    spread = Z * math.sqrt(n) / 2
    low = min(max(_half_up(n / 2 - spread), 1), n)
    high = min(max(_half_up(1 + n / 2 + spread), 1), n)
    return median, ordered[low - 1], ordered[high - 1]


def _half_up(x: float) -> int:
    return math.floor(x + 0.5)


def small(count: int | None) -> bool:
    return count is not None and 1 <= count < SMALLEST_SHOWN


def _number(x: float) -> str:
    # Formatted here, never localized: the CSV and the page read the same.
    return f"{x:.1f}"


# --- cells -------------------------------------------------------------------------------

PROPORTION, MEAN, COUNT = "proportion", "mean", "count"


@dataclass
class Cell:
    kind: str
    denominator: int
    numerator: int | None = None
    values: tuple = ()
    unit: str = ""
    suppressed: bool = False

    def __post_init__(self):
        self.suppressed = self.suppressed or small(self.denominator) or small(self.numerator)

    @property
    def empty(self) -> bool:
        return self.denominator == 0

    @property
    def estimate(self) -> float | None:
        """The proportion (0-1) or the mean/median, None when nothing is shown."""
        if self.empty or self.suppressed:
            return None
        if self.kind == PROPORTION:
            return self.numerator / self.denominator
        if self.kind == MEAN:
            return mean_interval(list(self.values))[0]
        if self.kind == MEDIAN:
            return median_interval(list(self.values))[0]
        return float(self.denominator)

    @property
    def interval(self) -> tuple[float, float] | None:
        if self.empty or self.suppressed or self.kind == COUNT:
            return None
        if self.kind == PROPORTION:
            return wilson(self.numerator, self.denominator)
        if self.kind == MEAN:
            return mean_interval(list(self.values))[1:]
        return median_interval(list(self.values))[1:]

    @property
    def text(self) -> str:
        if self.suppressed:
            return _("fewer than 11")
        if self.kind == COUNT:
            return str(self.denominator)
        if self.empty:
            return _("none yet")
        if self.kind == PROPORTION:
            percent = _half_up(100 * self.numerator / self.denominator)
            return f"{percent}% ({self.numerator}/{self.denominator})"
        value = self.estimate
        shown = f"{value:+.1f}" if self.unit == "change" else _number(value)
        if self.kind == MEDIAN:
            return _("%(value)s days (n = %(n)s)") % {"value": shown, "n": self.denominator}
        return _("%(value)s (n = %(n)s)") % {"value": shown, "n": self.denominator}

    @property
    def interval_text(self) -> str:
        if self.suppressed:
            return _("fewer than 11")
        interval = self.interval
        if interval is None:
            return ""
        low, high = interval
        if self.kind == PROPORTION:
            return f"{_half_up(100 * low)}% to {_half_up(100 * high)}%"
        return f"{_number(low)} to {_number(high)}"


def proportion(numerator: int, denominator: int) -> Cell:
    return Cell(PROPORTION, denominator, numerator)


def protect_complement(total: Cell, parts: list[Cell]) -> None:
    """Parts that add up to a shown total: when exactly one is hidden, it could be
    worked out by subtraction, so the smallest other part is hidden too."""
    if total.suppressed or total.empty:
        return
    hidden = [p for p in parts if p.suppressed]
    shown = [p for p in parts if not p.suppressed]
    if len(hidden) == 1 and shown:
        min(shown, key=lambda p: p.numerator or 0).suppressed = True


# --- the table ---------------------------------------------------------------------------


@dataclass
class Row:
    key: str
    label: str
    reached: Cell | None = None  # of those reached
    everyone: Cell | None = None  # of all discharged whose follow-up is due
    note: str = ""


@dataclass
class Section:
    key: str
    title: str
    rows: list[Row]
    due: Cell | None = None  # how many discharged clients were due
    lead: str = ""
    chart: dict = field(default_factory=dict)


@dataclass
class Cohort:
    discharged: Cell
    sections: list[Section]


def total_days(follow_up) -> int:
    return sum(int(v) for v in (follow_up.days_of_use or {}).values())


OUTCOMES: list[tuple[str, Callable]] = [
    ("abstinent", lambda f: bool(f.days_of_use) and total_days(f) == 0),
    ("reentry", lambda f: f.returned_to_treatment is True),
    ("emergency", lambda f: f.emergency_care is True),
    ("housing", lambda f: f.housing in STABLE_HOUSING),
    ("work_school", lambda f: f.work_school in WORK_OR_SCHOOL),
]


def outcome_labels() -> dict[str, str]:
    return {
        "responded": _("Answered the follow-up (response rate)"),
        "unreached": _("Not reached"),
        "abstinent": _("No use in the past 30 days (abstinence)"),
        "reduced": _("Reduced use against the baseline"),
        "reentry": _("Back in treatment (detox, residential, hospital stay)"),
        "emergency": _("Emergency-room visit"),
        "housing": _("Stable housing"),
        "work_school": _("Working or in school"),
        "barc10": _("BARC-10, mean (10 to 60)"),
        "barc10_change": _("BARC-10, mean change from the first"),
    }


def follow_up_section(
    *, offset: int, episodes, answered: dict, baselines: dict, today: date, closes_after: int
) -> Section:
    """One follow-up's figures. `episodes` are the cohort's (id, discharge date);
    `answered` maps an episode id to its answered follow-up at this offset, `baselines`
    to its first answered follow-up."""
    labels = outcome_labels()
    # Due: the link of this follow-up has closed for everyone counted, so a missing
    # answer is non-response, not an answer still on its way.
    due = [e for e in episodes if e.discharge_date + timedelta(days=offset + closes_after) < today]
    reached = [answered[e.pk] for e in due if e.pk in answered]
    n_due, n_reached = len(due), len(reached)
    due_cell = Cell(COUNT, n_due)
    responded = proportion(n_reached, n_due)
    unreached = proportion(n_due - n_reached, n_due)
    protect_complement(due_cell, [responded, unreached])
    rows = [
        Row("responded", labels["responded"], everyone=responded),
        Row("unreached", labels["unreached"], everyone=unreached),
    ]
    for key, test in OUTCOMES[:1]:
        k = sum(1 for f in reached if test(f))
        rows.append(Row(key, labels[key], proportion(k, n_reached), proportion(k, n_due)))
    # Reduced use: fewer days of use than at the baseline, for those whose baseline came
    # earlier and was not already zero days.
    with_baseline = [
        (f, baselines[f.episode_id])
        for f in reached
        if baselines[f.episode_id].offset_days < offset and total_days(baselines[f.episode_id])
    ]
    k = sum(1 for f, base in with_baseline if total_days(f) < total_days(base))
    rows.append(
        Row(
            "reduced",
            labels["reduced"],
            proportion(k, len(with_baseline)),
            proportion(k, n_due),
            note=_("of those reached whose baseline came earlier with some use"),
        )
    )
    for key, test in OUTCOMES[1:]:
        k = sum(1 for f in reached if test(f))
        rows.append(Row(key, labels[key], proportion(k, n_reached), proportion(k, n_due)))
    totals = [f.barc10_total for f in reached if f.barc10_total is not None]
    rows.append(Row("barc10", labels["barc10"], Cell(MEAN, len(totals), values=tuple(totals))))
    changes = [
        f.barc10_total - baselines[f.episode_id].barc10_total
        for f in reached
        if f.barc10_total is not None
        and baselines[f.episode_id].offset_days < offset
        and baselines[f.episode_id].barc10_total is not None
    ]
    rows.append(
        Row(
            "barc10_change",
            labels["barc10_change"],
            Cell(MEAN, len(changes), values=tuple(changes), unit="change"),
            note=_("of those reached whose first BARC-10 came earlier"),
        )
    )
    if responded.suppressed:
        # Those reached is the denominator of the first column: showing it would give
        # back the hidden count by subtraction from those due.
        for row in rows:
            if row.reached is not None and row.reached.denominator == n_reached:
                row.reached.suppressed = True
    return Section(
        key=f"follow_up_{offset}",
        title=_("%(days)s-day follow-up") % {"days": offset},
        rows=rows,
        due=due_cell,
    )


def line_section(line_label: str, key: str, figures: Iterable[Figure]) -> Section:
    rows = []
    for figure in figures:
        if figure.kind == MEDIAN:
            cell = Cell(MEDIAN, figure.denominator, values=tuple(figure.values))
        else:
            cell = proportion(figure.numerator, figure.denominator)
        rows.append(Row(figure.key, figure.label, everyone=cell, note=figure.note))
    return Section(key=f"line_{key}", title=line_label, rows=rows)


def cohort_build(
    *, episodes, follow_ups, offsets, closes_after: int, today: date, line_figures
) -> Cohort:
    """The whole page's table from the cohort's episodes, their answered follow-ups and
    each line's figures."""
    answered: dict[int, dict[int, object]] = {}
    baselines: dict[int, object] = {}
    for f in sorted(follow_ups, key=lambda f: (f.offset_days, f.pk)):
        if f.status != FollowUpStatus.COMPLETED:
            continue
        answered.setdefault(f.offset_days, {})[f.episode_id] = f
        baselines.setdefault(f.episode_id, f)
    sections = [
        follow_up_section(
            offset=offset,
            episodes=episodes,
            answered=answered.get(offset, {}),
            baselines=baselines,
            today=today,
            closes_after=closes_after,
        )
        for offset in offsets
    ]
    sections += [line_section(str(line.label), line.key, figs) for line, figs in line_figures]
    return Cohort(discharged=Cell(COUNT, len(episodes)), sections=sections)


# --- what a CSV row says -----------------------------------------------------------------


def csv_header() -> list[str]:
    return [
        _("Section"),
        _("Figure"),
        _("Of those reached"),
        _("95% CI"),
        _("Of all discharged, or of those counted"),
        _("95% CI"),
        _("Counted among"),
    ]


def csv_rows(cohort: Cohort, *, title: str) -> list[list[str]]:
    """Exactly the table on the page, suppressed cells as the page shows them."""
    rows = [
        csv_header(),
        [title, _("Discharged to aftercare"), "", "", cohort.discharged.text, "", ""],
    ]
    for section in cohort.sections:
        if section.due is not None:
            rows.append(
                [section.title, _("Due for this follow-up"), "", "", section.due.text, "", ""]
            )
        for row in section.rows:
            rows.append(
                [
                    section.title,
                    row.label,
                    row.reached.text if row.reached else "",
                    row.reached.interval_text if row.reached else "",
                    row.everyone.text if row.everyone else "",
                    row.everyone.interval_text if row.everyone else "",
                    row.note,
                ]
            )
    return rows


# --- periods -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    value: str  # "2026-Q3" or "2026-07"
    start: date
    end: date  # inclusive

    @property
    def label(self) -> str:
        if "Q" in self.value:
            year, quarter = self.value.split("-Q")
            return _("Quarter %(q)s of %(year)s (%(start)s to %(end)s)") % {
                "q": quarter,
                "year": year,
                "start": self.start.strftime("%b"),
                "end": self.end.strftime("%b"),
            }
        return self.start.strftime("%B %Y")


def _month_end(first: date) -> date:
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def quarter_of(day: date) -> Period:
    quarter = (day.month - 1) // 3 + 1
    start = date(day.year, 3 * quarter - 2, 1)
    end = _month_end(date(day.year, 3 * quarter, 1))
    return Period(f"{day.year}-Q{quarter}", start, end)


def month_of(day: date) -> Period:
    start = day.replace(day=1)
    return Period(f"{start:%Y-%m}", start, _month_end(start))


def latest_complete_quarter(today: date) -> Period:
    return quarter_of(quarter_of(today).start - timedelta(days=1))


def periods_from(months: list[date], *, today: date) -> list[Period]:
    """The quarters and months with a discharge (and the latest complete quarter, the
    default, even when empty), newest first, each quarter before its months."""
    default = latest_complete_quarter(today)
    quarters = {default.value: default}
    for month in months:
        quarter = quarter_of(month)
        quarters.setdefault(quarter.value, quarter)
    found = []
    for quarter in sorted(quarters.values(), key=lambda p: p.start, reverse=True):
        found.append(quarter)
        inside = [month_of(m) for m in sorted(months, reverse=True)]
        found += [m for m in inside if quarter.start <= m.start <= quarter.end]
    return found
