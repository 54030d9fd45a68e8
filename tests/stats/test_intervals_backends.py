"""SciPy's incomplete beta (the `fast` extra) and the standard-library one agree.

The property tests are derandomized: a tolerance test that drew new cases at each run could
fail one run in many on a case nobody changed, and a flaky test is a failing test.
"""

import math

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from survey.stats import betainc, betaincinv, intervals, korn_graubard, t_quantile

needs_scipy = pytest.mark.skipif("scipy" not in intervals.BACKENDS, reason="SciPy not installed")


def both(function, *args):
    """Return function(*args) computed by SciPy and by the standard-library code."""
    default = intervals.backend()
    try:
        results = []
        for name in ("scipy", "python"):
            intervals.use_backend(name)
            results.append(function(*args))
        return results
    finally:
        intervals.use_backend(default)


def same(x, y):
    """Return whether two results agree: 0, 1, inf and NaN exactly, other values to 1e-12."""
    if isinstance(x, tuple):
        return all(same(u, v) for u, v in zip(x, y, strict=True))
    if x != x or y != y:
        return x != x and y != y
    if x in (0.0, 1.0, math.inf) or y in (0.0, 1.0, math.inf):
        return x == y
    return x == pytest.approx(y, rel=1e-12)


probabilities = (
    st.floats(1e-300, 1.0, exclude_max=True)
    | st.floats(1e-300, 1e-3).map(lambda t: 1.0 - t)
    | st.sampled_from([0.025, 0.975, 1e-250, 1e-10, 1.0 - 1e-10, 1.0 - 2.0**-53])
)


def conditioning(p, x, a, b):
    """Return how far x moves when p moves by a few ulps: 8 ulp(p) / density(x)."""
    if not 0.0 < x < 1.0:
        return 0.0
    log_f = (a - 1.0) * math.log(x) + (b - 1.0) * math.log1p(-x) - intervals._log_beta(a, b)
    return 8.0 * math.ulp(p) * math.exp(min(-log_f, 700.0))


@needs_scipy
@settings(max_examples=400, deadline=None, derandomize=True)
@given(p=probabilities, a=st.floats(1.0, 1e5), b=st.floats(1.0, 1e5))
@example(p=0.975, a=1.0, b=1e5)
@example(p=0.025, a=1e5, b=1.0)
@example(p=1e-250, a=3.0, b=2e4)
@example(p=0.9044295368042498, a=1.0, b=51534.5)
def test_backends_agree_on_the_beta_quantile(p, a, b):
    # 1e-12 relative, plus the standard-library front factor's 1e-16 (a + b) (at a = 1,
    # b = 51534.5 it is 1.4e-12 off the exact 1 - (1 - p)^(1/b), SciPy 1e-16), widened only
    # where the quantile is ill-conditioned (near p = 1 the density can be 1e-10, so a few
    # ulps of p move x further).
    fast, pure = both(betaincinv, p, a, b)
    rel = 1e-12 + 1e-16 * (a + b)
    assert abs(fast - pure) <= rel * pure + conditioning(p, pure, a, b) + 1e-300, (fast, pure)


@needs_scipy
@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    p=probabilities,
    a=st.floats(1e-3, 1e7) | st.sampled_from([0.001, 0.0055, 0.5, 1e6, 1e7]),
    b=st.floats(1e-3, 1e7) | st.sampled_from([0.001, 0.0055, 0.5, 1e6, 1e7]),
)
@example(p=2.0827286188430656e-293, a=623.8372633915608, b=27.009549455996424)
@example(p=0.5, a=0.0055, b=0.0055)
@example(p=0.975, a=1000.0, b=1e6)
@example(p=0.9375, a=0.5, b=29773.0)
def test_backends_agree_on_extreme_beta_quantiles(p, a, b):
    # With a or b below 1 or a + b up to 1e7 the standard-library code itself is off by up to
    # 2e-9 relative (its Halley stop and log-space front factor; SciPy is the closer of the two
    # on every case checked at 40 digits), so the backends agree to 1e-8 there.
    fast, pure = both(betaincinv, p, a, b)
    assert 0.0 <= fast <= 1.0
    assert abs(fast - pure) <= 1e-8 * pure + conditioning(p, pure, a, b) + 1e-300, (fast, pure)


@needs_scipy
@settings(max_examples=300, deadline=None, derandomize=True)
@given(x=st.floats(0.0, 1.0), a=st.floats(1e-3, 1e5), b=st.floats(1e-3, 1e5))
@example(x=0.5, a=68883.0, b=60046.0)
@example(x=5e-324, a=0.015625, b=2.0)
def test_backends_agree_on_the_incomplete_beta(x, a, b):
    # The standard-library front factor exp(a log x + b log(1 - x) - log B) keeps about
    # 1e-16 (a + b) relative, hence the absolute 1e-11 (R's fixtures check 1e-9 relative).
    fast, pure = both(betainc, x, a, b)
    assert fast == pytest.approx(pure, rel=1e-12, abs=1e-11)


@needs_scipy
@pytest.mark.parametrize(
    ("share", "variance", "n"),
    [(0.3, 0.01, 40), (0.02, 1e-4, 300), (0.999, 1e-6, 1500), (0.5, 2.5e-7, 10**6)],
)
def test_backends_agree_on_korn_graubard_intervals(share, variance, n):
    fast, pure = both(korn_graubard, share, variance, n)
    assert fast.n_eff == pure.n_eff
    assert fast.lower == pytest.approx(pure.lower, rel=1e-12)
    assert fast.upper == pytest.approx(pure.upper, rel=1e-12)


@needs_scipy
@pytest.mark.parametrize(
    ("share", "variance", "n"),
    [
        (0.0, 0.0, 40),  # x = 0
        (1.0, 0.0, 40),  # x = n
        (1.0000000000000004, 1.6567894613191855e-16, 1),  # a share rounded past 1 (4395bac)
        (-1e-17, 1e-3, 40),
        (math.nan, 1e-3, 40),
        (0.5, math.nan, 40),
        (0.5, 1e-3, math.inf),
    ],
)
def test_korn_graubard_edges_are_the_same_on_both_backends(share, variance, n):
    fast, pure = both(korn_graubard, share, variance, n)
    assert same(tuple(fast), tuple(pure)), (fast, pure)


NAN, INF = math.nan, math.inf


@needs_scipy
@pytest.mark.parametrize(
    "args",
    [(0.0, 2.0, 3.0), (1.0, 2.0, 3.0), (0.5, 0.0, 3.0), (0.5, 2.0, 0.0), (-0.1, 2.0, 3.0)]
    + [(1.1, 2.0, 3.0), (NAN, 2.0, 3.0), (0.5, NAN, 3.0), (0.5, 2.0, NAN), (0.5, INF, 3.0)]
    + [(0.5, 2.0, INF), (1e-300, 2.0, 3.0), (1e-260, 50.0, 3.0)],
)
def test_edges_and_non_finite_inputs_are_the_same_on_both_backends(args):
    assert same(*both(betaincinv, *args)), args
    assert same(*both(betainc, *args)), args


@needs_scipy
def test_scipy_is_the_default_when_installed():
    assert intervals.BACKENDS == ("scipy", "python")
    assert intervals.backend() == "scipy"


def test_an_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="not available"):
        intervals.use_backend("fortran")


@needs_scipy
def test_switching_backend_forgets_cached_intervals(monkeypatch):
    # An interval cached by one backend must not be served as the other's.
    both(korn_graubard, 0.37, 0.002, 90)
    calls = []
    real = intervals._scipy_betaincinv
    monkeypatch.setattr(intervals, "_scipy_betaincinv", lambda *a: calls.append(a) or real(*a))
    default = intervals.backend()
    try:
        intervals.use_backend("scipy")
        korn_graubard(0.37, 0.002, 90)
        t_quantile(0.975, 17)
    finally:
        intervals.use_backend(default)
    assert len(calls) == 3
