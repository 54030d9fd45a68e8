"""Survey statistics for PAPI Pulse: pure functions, lists in and numbers out.

Raking and trimming (weights), linearization variance (variance), beta and t
quantiles with Korn-Graubard intervals (intervals), NCHS 2017 suppression
(suppression), area combination (combine), small-area smoothing (smoothing) and
trends with Benjamini-Hochberg (trend). Agreement with R's survey package is tested
against fixtures in tests/fixtures/r.
"""

from survey.stats.combine import Combined, combine
from survey.stats.intervals import (
    KGInterval,
    betainc,
    betaincinv,
    korn_graubard,
    normal_interval,
    t_interval,
    t_quantile,
)
from survey.stats.smoothing import FayHerriot, Smoothed, fay_herriot, shrink
from survey.stats.suppression import cell_flag, is_shown, mean_flag, proportion_flag
from survey.stats.trend import Change, bh_adjust, change, changed
from survey.stats.variance import (
    Estimate,
    Linearized,
    estimate_from,
    linear_combination,
    linearize_mean,
    mean_estimate,
    proportion_estimate,
    scaled_average,
)
from survey.stats.weights import (
    Collapse,
    RakingError,
    Weights,
    kish_effective_n,
    max_mean_ratio,
    rake,
    unweighted,
)

__all__ = [
    "Change",
    "Collapse",
    "Combined",
    "Estimate",
    "FayHerriot",
    "KGInterval",
    "Linearized",
    "RakingError",
    "Smoothed",
    "Weights",
    "bh_adjust",
    "betainc",
    "betaincinv",
    "cell_flag",
    "change",
    "changed",
    "combine",
    "estimate_from",
    "fay_herriot",
    "is_shown",
    "kish_effective_n",
    "korn_graubard",
    "linear_combination",
    "linearize_mean",
    "max_mean_ratio",
    "mean_estimate",
    "mean_flag",
    "normal_interval",
    "proportion_estimate",
    "proportion_flag",
    "rake",
    "scaled_average",
    "shrink",
    "t_interval",
    "t_quantile",
    "unweighted",
]
