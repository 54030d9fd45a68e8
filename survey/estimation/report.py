"""Rows of the estimates table for one unit and period, in ``COLUMNS`` order.

Every estimand gets its interval and flag (``method``); a row whose flag is not shown carries
no estimate, SE, interval, model-based value or change (nor does a change against a
suppressed previous period): a suppressed value never leaves the engine. Change p-values are
Benjamini-Hochberg adjusted across every estimand of the unit, whichever levels are asked for,
so that a page showing only the summary says the same as the full download.
"""

from __future__ import annotations

from typing import NamedTuple

from survey.estimation.context import Context
from survey.estimation.method import changes, flag_of, interval, smoothed
from survey.estimation.spec import KeyInfo, Spec
from survey.estimation.sums import Stat
from survey.stats import changed
from survey.stats.suppression import SHOWN

COLUMNS = (
    "questionnaire_id", "questionnaire_version", "period", "period_start", "period_end",
    "unit_type", "unit_code", "province_code", "level", "key", "option", "statistic",
    "scale_low", "scale_high", "n", "n_item", "n_eff", "estimate", "se", "ci_lower", "ci_upper",
    "interval_method", "flag", "shown", "weighted", "margin_set", "weighting_note",
    "unit_kish_n", "max_weight_ratio", "coverage", "wards_with_data", "baseline_year",
    "baseline", "smoothed", "smoothed_lower", "smoothed_upper", "smoothing", "change",
    "change_se", "change_lower", "change_upper", "change_p", "change_p_bh", "changed",
    "include_flagged",
)  # fmt: skip
HALF_WIDTH_SHARE = 0.10  # means shown when the half-width is <= 10% of the scale's range
_NO_SMOOTH = (None, None, None)
_NO_CHANGE = ("",) * 6
_NO_ADJUSTED = (None, None)
LEVELS = ("item", "indicator", "subdimension", "dimension", "total")
_LEVEL_OF = dict(zip(("item", "indicator", "sub", "dim", "total"), LEVELS, strict=True))


class Unit(NamedTuple):
    """The unit a report is about."""

    unit_type: str
    code: str
    province: str


class Meta(NamedTuple):
    """How a unit was weighted, the same on each of its rows."""

    weighted: bool
    set_id: int | None
    note: str
    kish: float | str
    ratio: float | str


class Evaluated(NamedTuple):
    """An estimand's Stat and flag in one period: what the next period's change needs."""

    stat: Stat
    flag: str | None  # None: its level was not asked for


def incomplete_flag():
    """Return the flag of a sub-dimension left unscored for want of some of its indicators."""
    return "incomplete_indicators"


def max_half_width(low, high):
    """Return the largest half-width a mean on [low, high] may have and still be shown."""
    if low is None or high is None:
        return float("inf")
    return HALF_WIDTH_SHARE * (high - low)


def level_of(key) -> str:
    """Return the report level ("item", ..., "total") of an estimand key."""
    return _LEVEL_OF[key[0]]


def _incomplete(spec: Spec, key, stats) -> KeyInfo:
    """Return a sub-dimension's key info naming, as its option, the indicators with no data."""
    missing = spec.model.missing(spec.subs[key[1]].sub, lambda j: ("indicator", j) in stats)
    return spec.key_info(key)._replace(option=";".join(missing))


def _blank(values):
    """Return values with None as the empty string (CSV cells)."""
    return tuple("" if v is None else v for v in values)


def evaluate(ctx: Context, spec: Spec, stats: dict) -> dict:
    """Return {key: Evaluated} of a unit's stats: flags only for the levels asked for."""
    levels, all_intervals = ctx.levels, ctx.all_intervals
    out = {}
    for key, st in stats.items():
        if levels is not None and _LEVEL_OF[key[0]] not in levels:
            out[key] = Evaluated(st, None)
            continue
        info = spec.key_info(key)
        if st.estimate is None and key[0] == "sub":
            out[key] = Evaluated(st, incomplete_flag())
            continue
        iv = interval(info.kind, st, all_intervals)
        flag = flag_of(
            info.kind, st, iv.n_eff, iv.lower, iv.upper, max_half_width(info.low, info.high)
        )
        out[key] = Evaluated(st, flag)
    return out


def report(
    ctx: Context,
    spec: Spec,
    unit: Unit,
    period,
    stats: dict,
    previous: dict,
    meta: Meta,
    baseline=None,
    smooth=False,
    combined=None,
):
    """Return (rows, {key: Evaluated}) for one unit and period; evaluated feeds the next change."""
    evaluated, pending = {}, []
    levels, all_intervals = ctx.levels, ctx.all_intervals
    keys = spec.ordered(stats)
    for key in keys:
        st = stats[key]
        if levels is not None and _LEVEL_OF[key[0]] not in levels:
            evaluated[key] = Evaluated(st, None)
            continue
        info = spec.key_info(key)
        iv = interval(info.kind, st, all_intervals)
        flag = flag_of(
            info.kind, st, iv.n_eff, iv.lower, iv.upper, max_half_width(info.low, info.high)
        )
        if st.estimate is None and key[0] == "sub":
            info = _incomplete(spec, key, stats)
            flag = incomplete_flag()
        evaluated[key] = Evaluated(st, flag)
        pending.append((key, info, st, iv, flag))
    # Every estimand's change counts in the adjustment, shown or not, asked for or not.
    adjusted = {}
    if ctx.changes:
        pairs = [(_stat(previous.get(k)), stats[k]) for k in keys]
        adjusted = dict(zip(keys, changes(pairs), strict=True))
    head = (
        ctx.qid,
        ctx.version,
        period.label,
        period.start.isoformat(),
        period.last_day.isoformat(),
        *unit,
    )
    unit_cells = (int(meta.weighted), meta.set_id or "", meta.note, meta.kish, meta.ratio)
    include = int(ctx.include_flagged)
    values = baseline["values"] if baseline else None
    rows = []
    append = rows.append
    for key, info, st, iv, flag in pending:
        chg, adj = adjusted.get(key, _NO_ADJUSTED)
        level, name, option, statistic, _kind, low, high = info
        est, lower, upper = st.estimate, iv.lower, iv.upper
        se = st.variance**0.5 if st.variance is not None else None
        hidden = flag not in SHOWN and not ctx.reveal_suppressed
        if flag == "hidden_small_cell" or hidden:
            est = se = lower = upper = None
        coverage = wards = ""
        if combined is not None:
            entry = combined[key]
            coverage, wards = entry.coverage, entry.wards
        base_year = base = ""
        sm = _NO_SMOOTH
        if values is not None and (level == "dimension" or level == "total"):
            base = values.get(name, "")
            base_year = baseline["year"] if base != "" else ""
            if smooth and est is not None and base != "":
                sm = smoothed(est, iv.n_eff, base, low, high, ctx.prior_m) or sm
        was = previous.get(key)
        if not ctx.reveal_suppressed and (hidden or (was and was.flag not in SHOWN)):
            chg = None  # a change would tell a suppressed value from the shown one
        append(
            (
                *head,
                level,
                name,
                option,
                statistic,
                low,
                high,
                st.n,
                st.n_item,
                iv.n_eff,
                est,
                se,
                lower,
                upper,
                iv.method,
                flag,
                1 if flag in SHOWN else 0,
                *unit_cells,
                coverage,
                wards,
                base_year,
                base,
                *(_blank(sm) if sm is not _NO_SMOOTH else ("", "", "")),
                "beta_binomial" if sm[0] is not None else "",
                *(
                    _blank((chg.difference, chg.se, chg.lower, chg.upper, chg.p_value, adj))
                    if chg
                    else _NO_CHANGE
                ),
                int(changed(adj, was.flag, flag)) if chg and was else "",
                include,
            )
        )
    return rows, evaluated


def _stat(entry):
    """Return the Stat of a previous period's Evaluated, or None."""
    return entry.stat if entry is not None else None
