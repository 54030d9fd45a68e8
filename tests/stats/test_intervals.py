"""Incomplete beta, t quantiles and Korn-Graubard against R."""

import json
import pathlib

import pytest

from survey.stats import betainc, betaincinv, korn_graubard, t_interval, t_quantile

FIXTURES = pathlib.Path(__file__).parents[1] / "fixtures" / "r"
# Every test here runs on SciPy and on the standard-library code (conftest.py).
pytestmark = pytest.mark.usefixtures("beta_backend")


def load(name):
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def test_pbeta_and_qbeta_match_r():
    f = load("special")
    for p, a, b, q, x, pb in zip(
        f["p"], f["a"], f["b"], f["qbeta"], f["x"], f["pbeta"], strict=True
    ):
        assert betaincinv(p, a, b) == pytest.approx(q, rel=1e-10, abs=1e-300), (p, a, b)
        assert betainc(x, a, b) == pytest.approx(pb, rel=1e-9, abs=1e-14), (x, a, b)


def test_qt_matches_r():
    f = load("special")
    for df, q975, q95, q0001 in zip(f["df"], f["qt975"], f["qt95"], f["qt0001"], strict=True):
        assert t_quantile(0.975, df) == pytest.approx(q975, rel=1e-10), df
        assert t_quantile(0.95, df) == pytest.approx(q95, rel=1e-10), df
        assert t_quantile(1e-4, df) == pytest.approx(q0001, rel=1e-10), df


def test_svyciprop_ignores_df_argument():
    # R's beta method uses degf(design), not its df argument: df = 10 changes nothing.
    f = load("missing")
    assert f["y_est_df10"]["lower"] == pytest.approx(f["y_est"]["lower"], abs=1e-12)
    assert f["y_est_df10"]["upper"] == pytest.approx(f["y_est"]["upper"], abs=1e-12)


def test_svyciprop_design_df_factor():
    # R multiplies n* by (qt(alpha/2, nrow - 1) / qt(alpha/2, degf(design)))^2.
    f = load("missing")
    c = f["clustered"]
    kg = korn_graubard(c["estimate"], c["variance"], 10**9, df=c["df"], n_rows=f["n_rows"])
    assert c["df"] == 29
    assert kg.lower == pytest.approx(c["lower"], abs=1e-6)
    assert kg.upper == pytest.approx(c["upper"], abs=1e-6)


def test_extreme_proportions_use_n():
    lo, hi, n_eff = korn_graubard(0.0, 0.0, 40)
    assert (lo, n_eff) == (0.0, 40)
    assert hi == pytest.approx(1 - 0.025 ** (1 / 40), rel=1e-10)
    lo, hi, _ = korn_graubard(1.0, 0.0, 40)
    assert hi == 1.0
    assert lo == pytest.approx(0.025 ** (1 / 40), rel=1e-10)


def test_n_eff_is_capped_at_n():
    assert korn_graubard(0.5, 0.25 / 500, 100).n_eff == 100


def test_t_interval():
    lo, hi = t_interval(3.0, 0.5, 19)
    assert hi - 3.0 == pytest.approx(0.5 * 2.0930240544083092, rel=1e-12)
    assert 3.0 - lo == pytest.approx(hi - 3.0)


@pytest.mark.parametrize(
    "p, variance, n, edge",
    [(1.0000000000000004, 1.6567894613191855e-16, 1, 1.0), (1 + 2e-16, 1e-3, 40, 1.0)]
    + [(-1e-17, 1e-3, 40, 0.0)],
)
def test_a_share_rounded_past_its_end_gets_the_interval_of_the_end(p, variance, n, edge):
    """A top-two share summed apart from its base came out at 1 + 4e-16 and crashed qbeta."""
    assert korn_graubard(p, variance, n) == korn_graubard(edge, 0.0, n)
