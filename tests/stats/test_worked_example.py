"""The open worked example in docs/METHODOLOGY.md, with its published numbers."""

import pytest

from survey.stats import (
    proportion_estimate,
    proportion_flag,
    rake,
)

DATA = """
1,M,18-34,1,4   2,M,18-34,0,3   3,M,18-34,0,2   4,M,18-34,1,4   5,M,18-34,0,3
6,M,18-34,0,2   7,M,35-54,1,4   8,M,35-54,1,5   9,M,35-54,0,3  10,M,35-54,1,4
11,M,55+,1,5   12,M,55+,1,4   13,F,18-34,0,2  14,F,18-34,1,3  15,F,18-34,0,3
16,F,18-34,0,1 17,F,35-54,1,4 18,F,35-54,0,   19,F,35-54,1,5  20,F,55+,1,5
"""
MARGINS = {
    "gender": {"M": 4800, "F": 5200},
    "age": {"18-34": 3500, "35-54": 3800, "55+": 2700},
}
# Every test here runs on SciPy and on the standard-library incomplete beta (conftest.py).
pytestmark = pytest.mark.usefixtures("beta_backend")


@pytest.fixture
def ward():
    rows = [r.split(",") for r in DATA.split()]
    assert len(rows) == 20
    cats = {"gender": [r[1] for r in rows], "age": [r[2] for r in rows]}
    q1 = [int(r[3]) for r in rows]
    q2 = [int(r[4]) if r[4] else None for r in rows]
    return cats, q1, q2


def test_unweighted_share(ward):
    _, q1, _ = ward
    assert sum(q1) / len(q1) == 0.55


def test_published_numbers(ward):
    cats, q1, q2 = ward
    assert q2.count(None) == 1
    weights = rake(cats, MARGINS, cap=None)
    est = proportion_estimate(q1, weights.weights)
    assert est.estimate == pytest.approx(0.638604511, abs=1e-9)
    assert est.se == pytest.approx(0.114551111, abs=1e-9)
    assert weights.kish_n == pytest.approx(16.3726864, abs=1e-7)
    assert est.lower == pytest.approx(0.379968737, abs=1e-9)
    assert est.upper == pytest.approx(0.848995718, abs=1e-9)
    assert est.n_eff == pytest.approx(17.6, abs=0.05)
    flag = proportion_flag(est.estimate, est.lower, est.upper, est.n_item, est.n_eff)
    assert flag == "suppressed_n_eff"


def test_default_cap_does_not_bind(ward):
    cats, _, _ = ward
    assert rake(cats, MARGINS).capped == 0
