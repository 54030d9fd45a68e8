"""The method's rules for each estimate: its interval, its flag, its change, its smoothing."""

from __future__ import annotations

import math
from typing import NamedTuple

from survey.stats import (
    bh_adjust,
    change,
    korn_graubard,
    mean_flag,
    proportion_flag,
    shrink,
    t_interval,
)
from survey.stats.suppression import MIN_N_EFF, cell_flag


class Interval(NamedTuple):
    """An estimate's effective n, interval and the interval's method."""

    n_eff: float
    lower: float | None
    upper: float | None
    method: str


def interval(kind, st, all_intervals, level=0.95):
    """Return the Interval of a Stat: Korn-Graubard or t(n - 1)."""
    if st.estimate is None or st.variance is None:
        return Interval(float(st.n_item), None, None, "")
    if kind == "proportion":
        p, v = st.estimate, st.variance
        n_eff = (
            float(st.n_item)
            if p <= 0.0 or p >= 1.0 or v <= 0.0
            else min(p * (1.0 - p) / v, float(st.n_item))
        )
        if not all_intervals and (cell_flag(st.n_item) or n_eff < MIN_N_EFF):
            return Interval(n_eff, None, None, "korn_graubard")
        kg = korn_graubard(p, v, st.n_item, level)
        return Interval(kg.n_eff, kg.lower, kg.upper, "korn_graubard")
    se = math.sqrt(st.variance)
    if st.spread is not None:
        n_eff = (
            min(st.spread / st.variance, float(st.n_item)) if st.variance > 0 else float(st.n_item)
        )
    else:
        n_eff = st.kish
    lower, upper = t_interval(st.estimate, se, max(st.n - 1, 1), level)
    return Interval(n_eff, lower, upper, "t")


def flag_of(kind, st, n_eff, lower, upper, half_width):
    """Return the reliability flag (NCHS 2017 for shares; n* and half-width for means)."""
    if kind == "proportion":
        if lower is None:
            return cell_flag(st.n_item) or (
                "suppressed_n_eff" if st.variance is not None else "no_variance"
            )
        return proportion_flag(st.estimate, lower, upper, st.n_item, n_eff)
    return mean_flag(st.estimate, lower, upper, st.n_item, n_eff, half_width)


def changes(pairs):
    """Return [(Change or None, adjusted p)] for (earlier, later) Stat pairs, BH-adjusted."""
    found = []
    for earlier, later in pairs:
        if (
            earlier is None
            or later is None
            or earlier.variance is None
            or later.variance is None
            or earlier.estimate is None
        ):
            found.append(None)
        else:
            found.append(change(earlier.estimate, earlier.variance, later.estimate, later.variance))
    adjusted = bh_adjust([c.p_value if c else None for c in found])
    return list(zip(found, adjusted, strict=True))


def smoothed(est, n_eff, prior, low, high, m):
    """Return a model-based (beta-binomial) estimate on the PAPI scale, or None."""
    if est is None or prior is None:
        return None
    span = high - low
    p = min(1.0, max(0.0, (est - low) / span))
    s = shrink(p, n_eff, min(1.0, max(0.0, (prior - low) / span)), m)
    return low + span * s.estimate, low + span * s.lower, low + span * s.upper
