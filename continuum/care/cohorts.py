"""What each line counts for a discharge cohort, so the outcomes line's cohort page can
show case management's follow-up rates and interventions' acceptance without importing
either. Each line registers one `CohortLine` from its `extensions.py`
(continuum.extensions):

    cohorts.register(cohorts.CohortLine("casemanagement", "Case management",
                                        figures=selectors.cohort_figures,
                                        engaged=selectors.cohort_engaged))

`figures(*, episodes, today)` takes the cohort's `CareEpisode` queryset and returns
counted `Figure`s (a proportion's numerator and denominator, or a median's values), in a
constant number of queries whatever the cohort's size. `engaged(*, episodes)` narrows
the queryset to the episodes the line took part in, without running it. The reader
computes rates, intervals and small-cell suppression; a line only counts."""

from collections.abc import Callable
from dataclasses import dataclass

from continuum.extensions import Registry

PROPORTION, MEDIAN = "proportion", "median"


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    denominator: int  # people counted (for a median: how many values)
    numerator: int | None = None  # a proportion's people who met it
    values: tuple = ()  # a median's values, one per person
    kind: str = PROPORTION
    note: str = ""  # what the denominator is, said under the label


@dataclass(frozen=True)
class CohortLine:
    key: str
    label: str
    figures: Callable | None = None
    engaged: Callable | None = None
    position: int = 100


LINES: Registry[CohortLine] = Registry(
    "cohort_figures", key="key", holds="CohortLine: a line's counted figures for a cohort"
)
register = LINES.register


def _ordered() -> list[CohortLine]:
    return sorted(LINES.values(), key=lambda line: (line.position, line.key))


def engaged_lines() -> list[CohortLine]:
    """The lines a cohort can be narrowed to, in menu order."""
    return [line for line in _ordered() if line.engaged is not None]


def narrow(episodes, *, line_key: str):
    """The episodes the line `line_key` took part in (a lazy queryset)."""
    return LINES[line_key].engaged(episodes=episodes)


def figures_for(*, episodes, today) -> list[tuple[CohortLine, list[Figure]]]:
    """Every registered line's figures for the cohort, in position order; a line with no
    figure is left out."""
    found = []
    for line in _ordered():
        if line.figures is None:
            continue
        figures = list(line.figures(episodes=episodes, today=today))
        if figures:
            found.append((line, figures))
    return found
