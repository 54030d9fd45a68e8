"""Larger areas (province) from ward estimates, weighted by population."""

import math
from typing import NamedTuple


class Combined(NamedTuple):
    """A population-weighted combination of unit estimates."""

    estimate: float | None
    variance: float | None
    se: float | None
    coverage: float  # share of the population in units with data
    units: int  # units with data


def combine(populations, estimates, variances):
    """Combine unit estimates as sum (N_h/N) est_h, v = sum (N_h/N)^2 v_h over units with data.

    A unit has data when its estimate is not None; N is the population of those units.
    A None variance (one respondent) makes the combined variance None.
    """
    total = math.fsum(populations)
    covered = 0.0
    for pop, est in zip(populations, estimates, strict=True):
        if est is not None:
            covered += pop
    if covered <= 0.0:
        return Combined(None, None, None, 0.0, 0)
    est_sum = 0.0
    var_sum = 0.0
    units = 0
    for pop, est, var in zip(populations, estimates, variances, strict=True):
        if est is None:
            continue
        units += 1
        share = pop / covered
        est_sum += share * est
        if var is None or var_sum is None:
            var_sum = None
        else:
            var_sum += share * share * var
    se = None if var_sum is None else math.sqrt(var_sum)
    return Combined(est_sum, var_sum, se, covered / total, units)
