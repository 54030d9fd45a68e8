"""Model-based small-area estimates: beta-binomial shrinkage and Fay-Herriot.

Both are labelled model-based wherever shown: they borrow strength from a prior (the
province's last official value) or from other wards, so they are not direct estimates.
"""

import math
from typing import NamedTuple

from survey.stats.intervals import betaincinv, norm_quantile


class Smoothed(NamedTuple):
    """A model-based estimate of a proportion with its interval."""

    estimate: float
    se: float
    lower: float
    upper: float
    weight: float  # weight of the direct estimate (n*/(n*+m), or the FH gamma)


def shrink(p, n_eff, prior, m=20.0, level=0.95):
    """Shrink a direct proportion toward prior, the prior worth m respondents (Beta posterior)."""
    if p is None or not n_eff:
        p, n_eff = 0.0, 0.0
    a = m * prior + n_eff * p
    b = m * (1.0 - prior) + n_eff * (1.0 - p)
    s = a + b
    est = a / s
    se = math.sqrt(a * b / (s * s * (s + 1.0)))
    alpha = 1.0 - level
    lower = betaincinv(alpha / 2.0, a, b)
    upper = betaincinv(1.0 - alpha / 2.0, a, b)
    return Smoothed(est, se, lower, upper, n_eff / s)


class FayHerriot(NamedTuple):
    """Fay-Herriot fit on the arcsine-square-root scale, with per-area results."""

    variance: float  # REML estimate of the area-effect variance A
    beta: list  # intercept (and slope)
    areas: list  # [Smoothed] in input order
    theta: list  # EBLUP on the transformed scale
    mse: list  # Prasad-Rao / Datta-Lahiri MSE on the transformed scale


def _fit_parts(A, y, psi, X):
    # Weighted least squares pieces for V = diag(A + psi): (X'V^-1X)^-1, beta, residuals.
    k = len(X[0])
    u = [1.0 / (A + s) for s in psi]
    xtx = [[0.0] * k for _ in range(k)]
    xty = [0.0] * k
    for ui, xi, yi in zip(u, X, y, strict=True):
        for r in range(k):
            xty[r] += ui * xi[r] * yi
            for c in range(k):
                xtx[r][c] += ui * xi[r] * xi[c]
    if k == 1:
        inv = [[1.0 / xtx[0][0]]]
    else:
        det = xtx[0][0] * xtx[1][1] - xtx[0][1] * xtx[1][0]
        inv = [[xtx[1][1] / det, -xtx[0][1] / det], [-xtx[1][0] / det, xtx[0][0] / det]]
    beta = [sum(inv[r][c] * xty[c] for c in range(k)) for r in range(k)]
    fitted = [sum(b * x for b, x in zip(beta, xi, strict=True)) for xi in X]
    return u, inv, beta, fitted, xtx


def _reml_score(A, y, psi, X):
    # d l_R / dA = -tr(P)/2 + y'PPy/2 with P = V^-1 - V^-1 X (X'V^-1X)^-1 X'V^-1.
    u, inv, beta, fitted, _ = _fit_parts(A, y, psi, X)
    k = len(X[0])
    trace = sum(u)
    xv2x = [[0.0] * k for _ in range(k)]
    for ui, xi in zip(u, X, strict=True):
        for r in range(k):
            for c in range(k):
                xv2x[r][c] += ui * ui * xi[r] * xi[c]
    trace -= sum(inv[r][c] * xv2x[c][r] for r in range(k) for c in range(k))
    rss = sum((ui * (yi - f)) ** 2 for ui, yi, f in zip(u, y, fitted, strict=True))
    return 0.5 * (rss - trace)


def _reml_variance(y, psi, X):
    if _reml_score(0.0, y, psi, X) <= 0.0:
        return 0.0
    hi = max(1e-6, sum((a - sum(y) / len(y)) ** 2 for a in y) / len(y))
    while _reml_score(hi, y, psi, X) > 0.0:
        hi *= 2.0
    lo = 0.0
    # Bisection on the score: slower than Newton but monotone and exact to rounding.
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if _reml_score(mid, y, psi, X) > 0.0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def fay_herriot(p, n_eff, covariate=None, level=0.95):
    """Fit Fay-Herriot on asin(sqrt(p)) with psi = 1/(4 n*), REML; return per-area EBLUPs.

    p and n_eff are per area (None where an area has no data: it gets the synthetic
    estimate). covariate is one value per area, or None for an intercept-only model; a
    constant covariate (every ward in one province) is dropped for the same reason.
    """
    m = len(p)
    use = [i for i in range(m) if p[i] is not None and n_eff[i]]
    if len(use) < 3:
        raise ValueError("Fay-Herriot needs at least three areas with data")
    slope = covariate is not None and len({covariate[i] for i in use}) > 1
    X_all = [[1.0, float(covariate[i])] if slope else [1.0] for i in range(m)]
    y = [math.asin(math.sqrt(min(1.0, max(0.0, p[i])))) for i in use]
    psi = [1.0 / (4.0 * n_eff[i]) for i in use]
    X = [X_all[i] for i in use]
    A = _reml_variance(y, psi, X)
    u, inv, beta, fitted, _ = _fit_parts(A, y, psi, X)
    # Asymptotic REML variance of A: 2 / sum (A + psi)^-2.
    var_a = 2.0 / sum(ui * ui for ui in u)
    k = len(beta)
    z = norm_quantile(0.5 + level / 2.0)
    theta = [0.0] * m
    mse = [0.0] * m
    gamma = [0.0] * m
    lookup = {i: j for j, i in enumerate(use)}
    for i in range(m):
        xi = X_all[i]
        synth = sum(b * x for b, x in zip(beta, xi, strict=True))
        g2base = sum(xi[r] * inv[r][c] * xi[c] for r in range(k) for c in range(k))
        j = lookup.get(i)
        if j is None:
            theta[i], mse[i] = synth, A + g2base
            continue
        s = psi[j]
        g = A / (A + s)
        gamma[i] = g
        theta[i] = g * y[j] + (1.0 - g) * synth
        mse[i] = g * s + (1.0 - g) ** 2 * g2base + 2.0 * s * s / (A + s) ** 3 * var_a
    areas = []
    for i in range(m):
        t, se_t = theta[i], math.sqrt(mse[i])
        est = math.sin(min(max(t, 0.0), math.pi / 2.0)) ** 2
        lo = math.sin(min(max(t - z * se_t, 0.0), math.pi / 2.0)) ** 2
        hi = math.sin(min(max(t + z * se_t, 0.0), math.pi / 2.0)) ** 2
        # Delta method back to the proportion scale: dp/dtheta = sin(2 theta).
        areas.append(Smoothed(est, abs(math.sin(2.0 * t)) * se_t, lo, hi, gamma[i]))
    return FayHerriot(A, beta, areas, theta, mse)
