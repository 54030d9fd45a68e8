"""What the estimates page shows: estimate rows with human labels, flags in words, a chart.

Pure functions of the engine's rows (dicts keyed by ``estimates.COLUMNS``) and the
questionnaire model; the only Flask dependency is gettext for the interface words. Nothing
here computes a statistic: differences from the baseline are the one subtraction, and a number
the engine suppressed stays suppressed (its difference, change and chart dot with it).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from flask_babel import format_decimal, format_percent, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from survey import indicators, papi_names
from survey.estimation import HALF_WIDTH_SHARE
from survey.questionnaire import DIMENSIONS, placewords
from survey.stats import suppression

STATISTICS = {
    "share": _l("share"),
    "mean": _l("mean"),
    "top2": _l("top-two-box share"),
    "score": _l("indicator score"),
    "papi": _l("PAPI scale"),
}
# Every flag survey/stats/suppression.py and survey.estimation.method.flag_of can give, in words.
FLAG_WORDS = {
    "ok": _l("Reliable"),
    "review_complement": _l("Shown, read with care"),
    "review_extreme": _l("Shown, read with care: 0 or 100 percent"),
    "no_data": _l("No answers"),
    "hidden_small_cell": _l("Hidden: fewer than 5 answers"),
    "suppressed_n_eff": _l("Not shown: too few answers"),
    "suppressed_width": _l("Not shown: too imprecise"),
    "suppressed_relative_width": _l("Not shown: too imprecise for a small share"),
    "no_variance": _l("Not shown: no interval possible"),
    "incomplete_indicators": _l("Not scored: some of its indicators have no answers"),
}
PERCENT_STATISTICS = ("share", "top2")
# survey.targets' verdicts against a province's PAPI plan target, in words.
PROGRESS_WORDS = {
    "likely_met": _l("Likely met"),
    "likely_not_met": _l("Likely not met"),
    "cannot_tell": _l("Cannot tell yet"),
    "unreliable": _l("Cannot tell yet: the estimate is not reliable enough"),
}


def name_words() -> dict[str, str]:
    """Return the interface words survey.estimation.names needs, in the active language."""
    return {
        "total": _("PAPI-style total (10 to 80)"),
        "all": _("Whole country"),
        **{code: str(words) for code, words in STATISTICS.items()},
    }


def flag_rules() -> list[tuple[str, str, str]]:
    """Return (flag, word, rule) for every flag: the legend printed under the tables."""
    rules = {
        "ok": _(
            "At least %(n)s effective answers and a narrow enough interval (NCHS 2017 for "
            "shares; for means and scores a half-width of at most %(share)s of the scale).",
            n=int(suppression.MIN_N_EFF),
            share=format_percent(HALF_WIDTH_SHARE),
        ),
        "review_complement": _(
            "Shown, but the interval is wide compared with the opposite share; NCHS would "
            "send it for statistical review."
        ),
        "review_extreme": _(
            "An estimate of 0 or 100 percent: shown, but its precision cannot be judged from the "
            "interval; NCHS would send it for statistical review."
        ),
        "no_data": _("Nobody in this unit and period answered."),
        "hidden_small_cell": _(
            "Between 1 and %(n)s people answered: the number is hidden to protect them.",
            n=suppression.MIN_CELL - 1,
        ),
        "suppressed_n_eff": _(
            "Fewer than %(n)s effective answers (the number of answers after weighting).",
            n=int(suppression.MIN_N_EFF),
        ),
        "suppressed_width": _(
            "The 95 percent interval is too wide: %(points)s percentage points or more for a "
            "share, or a half-width over %(share)s of the scale for a mean or score.",
            points=int(suppression.MAX_WIDTH * 100),
            share=format_percent(HALF_WIDTH_SHARE),
        ),
        "suppressed_relative_width": _(
            "The interval is more than %(ratio)s times as wide as the share itself.",
            ratio=format_decimal(suppression.MAX_RELATIVE_WIDTH),
        ),
        "no_variance": _("Too few answers to compute an interval."),
        "incomplete_indicators": _(
            "A sub-dimension is scored only from all of its indicators, so that two places "
            "measure the same thing; the indicators with no answers are named."
        ),
    }
    return [(flag, str(FLAG_WORDS[flag]), rules[flag]) for flag in FLAG_WORDS]


def _value(row: dict, column: str):
    """Return a cell of a row, with the CSV blank as None."""
    value = row.get(column)
    return None if value in ("", None) else value


@dataclass
class Line:
    """One estimate as shown: a label, the statistic in words and the engine's row."""

    label: str
    statistic: str
    row: dict
    percent: bool = False
    detail: str = ""

    @property
    def shown(self) -> bool:
        """Tell whether the estimate passed the reliability rules."""
        return bool(self.row["shown"])

    @property
    def flag(self) -> str:
        """Return the reliability flag code."""
        return self.row["flag"]

    @property
    def reliability(self) -> str:
        """Return the flag in words (the code itself if a new flag was not given words)."""
        return str(FLAG_WORDS.get(self.flag, self.flag))

    @property
    def n(self) -> int:
        """Return the number of people who answered."""
        return self.row["n_item"]

    @property
    def n_eff(self):
        """Return the effective number of answers (after weighting)."""
        return _value(self.row, "n_eff")

    def _shown(self, column):
        return _value(self.row, column) if self.shown else None

    @property
    def estimate(self):
        """Return the estimate, or None when it is not shown."""
        return self._shown("estimate")

    @property
    def interval(self):
        """Return the 95% interval (lower, upper), or None."""
        lower, upper = self._shown("ci_lower"), self._shown("ci_upper")
        return (lower, upper) if lower is not None and upper is not None else None

    @property
    def baseline(self):
        """Return (value, year) of the official PAPI baseline, or None."""
        value = _value(self.row, "baseline")
        return (value, self.row["baseline_year"]) if value is not None else None

    @property
    def difference(self):
        """Return estimate minus baseline when both are shown, else None."""
        if self.estimate is None or self.baseline is None:
            return None
        return self.estimate - self.baseline[0]

    @property
    def smoothed(self):
        """Return the model-based (value, lower, upper), or None."""
        value = _value(self.row, "smoothed")
        if value is None:
            return None
        return value, _value(self.row, "smoothed_lower"), _value(self.row, "smoothed_upper")

    @property
    def change(self):
        """Return the change from the previous period as a dict, or None when not shown."""
        value = self._shown("change")
        if value is None:
            return None
        return {
            "value": value,
            "lower": _value(self.row, "change_lower"),
            "upper": _value(self.row, "change_upper"),
            "p_adjusted": _value(self.row, "change_p_bh"),
            "changed": _value(self.row, "changed") == 1,
        }

    @property
    def change_words(self) -> str:
        """Return what the change means, in words."""
        return change_words(self.change) if self.change is not None else ""


def change_words(change: dict) -> str:
    """Return what a change (value, lower, upper, p_adjusted, changed) means, in words.

    An interval that leaves out 0 beside "no significant change" says why: the interval is
    not adjusted for the many comparisons of a report, the p-value is (Benjamini-Hochberg).
    """
    if change["changed"]:
        return _("Significant change")
    p = change["p_adjusted"]
    if p is not None and p < 0.05:
        return _("Not comparable: the previous period's estimate is not reliable")
    lower, upper = change.get("lower"), change.get("upper")
    if lower is not None and upper is not None and (lower > 0 or upper < 0):
        return _(
            "No significant change after adjusting for the many comparisons "
            "(Benjamini-Hochberg), although the unadjusted interval leaves out 0"
        )
    return _("No significant change")


@dataclass
class Report:
    """Everything the page shows for one unit and period, in reading order."""

    total: Line | None = None
    dimensions: list = field(default_factory=list)  # [Line]
    subdimensions: list = field(default_factory=list)  # [(dimension name, [Line])]
    indicators: list = field(default_factory=list)  # [(sub-dimension name, [Line])]
    modules: list = field(default_factory=list)  # [(title, [(page title, [(text, [Line])])])]
    unit: dict = field(default_factory=dict)  # the total's (or first) row: weighting, n

    @property
    def baseline_year(self):
        """Return the year of the baseline shown, or None."""
        for line in [self.total, *self.dimensions]:
            if line is not None and line.baseline:
                return line.baseline[1]
        return None

    @property
    def has_smoothed(self) -> bool:
        """Tell whether any summary line has a model-based value."""
        return any(line.smoothed for line in [self.total, *self.dimensions] if line)

    @property
    def has_change(self) -> bool:
        """Tell whether any summary line has a change from the previous period."""
        return any(_value(line.row, "change") is not None for line in self.lines())

    @property
    def total_without_parts(self) -> bool:
        """Tell whether the total is shown while every dimension is suppressed."""
        return bool(
            self.total is not None
            and self.total.shown
            and self.dimensions
            and not any(line.shown for line in self.dimensions)
        )

    def lines(self):
        """Yield the summary lines: total, then dimensions."""
        if self.total is not None:
            yield self.total
        yield from self.dimensions


def build(rows, questionnaire, lang: str) -> Report:
    """Return the report of one unit's rows: summary, sub-dimensions, indicators, items."""
    questionnaire = placewords.neutral(questionnaire)  # "phường, xã", not "{xa}"
    by_level: dict = {}
    for row in rows:
        by_level.setdefault(row["level"], {}).setdefault(row["key"], []).append(row)
    report = Report(unit=rows[0] if rows else {})
    papi = str(STATISTICS["papi"])
    for row in by_level.get("total", {}).get("total", []):
        report.total = Line(_("PAPI-style total (10 to 80)"), papi, row)
        report.unit = row
    dims = by_level.get("dimension", {})
    subs = by_level.get("subdimension", {})
    for dim, sub_ids in DIMENSIONS.items():
        if dim in dims:
            name = papi_names.dimension_name(dim, lang)
            report.dimensions.append(Line(name, papi, dims[dim][0], detail=dim.upper()))
        group = [
            Line(papi_names.subdimension_name(s, lang), papi, subs[s][0], detail=s)
            for s in sub_ids
            if s in subs
        ]
        if group:
            report.subdimensions.append((papi_names.dimension_name(dim, lang), group))
    report.indicators = _indicators(by_level.get("indicator", {}), questionnaire, lang)
    report.modules = _items(by_level.get("item", {}), questionnaire, lang)
    return report


def _indicators(found: dict, questionnaire, lang: str) -> list:
    """Group indicator lines by sub-dimension, each labelled with its first question."""
    model = indicators.build(questionnaire)
    score = str(STATISTICS["score"])
    groups: dict = {}
    for ind in model.indicators:
        if ind.id not in found:
            continue
        first = questionnaire.items[ind.item_ids[0]]
        more = len(ind.item_ids) - 1
        detail = (
            ngettext("and %(num)d more question", "and %(num)d more questions", more)
            if more
            else ""
        )
        groups.setdefault(ind.subdimension, []).append(
            Line(first.text(lang), score, found[ind.id][0], detail=detail)
        )
    return [
        (f"{sub} {papi_names.subdimension_name(sub, lang)}", groups[sub])
        for subs in DIMENSIONS.values()
        for sub in subs
        if sub in groups
    ]


def _items(found: dict, questionnaire, lang: str) -> list:
    """Group item lines by module and page, in questionnaire order, with option labels."""
    modules = []
    for module in questionnaire.modules:
        pages = []
        for page in module.pages:
            entries = [
                (item.text(lang), item_lines(item, found[item.id], lang))
                for item in page.items
                if item.id in found
            ]
            if entries:
                pages.append((page.title(lang), entries))
        if pages:
            modules.append((module.title(lang), pages))
    return modules


def item_lines(item, rows, lang: str) -> list[Line]:
    """Return the lines of one item: option shares in option order, then mean and top two."""
    codes = item.all_codes()
    rank = {"share": 0, "mean": 1, "top2": 2}

    def order(row):
        code = row["option"]
        return rank.get(row["statistic"], 3), codes.index(code) if code in codes else len(codes)

    return [_item_line(item, row, lang) for row in sorted(rows, key=order)]


def _item_line(item, row, lang: str) -> Line:
    """Return the line of one item statistic with a human label."""
    statistic = row["statistic"]
    words = str(STATISTICS.get(statistic, statistic))
    percent = statistic in PERCENT_STATISTICS
    if statistic == "share":
        try:
            label = item.option(row["option"]).label(lang)
        except KeyError:
            label = row["option"]
    elif statistic == "top2":
        top = indicators.TOP_TWO.get(item.type, ("", ""))
        label = _("Answered %(first)s or %(second)s", first=top[0], second=top[1])
    elif row["scale_low"] != "" and item.type in indicators.SCALE_TYPES:
        label = _(
            "Mean from %(low)s (%(low_label)s) to %(high)s (%(high_label)s)",
            low=row["scale_low"],
            low_label=item.low(lang),
            high=row["scale_high"],
            high_label=item.high(lang),
        )
    else:
        label = _("Mean")
    return Line(label, words, row, percent=percent)


# Chart geometry, in SVG user units (the SVG scales to the page width).
CHART_WIDTH = 760
LABEL_WIDTH = 300  # room for a dimension name wrapped on two lines
ROW_HEIGHT = 44
TOP = 30  # room for the tick numbers
AXIS = 24  # room under the plot for the axis title
# A hidden estimate's reason is written under the row's centre line, below the official
# score's diamond (which reaches 8 units above and below the centre), so the two never meet.
NOTE_DROP = 19
DIAMOND = 8
WRAP = 42  # characters per label line at 13px in LABEL_WIDTH


def chart(lines: list[Line], low: float = 1.0, high: float = 10.0) -> dict:
    """Return the geometry of the dimension chart: scale ticks and one row per line."""
    plot_left, plot_right = LABEL_WIDTH + 10, CHART_WIDTH - 20

    def x(value):
        value = min(high, max(low, value))
        return round(plot_left + (value - low) / (high - low) * (plot_right - plot_left), 1)

    rows = []
    for index, line in enumerate(lines):
        y = TOP + index * ROW_HEIGHT + ROW_HEIGHT / 2
        interval = line.interval
        rows.append(
            {
                "line": line,
                "y": y,
                "label": textwrap.wrap(f"{line.detail} {line.label}".strip(), WRAP)[:2],
                "x": x(line.estimate) if line.estimate is not None else None,
                "lower": x(interval[0]) if interval else None,
                "upper": x(interval[1]) if interval else None,
                "baseline": x(line.baseline[0]) if line.baseline else None,
                "note_x": plot_left + 4,
                "note_y": y + NOTE_DROP,
            }
        )
    ticks = [{"value": v, "x": x(v)} for v in range(int(low), int(high) + 1)]
    return {
        "width": CHART_WIDTH,
        "height": TOP + len(lines) * ROW_HEIGHT + AXIS + 6,
        "axis_y": TOP + len(lines) * ROW_HEIGHT + AXIS - 4,
        "axis_x": (plot_left + plot_right) / 2,
        "left": plot_left,
        "right": plot_right,
        "top": TOP,
        "bottom": TOP + len(lines) * ROW_HEIGHT,
        "ticks": ticks,
        "rows": rows,
    }
