"""Incomplete beta, t and normal quantiles, Korn-Graubard and t intervals.

The incomplete beta and its inverse come from SciPy's C code when the optional `fast` extra is
installed, else from the standard-library code below; both agree with R (tests/stats).
"""

import functools
import math
import sys
from statistics import NormalDist
from typing import NamedTuple

try:  # the optional `fast` extra: setup.cfg
    from scipy import special as _special
except ImportError:  # pragma: no cover - the test extra installs SciPy
    _special = None

_TINY = 1e-300
_NORMAL = NormalDist()
# Halley's error after a step of relative size s is of order s**3, so a step below 1e-9
# leaves an error far below the 1e-15 the R fixtures check, and saves one more evaluation.
_HALLEY_DONE = 1e-9
_EXP_MAX = 700.0  # exp() overflows just above 709.78


class KGInterval(NamedTuple):
    """Korn-Graubard interval with the effective sample size it was built on."""

    lower: float
    upper: float
    n_eff: float


def _beta_cf(a, b, x):
    # Modified Lentz evaluation of the continued fraction (Numerical Recipes 6.4);
    # it converges in O(sqrt(max(a, b))) terms when x < (a + 1) / (a + b + 2). Chained
    # comparisons instead of abs() calls: this loop is the engine's hottest code. For the
    # same reason the even and odd steps' Lentz update (d, c and their clamping) is written
    # out twice, not called: a call per step makes the loop about 9% slower (timeit, 3.11).
    tiny = _TINY
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    if -tiny <= d <= tiny:
        d = tiny
    d = 1.0 / d
    h = d
    m = 1
    while m < 100000:
        m2 = m + m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        if -tiny <= d <= tiny:
            d = tiny
        d = 1.0 / d
        c = 1.0 + aa / c
        if -tiny <= c <= tiny:
            c = tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        if -tiny <= d <= tiny:
            d = tiny
        d = 1.0 / d
        c = 1.0 + aa / c
        if -tiny <= c <= tiny:
            c = tiny
        delta = d * c
        h *= delta
        if -1e-16 < delta - 1.0 < 1e-16:
            break
        m += 1
    return h


_LN_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


def _lgammacor(x):
    # log Gamma(x) - Stirling's approximation, for x >= 10: the asymptotic series to
    # x^-15, whose next term is below 1e-17 at x = 10 (R's lgammacor, as a power series).
    r = 1.0 / (x * x)
    return (
        1.0
        / x
        * (
            1.0 / 12.0
            - r
            * (
                1.0 / 360.0
                - r
                * (
                    1.0 / 1260.0
                    - r
                    * (
                        1.0 / 1680.0
                        - r
                        * (
                            1.0 / 1188.0
                            - r * (691.0 / 360360.0 - r * (1.0 / 156.0 - r * 3617.0 / 122400.0))
                        )
                    )
                )
            )
        )
    )


def _log_beta(a, b):
    # As R's lbeta: lgamma(a) + lgamma(b) - lgamma(a + b) cancels catastrophically when a
    # or b is large (lgamma(1e6) is 1.3e7, so the difference keeps only 1e-9 relative).
    p, q = (a, b) if a < b else (b, a)
    if p >= 10.0:
        corr = _lgammacor(p) + _lgammacor(q) - _lgammacor(p + q)
        return (
            -0.5 * math.log(q)
            + _LN_SQRT_2PI
            + corr
            + (p - 0.5) * math.log(p / (p + q))
            + q * math.log1p(-p / (p + q))
        )
    if q >= 10.0:
        corr = _lgammacor(q) - _lgammacor(p + q)
        return (
            math.lgamma(p) + corr + p - p * math.log(p + q) + (q - 0.5) * math.log1p(-p / (p + q))
        )
    return math.lgamma(p) + math.lgamma(q) - math.lgamma(p + q)


def _betainc(x, a, b, lbeta):
    # I_x(a, b) for 0 < x < 1 and a, b > 0, with log B(a, b) given (the inverse reuses it).
    front = math.exp(a * math.log(x) + b * math.log1p(-x) - lbeta)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_cf(a, b, x) / a
    return 1.0 - front * _beta_cf(b, a, 1.0 - x) / b


def _python_betainc(x, a, b):
    # The standard-library incomplete beta with R's conventions at the edges.
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    if a == 0.0:
        return 1.0  # point mass at 0, as in R
    if b == 0.0:
        return 0.0  # point mass at 1
    return _betainc(x, a, b, _log_beta(a, b))


def _start(p, a, b):
    # Starting value of Numerical Recipes (3rd ed.) invbetai (Abramowitz-Stegun 26.5.22
    # when a, b >= 1; the small-parameter tail formula otherwise).
    if a >= 1.0 and b >= 1.0:
        pp = p if p < 0.5 else 1.0 - p
        t = math.sqrt(-2.0 * math.log(pp))
        x = (2.30753 + t * 0.27061) / (1.0 + t * (0.99229 + t * 0.04481)) - t
        if p < 0.5:
            x = -x
        al = (x * x - 3.0) / 6.0
        h = 2.0 / (1.0 / (2.0 * a - 1.0) + 1.0 / (2.0 * b - 1.0))
        w = x * math.sqrt(al + h) / h - (1.0 / (2.0 * b - 1.0) - 1.0 / (2.0 * a - 1.0)) * (
            al + 5.0 / 6.0 - 2.0 / (3.0 * h)
        )
        if 2.0 * w > _EXP_MAX:
            return 0.0
        return a / (a + b * math.exp(2.0 * w))
    lna = math.log(a / (a + b))
    lnb = math.log(b / (a + b))
    t = math.exp(a * lna) / a
    u = math.exp(b * lnb) / b
    w = t + u
    if p < t / w:
        log_x = math.log(a * w * p) / a
        return math.exp(log_x) if log_x > -_EXP_MAX else 0.0
    return 1.0 - (b * w * (1.0 - p)) ** (1.0 / b)


def _python_betaincinv(p, a, b):
    # The standard-library inverse with R's conventions at the edges.
    if a == 0.0 or p <= 0.0:
        return 0.0
    if b == 0.0 or p >= 1.0:
        return 1.0
    return _solve(p, a, b, _start(p, a, b), _betainc)


# SciPy's I_x flushes to 0 below about 1e-280 (SciPy 1.17), so smaller values and quantiles
# of smaller probabilities are left to the standard-library code.
_SCIPY_FLOOR = 1e-250


def _scipy_betainc(x, a, b, lbeta):
    # SciPy's I_x(a, b) with the signature of _betainc, for 0 < x < 1 and a, b > 0.
    value = float(_special.betainc(a, b, x))
    if value < _SCIPY_FLOOR or x < _SMALLEST:
        return _betainc(x, a, b, _log_beta(a, b) if lbeta is None else lbeta)
    return value


def _scipy_betaincinv(p, a, b):
    # SciPy's quantile polished by the Halley steps below on SciPy's I_x: its own inverse is
    # off by up to 3e-9 relative for a + b = 1e6 or a = b = 0.0055, its I_x far less.
    if not (_SCIPY_FLOOR <= p < 1.0 and 0.0 < a < math.inf and 0.0 < b < math.inf):
        return _python_betaincinv(p, a, b)  # edges, NaN, inf and tiny p: standard library
    x = float(_special.betaincinv(a, b, p))
    return _solve(p, a, b, x if x == x else _start(p, a, b), _scipy_betainc)


def _solve(p, a, b, x, cdf):
    # Halley steps from the start x, kept inside a shrinking bracket so that a bad step
    # falls back to bisection (geometric while the bracket spans decades: for tiny a or b
    # the quantile can be 1e-300 from 0 or closer to 1 than a double). cdf is _betainc or
    # _scipy_betainc, both called as cdf(x, a, b, log B(a, b)).
    lbeta = _log_beta(a, b)
    lo, hi = 0.0, 1.0
    if x <= 0.0:
        if cdf(_SMALLEST, a, b, lbeta) >= p:
            return 0.0  # R gives 0 or a subnormal
        lo = _SMALLEST
    elif x >= 1.0:
        if cdf(_BELOW_ONE, a, b, lbeta) <= p:
            return 1.0
        hi = _BELOW_ONE
    a1, b1 = a - 1.0, b - 1.0
    for _ in range(400):
        if not lo < x < hi:
            x = _bisect(lo, hi)
            if not lo < x < hi:
                return x  # no double left between the bracket's ends
        err = cdf(x, a, b, lbeta) - p
        if err == 0.0:
            return x
        if err > 0.0:
            hi = x
        else:
            lo = x
        log_dens = a1 * math.log(x) + b1 * math.log1p(-x) - lbeta
        if -_EXP_MAX < log_dens < _EXP_MAX:
            u = err / math.exp(log_dens)
            # Halley's correction when it is moderate, plain Newton otherwise.
            corr = 1.0 - 0.5 * u * (a1 / x - b1 / (1.0 - x))
            halley = 0.5 < corr < 2.0
            step = u / corr if halley else u
            new = x - step
            size = step if step > 0.0 else -step
            if size <= 4e-16 * x or (halley and size <= _HALLEY_DONE * min(x, 1.0 - x)):
                return new if lo <= new <= hi else x
            if lo < new < hi:
                x = new
                continue
        if hi - lo <= 4e-16 * hi:
            return 0.5 * (lo + hi)
        x = -1.0  # bisect
    return 0.5 * (lo + hi)


_BELOW_ONE = 1.0 - 2.0**-53  # the largest double below 1
_SMALLEST = sys.float_info.min  # the smallest normal double

BACKENDS = ("scipy", "python") if _special is not None else ("python",)
_backend = BACKENDS[0]
_betaincinv = _scipy_betaincinv if _special is not None else _python_betaincinv


def backend():
    """Return which code computes the incomplete beta and its inverse: "scipy" or "python"."""
    return _backend


def use_backend(name):
    """Compute the incomplete beta with name ("scipy" when installed, or "python")."""
    global _backend, _betaincinv
    if name not in BACKENDS:
        raise ValueError(f"backend {name!r} is not available; choose one of {BACKENDS}")
    _backend = name
    _betaincinv = _scipy_betaincinv if name == "scipy" else _python_betaincinv
    # Cached intervals and quantiles were computed by the other backend.
    t_quantile.cache_clear()
    korn_graubard.cache_clear()


def betainc(x, a, b):
    """Return the regularized incomplete beta I_x(a, b), as R's pbeta(x, a, b)."""
    # SciPy loses digits at subnormal x (5e-324 gives 8.97e-6 for I = 9.02e-6 at a = 1/64).
    if _backend == "scipy" and _SMALLEST <= x < 1.0 and 0.0 < a < math.inf and 0.0 < b < math.inf:
        return _scipy_betainc(x, a, b, None)
    return _python_betainc(x, a, b)


def betaincinv(p, a, b):
    """Return x with I_x(a, b) = p, as R's qbeta(p, a, b)."""
    return _betaincinv(p, a, b)


def _bisect(lo, hi):
    # Midpoint of the bracket: geometric in x near 0, in 1 - x near 1, else arithmetic.
    if lo < 1e-3 * hi:
        return math.exp(0.5 * (math.log(max(lo, 1e-320)) + math.log(hi)))
    if 1.0 - hi < 1e-3 * (1.0 - lo):
        return 1.0 - math.exp(0.5 * (math.log(1.0 - lo) + math.log(max(1.0 - hi, 2.0**-53))))
    return 0.5 * (lo + hi)


@functools.lru_cache(maxsize=256)  # a few levels, asked for once per estimate
def norm_quantile(p):
    """Return the standard normal quantile, as R's qnorm(p)."""
    return _NORMAL.inv_cdf(p)


def norm_sf(z):
    """Return the upper tail P(Z > z) of the standard normal."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


# Units share a handful of (level, df) pairs, so quantiles are worth caching.
@functools.lru_cache(maxsize=4096)
def t_quantile(p, df):
    """Return the Student t quantile, as R's qt(p, df)."""
    if df == math.inf:
        return norm_quantile(p)
    if p == 0.5:
        return 0.0
    tail = p if p < 0.5 else 1.0 - p
    if df > 2000:
        # Cornish-Fisher (Hill 1970) series in 1/df: the next term is below 1e-13 here.
        z = norm_quantile(tail)
        z2 = z * z
        g1 = (z2 + 1.0) * z / 4.0
        g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0
        g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0
        g4 = ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92160.0
        t = z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4
        t = -t
    else:
        # P(|T| > t) = I_{df/(df+t^2)}(df/2, 1/2); solve on whichever side keeps precision.
        two_tail = 2.0 * tail
        if two_tail < 0.5:
            x = betaincinv(two_tail, df / 2.0, 0.5)
            t = math.sqrt(df * (1.0 - x) / x)
        else:
            y = betaincinv(1.0 - two_tail, 0.5, df / 2.0)
            t = math.sqrt(df * y / (1.0 - y))
    return -t if p < 0.5 else t


# A collection point that is its ward's only one has the ward's exact estimate and variance,
# and shares of 0 or 1 repeat with n: exact repeats are common enough to cache.
@functools.lru_cache(maxsize=16384)
def korn_graubard(p, variance, n, level=0.95, df=None, n_rows=None):
    """Return the Korn-Graubard interval, as R's svyciprop(method = "beta").

    n* = p(1-p)/variance; with df = degf(design) and n_rows = nrow(design) it is multiplied
    by (qt(alpha/2, n_rows - 1) / qt(alpha/2, df))^2 as R does (for ids = ~1 the factor is
    1, and R's own df argument is ignored by this method). Unlike R, n* is capped at n (the
    item respondents) and n* = n when p is 0 or 1 (R returns NaN); the interval is then
    Clopper-Pearson on n* trials: qbeta(alpha/2, n* p, n*(1-p) + 1), qbeta(1 - alpha/2,
    n* p + 1, n*(1-p)).
    """
    alpha = 1.0 - level
    if p <= 0.0 or p >= 1.0 or variance <= 0.0:
        n_eff = float(n)
    else:
        n_eff = p * (1.0 - p) / variance
        if df is not None and n_rows is not None:
            n_eff *= (t_quantile(alpha / 2.0, n_rows - 1) / t_quantile(alpha / 2.0, df)) ** 2
        n_eff = min(n_eff, float(n))
    # A share summed in another order than its base can round past 0 or 1 (1 + 4e-16): its
    # interval is that of 0 or 1, not a quantile of a beta with a negative parameter.
    x = n_eff * min(1.0, max(0.0, p))
    lower = betaincinv(alpha / 2.0, x, n_eff - x + 1.0)
    upper = betaincinv(1.0 - alpha / 2.0, x + 1.0, n_eff - x)
    return KGInterval(lower, upper, n_eff)


def t_interval(estimate, se, df, level=0.95):
    """Return (lower, upper) = estimate -/+ qt(1 - alpha/2, df) * se."""
    half = t_quantile(0.5 + level / 2.0, df) * se
    return estimate - half, estimate + half


def normal_interval(estimate, se, level=0.95):
    """Return (lower, upper) = estimate -/+ qnorm(1 - alpha/2) * se."""
    half = norm_quantile(0.5 + level / 2.0) * se
    return estimate - half, estimate + half
