"""Change between two periods and Benjamini-Hochberg adjustment."""

import math
from typing import NamedTuple

from survey.stats.intervals import norm_sf, normal_interval
from survey.stats.suppression import is_shown


class Change(NamedTuple):
    """Difference later - earlier with its normal interval and two-sided p-value."""

    difference: float
    se: float
    lower: float
    upper: float
    p_value: float


def change(earlier, var_earlier, later, var_later, level=0.95):
    """Return later - earlier with SE sqrt(v1 + v2), a normal interval and its p-value."""
    diff = later - earlier
    se = math.sqrt(var_earlier + var_later)
    lower, upper = normal_interval(diff, se, level)
    if se > 0.0:
        p = 2.0 * norm_sf(abs(diff) / se)
    else:
        p = 1.0 if diff == 0.0 else 0.0
    return Change(diff, se, lower, upper, min(1.0, p))


def bh_adjust(p_values):
    """Return Benjamini-Hochberg adjusted p-values, as R's p.adjust(p, "BH"); None stays None."""
    idx = [i for i, p in enumerate(p_values) if p is not None]
    m = len(idx)
    out = [None] * len(p_values)
    order = sorted(idx, key=lambda i: p_values[i], reverse=True)
    running = 1.0
    for rank, i in enumerate(order):
        # R: pmin(1, cummin(n / i * p[o])) with i counting down from n.
        running = min(running, m / (m - rank) * p_values[i])
        out[i] = running
    return out


def changed(adjusted_p, flag_earlier, flag_later, alpha=0.05):
    """Return True when a change is significant and both periods pass the reliability rules."""
    return (
        adjusted_p is not None
        and adjusted_p < alpha
        and is_shown(flag_earlier)
        and is_shown(flag_later)
    )
