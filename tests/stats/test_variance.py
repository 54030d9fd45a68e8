"""Linearization variance, composites and province combination against R's survey."""

import json
import pathlib

import pytest

from survey.stats import (
    combine,
    estimate_from,
    linear_combination,
    linearize_mean,
    mean_estimate,
    proportion_estimate,
    rake,
    scaled_average,
)

FIXTURES = pathlib.Path(__file__).parents[1] / "fixtures" / "r"
# Every test here runs on SciPy and on the standard-library incomplete beta (conftest.py).
pytestmark = pytest.mark.usefixtures("beta_backend")


def load(name):
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def check_prop(est, want):
    assert est.estimate == pytest.approx(want["estimate"], rel=1e-8)
    assert est.se == pytest.approx(want["se"], rel=1e-8)
    assert est.lower == pytest.approx(want["lower"], abs=1e-6)
    assert est.upper == pytest.approx(want["upper"], abs=1e-6)
    assert est.n_eff == pytest.approx(min(want["n_eff_r"], est.n_item), rel=1e-8)


def check_mean(est, want):
    assert est.estimate == pytest.approx(want["estimate"], rel=1e-8)
    assert est.se == pytest.approx(want["se"], rel=1e-8)
    assert est.lower == pytest.approx(want["lower"], abs=1e-6)
    assert est.upper == pytest.approx(want["upper"], abs=1e-6)


def test_worked_example_missing_answer_keeps_unit_n():
    f = load("worked_example")
    check_prop(proportion_estimate(f["q1"], f["weights"]), f["q1_est"])
    est = mean_estimate(f["q2"], f["weights"])
    check_mean(est, f["q2_est"])
    assert (est.n, est.n_item) == (20, 19)
    check_prop(proportion_estimate(f["q1"], f["trim_weights"]), f["q1_trim"])


def test_missing_answers_at_scale():
    f = load("missing")
    y = proportion_estimate(f["y"], f["weights"])
    check_prop(y, f["y_est"])
    assert y.n == f["n_rows"] > y.n_item
    check_mean(mean_estimate(f["likert"], f["weights"]), f["likert_est"])


@pytest.mark.parametrize("size", ["n200", "n2000"])
def test_realistic_sizes(size):
    f = load("sizes")
    c = f[size]
    w = rake({"sex": c["sex"], "age": c["age"]}, f["margins"], cap=None)
    assert w.kish_n == pytest.approx(c["kish_n"], rel=1e-8)
    check_prop(proportion_estimate(c["y"], w.weights), c["y_est"])
    check_mean(mean_estimate(c["likert"], w.weights), c["likert_est"])


def test_collapse_and_trimming_estimates():
    f = load("collapse")
    check_prop(proportion_estimate(f["y"], f["weights"]), f["y_est"])
    t = load("trimming")
    for case in ("skewed", "tight"):
        c = t[case]
        check_prop(proportion_estimate(c["y"], c["weights"]), c["y_est"])


def norm(values, fn):
    return [None if v is None else fn(v) for v in values]


def test_composite_matches_svycontrast_over_svyratio():
    f = load("composite")
    w = f["weights"]
    parts = [
        linearize_mean(norm(f["know"], float), w),
        linearize_mean(norm(f["fee"], lambda v: 1.0 - v), w),
        linearize_mean(norm(f["rate"], lambda v: (v - 1) / 4), w),
        linearize_mean(norm(f["score"], lambda v: v / 10), w),
    ]
    for p, mean, se in zip(parts, f["item_means"], f["item_ses"], strict=True):
        assert p.estimate == pytest.approx(mean, rel=1e-8)
        assert p.se == pytest.approx(se, rel=1e-8)
    sub = scaled_average(parts, 0.25, 2.5)
    assert sub.estimate == pytest.approx(f["sub"], rel=1e-8)
    assert sub.se == pytest.approx(f["sub_se"], rel=1e-8)
    dim = linear_combination([sub, scaled_average([parts[0], parts[2]], 0.25, 2.5)])
    assert dim.estimate == pytest.approx(f["dim"], rel=1e-8)
    assert dim.se == pytest.approx(f["dim_se"], rel=1e-8)
    est = estimate_from(dim)
    assert est.lower < dim.estimate < est.upper


def test_scaled_average_skips_items_without_answers():
    w = [1.0, 2.0, 1.0]
    empty = linearize_mean([None, None, None], w)
    full = linearize_mean([0.0, 1.0, 1.0], w)
    assert empty.estimate is None and empty.variance is None
    sub = scaled_average([empty, full], 1.0, 10.0)
    assert sub.estimate == pytest.approx(1 + 9 * 0.75)
    assert scaled_average([empty], 1.0, 10.0).estimate is None


def test_province_combination_matches_svyby_svycontrast():
    f = load("province")
    ests, variances, lik_e, lik_v = [], [], [], []
    for ward in f["wards"]:
        w = rake({"sex": ward["sex"], "age": ward["age"]}, ward["margins"], cap=None).weights
        y = linearize_mean(ward["y"], w)
        lik = linearize_mean(ward["likert"], w)
        ests.append(y.estimate)
        variances.append(y.variance)
        lik_e.append(lik.estimate)
        lik_v.append(lik.variance)
    for got, want in zip(ests, f["ward_y"], strict=True):
        assert got == pytest.approx(want, rel=1e-8)
    for got, want in zip(variances, f["ward_y_var"], strict=True):
        assert got == pytest.approx(want, rel=1e-8)
    # The twelfth ward has no respondents.
    comb = combine(f["populations"], [*ests, None], [*variances, None])
    assert comb.estimate == pytest.approx(f["y"], rel=1e-8)
    assert comb.se == pytest.approx(f["y_se"], rel=1e-8)
    assert comb.coverage == pytest.approx(f["coverage"], rel=1e-12)
    assert comb.units == 11
    lik = combine(f["populations"], [*lik_e, None], [*lik_v, None])
    assert lik.estimate == pytest.approx(f["likert"], rel=1e-8)
    assert lik.se == pytest.approx(f["likert_se"], rel=1e-8)


def test_combine_without_data():
    assert combine([10, 20], [None, None], [None, None]).estimate is None
