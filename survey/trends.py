"""A ward's or province's total and dimensions over consecutive quarters or months.

Every number is the engine's (survey.estimation, the same rows as the pages and the CSV): one
run per questionnaire version over the whole window, and each period is shown with the
version most of its answers used. Within one version a change is the engine's own, against
the previous period, Benjamini-Hochberg adjusted across the unit's report and significant
only when both periods are reliable (survey.stats.trend.changed). Where the version changes
the total and the dimensions break: their indicators differ (survey.crosswalk). Only the
crosswalk's comparable indicators join across the break; those changes use the same formula
(survey.stats.change), adjusted together by Benjamini-Hochberg, and the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from survey import crosswalk, overview, periods
from survey import estimation as estimates
from survey.stats import bh_adjust, change, changed

SUMMARY_KEYS = ("total", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8")
# Points drawn: two years of quarters or one year of months, enough to see a season and a
# plan year without crowding the chart's labels.
POINTS = {"quarter": 8, "month": 12}


class TrendError(ValueError):
    """A period that cannot end a trend (only a quarter or a month can)."""


@dataclass
class Point:
    """One period of a series: the engine's row and the change from the point before."""

    period: periods.Period
    version: int | None
    row: dict | None
    after_break: bool = False  # the questionnaire version differs from the point before
    joined: bool = False  # continues the point before (same version, or comparable)
    change: dict | None = None  # value, lower, upper, p_adjusted, changed

    @property
    def shown(self) -> bool:
        """Tell whether the estimate passed the reliability rules."""
        return bool(self.row and self.row["shown"])

    def value(self, column):
        """Return a column of the row when the estimate is shown, else None."""
        if not self.shown or self.row.get(column) in ("", None):
            return None
        return self.row[column]


@dataclass
class Series:
    """One indicator, dimension or the total over the window."""

    level: str
    key: str
    points: list = field(default_factory=list)


@dataclass
class Trend:
    """Every series of a unit over a window, with where the questionnaire changed."""

    periods: list
    versions: list  # the version of each period, None when nobody answered
    series: list  # [Series] total and dimensions
    comparable: list  # [Series] crosswalk indicators, only when the window holds a break

    @property
    def breaks(self) -> list[int]:
        """Return the indexes of the periods that start a new questionnaire version."""
        return [i for i, point in enumerate(self.series[0].points) if point.after_break]


def window(last: periods.Period, count: int | None = None) -> list[periods.Period]:
    """Return the ``count`` periods of last's kind ending with last, oldest first."""
    if last.kind not in POINTS:
        raise TrendError(last.label)
    found = [last]
    while len(found) < (count or POINTS[last.kind]):
        found.insert(0, periods.previous(found[0]))
    return found


def build(db, questionnaires, unit_type, code, last, ward_scope, provinces, cap, prior_m):
    """Return the Trend of a unit: every version of ``questionnaires`` estimated over the window."""
    period_list = window(last)
    span = periods.Period(period_list[0].start, last.end, "", "range")
    province = provinces[0] if provinces and ward_scope is None else None
    by_version = {
        # A version nobody in the unit answered in the window is not run through the engine.
        q.version: _rows(db, q, period_list, unit_type, code, ward_scope, provinces, cap, prior_m)
        if overview.answered(db, span, q, province, ward_scope)
        else {}
        for q in questionnaires
    }
    versions = [_version_of(by_version, p.label) for p in period_list]
    qid = questionnaires[0].id
    series = [
        _series(by_version, period_list, versions, level, key, {})
        for level, key in [("total", "total")] + [("dimension", k) for k in SUMMARY_KEYS[1:]]
    ]
    comparable = []
    steps = _steps(versions)
    if steps:
        keys = crosswalk.pairs(qid, *steps[-1])
        comparable = [
            _series(by_version, period_list, versions, "indicator", key, _chain(qid, steps, key))
            for key in keys
        ]
        _adjust_across(comparable)
    return Trend(period_list, versions, series, comparable)


def _rows(db, questionnaire, period_list, unit_type, code, ward_scope, provinces, cap, prior_m):
    """Return {(period label, level, key): row} of the unit from one engine run."""
    wanted = {"total", "dimension", "indicator"}
    found = {}
    for values in estimates.run(
        db,
        questionnaire,
        period_list,
        (unit_type,),
        cap=cap,
        prior_m=prior_m,
        ward_scope=ward_scope,
        provinces=provinces,
    ):
        row = dict(zip(estimates.COLUMNS, values, strict=True))
        if row["unit_code"] == code and row["level"] in wanted:
            found[(row["period"], row["level"], row["key"])] = row
    return found


def _version_of(by_version, label):
    """Return the version with the most answers in a period (the newer on a tie), or None."""
    counts = {
        version: max(
            (row["n"] for (period, _l, _k), row in rows.items() if period == label), default=0
        )
        for version, rows in by_version.items()
    }
    best = max(counts, key=lambda v: (counts[v], v), default=None)
    return best if best is not None and counts[best] else None


def _steps(versions):
    """Return the (earlier, later) version pairs where the window's questionnaire changes."""
    seen = [v for v in versions if v is not None]
    return [(a, b) for a, b in zip(seen, seen[1:], strict=False) if a != b]


def _chain(qid, steps, key):
    """Return {version: that version's key} of a latest-version indicator, back through breaks."""
    keys = {steps[-1][1]: key}
    for earlier, later in reversed(steps):
        current = keys.get(later)
        previous = (
            crosswalk.comparable(qid, earlier, later, "indicator", current) if current else None
        )
        if previous is None:
            break
        keys[earlier] = previous
    return keys


def _series(by_version, period_list, versions, level, key, keys):
    """Return one series; ``keys`` maps versions to the key the series has there (indicators)."""
    series = Series(level, key)
    before = None  # the last point with answers
    for period, version in zip(period_list, versions, strict=True):
        own_key = keys.get(version) if keys else key
        row = (
            by_version[version].get((period.label, level, own_key)) if version and own_key else None
        )
        point = Point(period, version, row)
        if before is not None and version is not None:
            point.after_break = version != before.version
            adjacent = before.period == periods.previous(period)
            if not point.after_break:
                point.joined = adjacent
                point.change = _engine_change(point) if adjacent else None
            elif version in keys and before.version in keys:
                point.joined = adjacent
                point.change = _cross_change(before, point) if adjacent else None
        series.points.append(point)
        if version is not None:
            before = point
    return series


def _engine_change(point):
    """Return the engine's change of a point against the period before, or None."""
    if point.value("change") is None:
        return None
    return {
        "value": point.row["change"],
        "lower": point.value("change_lower"),
        "upper": point.value("change_upper"),
        "p_adjusted": point.value("change_p_bh"),
        "changed": point.row["changed"] == 1,
    }


def _cross_change(before, point):
    """Return the change across a version break of a comparable indicator (BH comes later)."""
    if before.value("se") is None or point.value("se") is None:
        return None
    c = change(before.row["estimate"], before.row["se"] ** 2, point.row["estimate"],
               point.row["se"] ** 2)  # fmt: skip
    return {"value": c.difference, "lower": c.lower, "upper": c.upper, "p": c.p_value,
            "flags": (before.row["flag"], point.row["flag"])}  # fmt: skip


def _adjust_across(series_list):
    """BH-adjust the changes across version breaks together and mark the significant ones."""
    found = [
        point.change
        for series in series_list
        for point in series.points
        if point.after_break and point.change is not None
    ]
    for c, adjusted in zip(found, bh_adjust([c["p"] for c in found]), strict=True):
        c["p_adjusted"] = adjusted
        c["changed"] = changed(adjusted, *c.pop("flags"))
        del c["p"]


CSV_COLUMNS = (
    "unit_type", "unit_code", "level", "key", "period", "questionnaire_version", "n", "n_item",
    "n_eff", "estimate", "ci_lower", "ci_upper", "flag", "shown", "trend", "change",
    "change_lower", "change_upper", "change_p_bh", "changed",
)  # fmt: skip


def csv_rows(trend: Trend, unit_type: str, code: str):
    """Yield CSV_COLUMNS rows of every point; a suppressed estimate leaves its cells empty."""
    for series in trend.series + trend.comparable:
        for point in series.points:
            row, c = point.row or {}, point.change or {}
            status = "no_data" if point.version is None else "first"
            if point.joined:
                status = "joined_across_versions" if point.after_break else "joined"
            elif point.after_break:
                status = "break"
            yield (
                unit_type,
                code,
                series.level,
                series.key,
                point.period.label,
                point.version or "",
                row.get("n", 0),
                row.get("n_item", 0),
                "" if row.get("n_eff") is None else row["n_eff"],
                *(_blank(point.value(col)) for col in ("estimate", "ci_lower", "ci_upper")),
                row.get("flag", "no_data"),
                1 if point.shown else 0,
                status,
                *(_blank(c.get(col)) for col in ("value", "lower", "upper", "p_adjusted")),
                "" if not c else int(bool(c["changed"])),
            )


def _blank(value):
    """Return a value for the CSV, None as empty."""
    return "" if value is None else value
