"""The BARC-10 trend as inline SVG coordinates. Coordinates are strings formatted here,
so no locale turns 12.5 into "12,5" inside the SVG."""

from dataclasses import dataclass, field

WIDTH, HEIGHT, PAD = 600, 180, 30
LOW, HIGH = 10, 60


@dataclass
class Barc10Trend:
    width: int = WIDTH
    height: int = HEIGHT
    points: str = ""
    dots: list = field(default_factory=list)
    gridlines: list = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        return bool(self.dots)


def _y(total: int) -> float:
    return HEIGHT - PAD - (total - LOW) * (HEIGHT - 2 * PAD) / (HIGH - LOW)


def barc10_trend(follow_ups) -> Barc10Trend:
    """One dot per answered follow-up, evenly spaced in the order they were answered,
    on the BARC-10's whole range (10-60)."""
    rows = [f for f in follow_ups if f.barc10_total is not None]
    step = (WIDTH - 2 * PAD) / max(len(rows) - 1, 1)
    dots = []
    for index, row in enumerate(rows):
        x = PAD + (index * step if len(rows) > 1 else (WIDTH - 2 * PAD) / 2)
        dots.append(
            {
                "x": f"{x:.1f}",
                "y": f"{_y(row.barc10_total):.1f}",
                "total": row.barc10_total,
                "offset_days": row.offset_days,
                "when": row.completed_at,
            }
        )
    grid = [{"value": v, "y": f"{_y(v):.1f}"} for v in (10, 20, 30, 40, 50, 60)]
    return Barc10Trend(
        points=" ".join(f"{d['x']},{d['y']}" for d in dots), dots=dots, gridlines=grid
    )


PANEL_HEIGHT = 90


def measure_panels(series, *, start, end) -> list[dict]:
    """One small chart per measure (BARC-10, PHQ-9, craving ...), all on the same days
    from `start` to `end`, so a change in one lines up with the others."""
    span = max((end - start).days, 1)
    panels = []
    for measure, points in series:
        dots = []
        for point in points:
            x = PAD + (point.day - start).days * (WIDTH - 2 * PAD) / span
            y = (
                PANEL_HEIGHT
                - 15
                - (point.value - measure.low) * (PANEL_HEIGHT - 30) / (measure.high - measure.low)
            )
            dots.append({"x": f"{x:.1f}", "y": f"{y:.1f}", "value": point.value, "day": point.day})
        panels.append(
            {
                "key": measure.key,
                "label": measure.label,
                "low": measure.low,
                "high": measure.high,
                "points": " ".join(f"{d['x']},{d['y']}" for d in dots),
                "dots": dots,
                "last": dots[-1],
            }
        )
    return panels


# --- the cohort page ---------------------------------------------------------------------

BAR_WIDTH, BAR_LEFT, BAR_ROW = 600, 10, 66


def cohort_bars(section) -> dict:
    """A section's proportions as horizontal bars on 0-100%: for each figure, the share of
    those reached and of all discharged, each with its 95% interval as a whisker. A hidden
    or empty cell draws no bar and says why."""
    span = BAR_WIDTH - 2 * BAR_LEFT
    rows = []
    for index, row in enumerate(r for r in section.rows if _proportions(r)):
        top = 10 + index * BAR_ROW
        bars = []
        for offset, (which, cell) in enumerate((("reached", row.reached), ("all", row.everyone))):
            if cell is None:
                continue
            y = top + 22 + offset * 19
            bar = {"which": which, "y": f"{y:.1f}", "text_y": f"{y + 13:.1f}", "text": cell.text}
            if cell.estimate is not None:
                low, high = cell.interval
                bar.update(
                    width=f"{cell.estimate * span:.1f}",
                    low=f"{BAR_LEFT + low * span:.1f}",
                    high=f"{BAR_LEFT + high * span:.1f}",
                    mid=f"{y + 8:.1f}",
                )
            bars.append(bar)
        rows.append({"label": row.label, "label_y": f"{top + 14:.1f}", "bars": bars})
    return {
        "width": BAR_WIDTH,
        "height": 20 + len(rows) * BAR_ROW,
        "left": BAR_LEFT,
        "rows": rows,
        "ticks": [
            {"x": f"{BAR_LEFT + p * span / 100:.1f}", "label": f"{p}%"} for p in (0, 50, 100)
        ],
    }


def _proportions(row) -> bool:
    cells = [c for c in (row.reached, row.everyone) if c is not None]
    return bool(cells) and all(c.kind == "proportion" for c in cells)
