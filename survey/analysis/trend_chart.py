"""The geometry of the trend charts: one small panel per series, drawn by templates/analysis.

Pure arithmetic on survey.trends' points; the template writes the SVG and formats every
number with Babel. A suppressed point gets no dot, whisker or number, only a dash; a point
that starts a new questionnaire version is not joined to the one before unless the crosswalk
says it measures the same thing (then the joining line is dashed).
"""

from __future__ import annotations

import math

# Panel size in SVG user units (the SVG scales to its box): three panels fit a wide screen.
WIDTH, HEIGHT = 360, 210
LEFT, RIGHT = 42, 12  # room for the tick numbers on the left
TOP, BOTTOM = 34, 50  # room for the panel title above, two label lines and the axis title below
# Scale of each level and the step of its grid lines (PAPI: dimensions 1 to 10, total 10 to 80).
SCALES = {"total": (10.0, 80.0, 5.0), "dimension": (1.0, 10.0, 1.0), "indicator": (0.0, 1.0, 0.2)}
MAX_TICKS = 7  # more grid lines than this crowd a 122-unit-high plot


def _range(points, level):
    """Return (low, high, step): the scale fitted around the shown intervals."""
    low, high, step = SCALES[level]
    values = [
        v for p in points for v in (p.value("ci_lower"), p.value("ci_upper")) if v is not None
    ]
    if level == "indicator" or not values:
        return low, high, step
    lo = max(low, math.floor(min(values) / step) * step - step)
    hi = min(high, math.ceil(max(values) / step) * step + step)
    while (hi - lo) / step + 1 > MAX_TICKS:
        step *= 2
        lo = max(low, math.floor(lo / step) * step)
        hi = min(high, math.ceil(hi / step) * step)
    return lo, hi, step


def panel(series) -> dict:
    """Return the geometry of one series' panel: ticks, points, joining lines, breaks."""
    points = series.points
    low, high, step = _range(points, series.level)
    plot_w, bottom = WIDTH - LEFT - RIGHT, HEIGHT - BOTTOM
    slot = plot_w / max(1, len(points))

    def y(value):
        value = min(high, max(low, value))
        return round(bottom - (value - low) / (high - low) * (bottom - TOP), 1)

    drawn, lines, breaks = [], [], []
    for i, point in enumerate(points):
        x = round(LEFT + (i + 0.5) * slot, 1)
        label = point.period.label
        first, second = (label[5:], label[:4]) if len(label) > 4 else (label, "")
        entry = {"point": point, "x": x, "period": (first, second), "y": None}
        if point.value("estimate") is not None:
            lower, upper = point.value("ci_lower"), point.value("ci_upper")
            entry |= {
                "y": y(point.row["estimate"]),
                "lower": y(lower) if lower is not None else None,
                "upper": y(upper) if upper is not None else None,
                "label_y": max(
                    TOP - 2, (y(upper) if upper is not None else y(point.row["estimate"])) - 6
                ),
                "significant": bool(point.change and point.change["changed"]),
            }
        if point.after_break:
            breaks.append({"x": round(x - slot / 2, 1), "version": point.version})
        if point.joined and i and drawn[-1]["y"] is not None and entry["y"] is not None:
            lines.append((drawn[-1]["x"], drawn[-1]["y"], x, entry["y"], point.after_break))
        drawn.append(entry)
    count = int(round((high - low) / step)) + 1
    ticks = [{"value": round(low + k * step, 6), "y": y(low + k * step)} for k in range(count)]
    return {
        "series": series,
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": bottom,
        "ticks": ticks,
        "points": drawn,
        "lines": lines,
        "breaks": breaks,
        "dash_y": round((TOP + bottom) / 2, 1),
        "axis_y": HEIGHT - 6,
        "axis_x": round(LEFT + plot_w / 2, 1),
    }
