"""Trend charts as inline SVG geometry, computed here and drawn by the template.

Points sit at their date on a time axis (two answers a day apart are close, two a month
apart far), over the instrument's labelled severity bands or thresholds (BAM subscales,
AUDIT-C positive screen); PHQ-9 answers with item 9 above 0 are marked. Every coordinate
leaves here as a string with a dot: a number handed to the template would be localized
("20,0" in Spanish) and the browser would misplace it."""

from datetime import timedelta

from django.utils import timezone

from . import instruments

WIDTH, HEIGHT = 400, 180
LEFT, RIGHT, TOP, BOTTOM = 26, 104, 12, 30  # room for values, band labels, dates
BAND_SHADES = ("#e8f5e9", "#fffde7", "#fff3e0", "#ffe0b2", "#ffcdd2")
MAX_TICKS = 5


def _n(value: float) -> str:
    """An SVG coordinate: always a dot, never a locale's decimal comma."""
    return f"{value:.1f}"


def _ticks(first, last) -> list:
    """Up to MAX_TICKS evenly spaced local dates from first to last (inclusive)."""
    if first == last:
        return [first]
    span = (last - first).days
    count = min(MAX_TICKS, span + 1)
    return sorted({first + timedelta(days=round(span * i / (count - 1))) for i in range(count)})


def trend_chart(trend) -> dict:
    instrument = trend.instrument
    thresholds = []
    if instrument.code == instruments.BAM:
        top = instruments.BAM_SUBSCALE_MAX[trend.series]
        title = f"BAM {instruments.BAM_SUBSCALE_LABELS[trend.series]}"
        bands = []
        value, direction, meaning = instruments.BAM_THRESHOLDS[trend.series]
        word = "or more" if direction == "at_or_above" else "or below"
        thresholds.append((value, f"{value} {word}: {meaning}"))
    elif instrument.code == instruments.AUDITC:
        top = instrument.max_total
        title = instrument.short_name
        bands = []
        # The screen's cut-off depends on the sex it was scored for: draw the one(s) used.
        used = {p.sex for p in trend.points if p.sex} or set(instruments.AUDITC_POSITIVE_AT)
        for sex in sorted(used):
            cut = instruments.AUDITC_POSITIVE_AT[sex]
            thresholds.append((cut, f"{cut}+ positive ({'women' if sex == 'female' else 'men'})"))
    else:
        top = instrument.max_total
        title = instrument.short_name
        bands = instrument.bands
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    baseline = TOP + plot_h

    def y(value) -> float:
        return TOP + plot_h - plot_h * value / top

    rects = []
    for i, band in enumerate(bands):
        upper, lower = y(min(band.high + 1, top)), y(band.low)
        rects.append(
            {
                "y": _n(upper),
                "height": _n(lower - upper),
                "fill": BAND_SHADES[i % len(BAND_SHADES)],
                "label": band.label,
                "label_y": _n((upper + lower) / 2 + 3),
                "range": f"{band.low}-{band.high}",
            }
        )
    lines = [
        {"y": _n(y(value)), "label_y": _n(y(value) + 3), "label": label}
        for value, label in thresholds
    ]

    days = [timezone.localdate(p.when) for p in trend.points]
    first, last = (min(days), max(days)) if days else (None, None)
    span = (last - first).days if days else 0

    def x(day) -> float:
        if span == 0:
            return LEFT + plot_w / 2
        return LEFT + plot_w * (day - first).days / span

    points = [
        {
            "x": _n(x(day)),
            "y": _n(y(p.value)),
            "value": p.value,
            "when": p.when,
            "item9": p.item9,
        }
        for p, day in zip(trend.points, days, strict=True)
    ]
    ticks = [{"x": _n(x(day)), "day": day} for day in (_ticks(first, last) if days else [])]
    return {
        "title": title,
        "first": first,
        "last": last,
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "plot_right": _n(LEFT + plot_w),
        "plot_width": _n(plot_w),
        "label_x": _n(LEFT + plot_w + 4),
        "top_y": _n(TOP + 4),
        "baseline": _n(baseline),
        "tick_label_y": _n(baseline + 14),
        "tick_end": _n(baseline + 4),
        "top": top,
        "bands": rects,
        "thresholds": lines,
        "points": points,
        "ticks": ticks,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
        "item9_count": sum(1 for p in points if p["item9"]),
    }
