"""Incomplete beta and its inverse at extreme parameters, against R (make_extreme_beta.R)."""

import json
import pathlib

import pytest

from survey.stats import betainc, betaincinv, intervals, korn_graubard

FIXTURE = pathlib.Path(__file__).parents[1] / "fixtures" / "r" / "extreme_beta.json"
# Every test here runs on SciPy and on the standard-library code (conftest.py).
pytestmark = pytest.mark.usefixtures("beta_backend")


def cases():
    f = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return list(zip(f["p"], f["a"], f["b"], f["qbeta"], f["x"], f["pbeta"], strict=True))


def test_qbeta_matches_r_at_extremes():
    # Below 1e-300 R's own qbeta is approximate (it returns 5.6e-309 for quantiles that
    # underflow); the absolute tolerance accepts 0 there, as in test_intervals.
    for p, a, b, q, _, _ in cases():
        assert betaincinv(p, a, b) == pytest.approx(q, rel=1e-10, abs=1e-300), (p, a, b)


def test_pbeta_matches_r_at_extremes():
    for _, a, b, _, x, pb in cases():
        assert betainc(x, a, b) == pytest.approx(pb, rel=1e-9, abs=1e-14), (x, a, b)


@pytest.mark.parametrize(
    ("share", "variance", "n"),
    [(3.66e-06, 2.66e-09, 1500), (8.4e-05, 1.03e-06, 60), (0.9966, 5.1e-05, 150)],
)
def test_korn_graubard_with_tiny_or_huge_counts(share, variance, n):
    # These once overflowed computing the beta density at a quantile near 1e-300.
    kg = korn_graubard(share, variance, n)
    assert 0.0 <= kg.lower <= share <= kg.upper <= 1.0


def test_inverse_needs_few_evaluations(monkeypatch):
    # Halley from the Numerical Recipes start: the engine's intervals cost 2-3 evaluations.
    calls = []
    real = intervals._betainc

    def counted(*args):
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(intervals, "_betainc", counted)
    shapes = [(0.025, n * s, n * (1 - s) + 1) for n in (30, 75, 300, 1500) for s in (0.1, 0.5)]
    shapes += [(0.975, n * s + 1, n * (1 - s)) for n in (30, 75, 300, 1500) for s in (0.1, 0.5)]
    for p, a, b in shapes:
        intervals._python_betaincinv(p, a, b)
    assert len(calls) <= 3 * len(shapes)
