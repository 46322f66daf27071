"""Trend charts as inline SVG geometry, computed here and drawn by the template."""

from . import instruments

WIDTH, HEIGHT, PAD = 320, 140, 24
BAND_SHADES = ("#e8f5e9", "#fffde7", "#fff3e0", "#ffe0b2", "#ffcdd2")


def trend_chart(trend) -> dict:
    instrument = trend.instrument
    if instrument.code == instruments.BAM:
        top = instruments.BAM_SUBSCALE_MAX[trend.series]
        title = f"BAM {instruments.BAM_SUBSCALE_LABELS[trend.series]}"
        bands = []
    else:
        top = instrument.max_total
        title = instrument.short_name
        bands = instrument.bands
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD

    def y(value):
        return round(PAD + inner_h - inner_h * value / top, 1)

    rects = [
        {
            "y": y(min(band.high + 1, top)),
            "height": round(y(band.low) - y(min(band.high + 1, top)), 1),
            "fill": BAND_SHADES[i % len(BAND_SHADES)],
            "label": band.label,
        }
        for i, band in enumerate(bands)
    ]
    count = len(trend.points)
    points = []
    for i, (when, value) in enumerate(trend.points):
        x = PAD + (inner_w * i / (count - 1) if count > 1 else inner_w / 2)
        points.append({"x": round(x, 1), "y": y(value or 0), "value": value, "when": when})
    return {
        "title": title,
        "width": WIDTH,
        "height": HEIGHT,
        "pad": PAD,
        "bands": rects,
        "points": points,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
        "top": top,
        "baseline": HEIGHT - PAD,
        "right": WIDTH - PAD,
    }
