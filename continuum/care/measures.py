"""Measures of a client over time that lines record (PHQ-9 in case management, craving
in coaching, BARC-10 in outcomes), so that one line's page can draw another's beside its
own without importing it. Each app registers its measures from its `extensions.py`
(continuum.extensions):

    measures.register(Measure("phq9", "PHQ-9", 0, 27, phq9_points))

`points(client, since)` returns the client's values from `since` on, oldest first, as
`MeasurePoint(day, value)`: one query, whatever the number of rows."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from continuum.extensions import Registry


@dataclass(frozen=True)
class MeasurePoint:
    day: date
    value: int


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    low: int
    high: int
    points: Callable


MEASURES: Registry[Measure] = Registry(
    "client_measures", key="key", holds="Measure: a client's values over time, by day"
)
register = MEASURES.register


def series_for(*, client, since: date, exclude: tuple[str, ...] = ()) -> list[tuple[Measure, list]]:
    """Every registered measure's points for the client since `since`, in registration
    order; measures with no point are left out."""
    series = []
    for measure in MEASURES.values():
        if measure.key in exclude:
            continue
        points = list(measure.points(client, since))
        if points:
            series.append((measure, points))
    return series
