"""Weighted means and proportions with linearization variance (weights held fixed).

For an item with values y_k (None for item non-respondents) and weights w_k,
ybar = sum w y / sum w over item respondents, z_k = w_k (y_k - ybar) / sum w
(z_k = 0 for non-respondents) and v = n / (n - 1) * sum z_k^2 with n = all respondents in
the unit. This is R's svymean(~y, svydesign(ids = ~1, weights = ~w), na.rm = TRUE): R's
na.rm keeps the dropped rows in the design with zero weight, so n stays the unit's n.
Linear combinations of item means combine their z values, which is what svycontrast over
svyratio does.
"""

import math
from typing import NamedTuple

from survey.stats.intervals import korn_graubard, t_interval


class Linearized(NamedTuple):
    """An estimate with its influence values z (one per respondent in the unit)."""

    estimate: float | None  # None when nobody answered
    z: list | None
    n: int  # respondents in the unit
    n_item: int  # respondents with a value (for composites: the smallest over items)
    weight_sum: float
    kish_n: float  # Kish n of the item respondents' weights
    spread: float  # sum w (y - ybar)^2 / sum w, the weighted population variance

    @property
    def variance(self):
        """Return n/(n-1) * sum z^2, or None when undefined."""
        if self.z is None or self.n < 2:
            return None
        s = 0.0
        for v in self.z:
            s += v * v
        return self.n / (self.n - 1) * s

    @property
    def se(self):
        """Return the standard error, or None when undefined."""
        v = self.variance
        return None if v is None else math.sqrt(v)


class Estimate(NamedTuple):
    """A direct estimate ready for suppression rules and export."""

    estimate: float | None
    se: float | None
    lower: float | None
    upper: float | None
    n: int
    n_item: int
    n_eff: float


def linearize_mean(values, weights):
    """Return the weighted mean of values (None = missing) with its influence values."""
    sw = swy = sww = 0.0
    m = 0
    for y, w in zip(values, weights, strict=True):
        if y is not None:
            sw += w
            swy += w * y
            sww += w * w
            m += 1
    n = len(values)
    if m == 0 or sw <= 0.0:
        return Linearized(None, None, n, 0, 0.0, 0.0, 0.0)
    ybar = swy / sw
    inv = 1.0 / sw
    z = [0.0 if y is None else w * (y - ybar) * inv for y, w in zip(values, weights, strict=True)]
    spread = 0.0
    for y, w in zip(values, weights, strict=True):
        if y is not None:
            d = y - ybar
            spread += w * d * d
    return Linearized(ybar, z, n, m, sw, sw * sw / sww, spread * inv)


def linear_combination(parts, coefficients=None, constant=0.0):
    """Return constant + sum c_j * part_j for Linearized parts of the same unit."""
    if coefficients is None:
        coefficients = [1.0] * len(parts)
    if not parts or any(p.estimate is None for p in parts):
        n = parts[0].n if parts else 0
        return Linearized(None, None, n, 0, 0.0, 0.0, 0.0)
    n = parts[0].n
    if any(p.n != n for p in parts):
        raise ValueError("parts come from units with different numbers of respondents")
    est = constant
    z = [0.0] * n
    for p, c in zip(parts, coefficients, strict=True):
        est += c * p.estimate
        if c:
            z = [a + c * b for a, b in zip(z, p.z, strict=True)]
    return Linearized(
        est,
        z,
        n,
        min(p.n_item for p in parts),
        min(p.weight_sum for p in parts),
        min(p.kish_n for p in parts),
        math.nan,  # no population spread for a composite
    )


def scaled_average(parts, low=0.0, high=1.0):
    """Return low + (high - low) * mean of the parts that have data (PAPI sub-dimension)."""
    used = [p for p in parts if p.estimate is not None]
    if not used:
        return Linearized(None, None, parts[0].n if parts else 0, 0, 0.0, 0.0, 0.0)
    c = (high - low) / len(used)
    return linear_combination(used, [c] * len(used), low)


def proportion_estimate(values, weights, level=0.95):
    """Return a weighted proportion of 0/1 values with its Korn-Graubard interval."""
    lin = linearize_mean(values, weights)
    if lin.estimate is None:
        return Estimate(None, None, None, None, lin.n, 0, 0.0)
    v = lin.variance
    if v is None:
        return Estimate(lin.estimate, None, None, None, lin.n, lin.n_item, float(lin.n_item))
    kg = korn_graubard(lin.estimate, v, lin.n_item, level)
    return Estimate(lin.estimate, math.sqrt(v), kg.lower, kg.upper, lin.n, lin.n_item, kg.n_eff)


def mean_estimate(values, weights, level=0.95):
    """Return a weighted mean with a t(n - 1) interval; n* = spread / variance, capped."""
    lin = linearize_mean(values, weights)
    if lin.estimate is None:
        return Estimate(None, None, None, None, lin.n, 0, 0.0)
    return estimate_from(lin, level)


def estimate_from(lin, level=0.95):
    """Return an Estimate with a t(n - 1) interval from a Linearized mean or composite."""
    v = lin.variance
    if lin.estimate is None or v is None:
        return Estimate(lin.estimate, None, None, None, lin.n, lin.n_item, float(lin.n_item))
    se = math.sqrt(v)
    lower, upper = t_interval(lin.estimate, se, lin.n - 1, level)
    if math.isnan(lin.spread):
        n_eff = lin.kish_n  # composites: Kish n of the thinnest item
    elif v > 0.0:
        n_eff = min(lin.spread / v, float(lin.n_item))
    else:
        n_eff = float(lin.n_item)
    return Estimate(lin.estimate, se, lower, upper, lin.n, lin.n_item, n_eff)
