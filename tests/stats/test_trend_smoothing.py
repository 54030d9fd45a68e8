"""Trends, Benjamini-Hochberg, shrinkage and Fay-Herriot against R."""

import json
import math
import pathlib

import pytest

from survey.stats import bh_adjust, change, changed, fay_herriot, shrink

FIXTURES = pathlib.Path(__file__).parents[1] / "fixtures" / "r"
# Every test here runs on SciPy and on the standard-library incomplete beta (conftest.py).
pytestmark = pytest.mark.usefixtures("beta_backend")


def load(name):
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def test_bh_matches_p_adjust():
    f = load("trend")
    got = bh_adjust(f["p"])
    for g, w in zip(got, f["bh"], strict=True):
        assert (g is None) == (w is None)
        if w is not None:
            assert g == pytest.approx(w, rel=1e-12)


def test_change_matches_r():
    f = load("trend")
    for i in range(len(f["e1"])):
        c = change(f["e1"][i], f["v1"][i], f["e2"][i], f["v2"][i])
        assert c.difference == pytest.approx(f["e2"][i] - f["e1"][i], rel=1e-12)
        assert c.se == pytest.approx(math.sqrt(f["v1"][i] + f["v2"][i]), rel=1e-12)
        assert c.p_value == pytest.approx(f["diff_p"][i], rel=1e-9)
        assert c.lower == pytest.approx(f["lower"][i], abs=1e-10)
        assert c.upper == pytest.approx(f["upper"][i], abs=1e-10)


def test_changed_needs_both_periods_reliable():
    assert changed(0.01, "ok", "review_complement")
    assert not changed(0.01, "ok", "suppressed_n_eff")
    assert not changed(0.2, "ok", "ok")


def test_shrinkage_matches_beta_posterior():
    f = load("shrink")
    for i in range(len(f["p"])):
        s = shrink(f["p"][i], f["n_eff"][i], f["prior"][i], m=f["m"])
        assert s.estimate == pytest.approx(f["estimate"][i], rel=1e-12)
        assert s.lower == pytest.approx(f["lower"][i], abs=1e-9)
        assert s.upper == pytest.approx(f["upper"][i], abs=1e-9)
    assert shrink(None, 0, 0.4).estimate == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("case", "p", "covariate"),
    [
        ("slope", "p", "x"),
        ("intercept_only", "p", None),
        ("flat", "p_flat", "x"),
    ],
)
def test_fay_herriot_matches_r_reml(case, p, covariate):
    f = load("fay_herriot")
    want = f[case]
    fit = fay_herriot(f[p], f["n_eff"], f[covariate] if covariate else None)
    assert fit.variance == pytest.approx(want["A"], rel=1e-6, abs=1e-12)
    assert fit.beta == pytest.approx(want["beta"], rel=1e-7)
    assert fit.theta == pytest.approx(want["theta"], rel=1e-8)
    assert fit.mse == pytest.approx(want["mse"], rel=1e-6)


def test_fay_herriot_area_without_data_gets_synthetic():
    f = load("fay_herriot")
    p = list(f["p"])
    p[0] = None
    fit = fay_herriot(p, f["n_eff"], f["x"])
    assert fit.areas[0].weight == 0.0
    assert fit.theta[0] == pytest.approx(fit.beta[0] + fit.beta[1] * f["x"][0])
