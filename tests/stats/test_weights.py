"""Raking, collapsing and trimming against R's calibrate()."""

import json
import pathlib

import pytest

from survey.stats import RakingError, kish_effective_n, rake, unweighted

FIXTURES = pathlib.Path(__file__).parents[1] / "fixtures" / "r"


def load(name):
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def assert_close(got, want, rel=1e-8):
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g == pytest.approx(w, rel=rel)


def test_worked_example_weights_match_r():
    f = load("worked_example")
    res = rake({"gender": f["gender"], "age": f["age"]}, f["margins"], cap=None)
    assert res.weighted
    assert_close(res.weights, f["weights"])
    assert res.kish_n == pytest.approx(f["kish_n"], rel=1e-9)
    assert res.max_mean_ratio == pytest.approx(f["max_mean"], rel=1e-9)


def test_worked_example_trimmed_at_two_matches_r_bounds():
    f = load("worked_example")
    res = rake({"gender": f["gender"], "age": f["age"]}, f["margins"], cap=f["trim_k"])
    assert_close(res.weights, f["trim_weights"])
    assert res.max_mean_ratio == pytest.approx(2.0, rel=1e-9)
    assert res.capped == 1


@pytest.mark.parametrize("case", ["skewed", "tight"])
def test_trimming_matches_r_calibrate_bounds(case):
    f = load("trimming")
    c = f[case]
    res = rake({"sex": c["sex"], "age": c["age"]}, f["margins"], cap=c["k"])
    assert_close(res.weights, c["weights"])
    assert res.capped == c["capped"] > 0
    assert res.max_mean_ratio == pytest.approx(c["k"], rel=1e-9)
    for variable, margin in f["margins"].items():
        for category, population in margin.items():
            total = sum(w for w, v in zip(res.weights, c[variable], strict=True) if v == category)
            assert total == pytest.approx(population, rel=1e-10)


def test_skewed_sample_binds_only_when_cap_below_free_max():
    f = load("trimming")
    c = f["skewed"]
    free = rake({"sex": c["sex"], "age": c["age"]}, f["margins"], cap=None)
    assert_close(free.weights, c["weights_free"])
    assert free.max_mean_ratio > 5
    loose = rake({"sex": c["sex"], "age": c["age"]}, f["margins"], cap=6)
    assert loose.capped == 0
    assert loose.weights == free.weights


def test_infeasible_cap_names_the_category():
    f = load("trimming")
    c = f["skewed"]
    with pytest.raises(RakingError) as err:
        rake({"sex": c["sex"], "age": c["age"]}, f["margins"], cap=3)
    assert err.value.variable == "age"
    assert err.value.category == "60+"
    assert "age=60+" in str(err.value)


def test_collapse_matches_r_with_manually_merged_categories():
    f = load("collapse")
    cats = {v: f[v] for v in ("sex", "age", "edu")}
    res = rake(cats, f["margins"], cap=None)
    assert_close(res.weights, f["weights"])
    assert [tuple(c) for c in res.collapsed] == [
        ("age", "30-44", "45-59"),
        ("edu", "tertiary", "secondary"),
    ]


@pytest.mark.parametrize("name", ["missing", "composite"])
def test_realistic_sizes_match_r(name):
    f = load(name)
    res = rake({"sex": f["sex"], "age": f["age"]}, f["margins"], cap=None)
    assert_close(res.weights, f["weights"])


def test_non_convergence_names_the_category():
    # Only (M, young) and (F, old) answered: the margins cannot both be met.
    cats = {"sex": ["M", "M", "F", "F"], "age": ["young", "young", "old", "old"]}
    margins = {"sex": {"M": 60, "F": 40}, "age": {"young": 50, "old": 50}}
    with pytest.raises(RakingError) as err:
        rake(cats, margins, cap=None, max_iter=200)
    assert "did not converge" in str(err.value)
    assert err.value.variable in ("sex", "age")
    assert err.value.category in ("M", "F", "young", "old")


def test_unknown_category_and_unequal_totals_are_errors():
    margins = {"sex": {"M": 60, "F": 40}, "age": {"young": 50, "old": 50}}
    with pytest.raises(RakingError, match="'X'"):
        rake({"sex": ["M", "X"], "age": ["young", "old"]}, margins)
    with pytest.raises(RakingError, match="margins total"):
        rake({"sex": ["M", "F"], "age": ["young", "old"]}, {**margins, "age": {"young": 1}})


def test_first_and_last_empty_categories_join_their_neighbour():
    cats = {"age": ["b", "b", "c", "c"]}
    margins = {"age": {"a": 10, "b": 20, "c": 30, "d": 40}}
    res = rake(cats, margins)
    assert [tuple(c) for c in res.collapsed] == [("age", "a", "b"), ("age", "d", "c")]
    assert res.weights == pytest.approx([15, 15, 35, 35])


def test_no_margins_gives_flagged_equal_weights():
    res = rake({"sex": ["M", "F", "F"]}, None)
    assert not res.weighted
    assert res.weights == [1.0, 1.0, 1.0]
    assert unweighted(3) == res
    assert kish_effective_n([1.0, 1.0, 2.0]) == pytest.approx(16 / 6)


def test_base_weights_cap_applies_to_final_weights():
    cats = {"sex": ["M"] * 3 + ["F"] * 7}
    margins = {"sex": {"M": 500, "F": 500}}
    res = rake(cats, margins, base_weights=[1, 2, 3, 1, 1, 1, 1, 1, 1, 1])
    assert sum(res.weights) == pytest.approx(1000, rel=1e-12)
    assert res.weights[:3] == pytest.approx([500 / 6, 1000 / 6, 1500 / 6])


AGES = ["18-29", "30-39", "40-49", "50-59", "60+"]
SPARSE_MARGINS = {
    "sex": {"M": 4800, "F": 5200},
    "age": dict(zip(AGES, [2500, 2200, 2000, 1800, 1500], strict=True)),
}


def sparse(pairs):
    return {"sex": [s for s, _ in pairs], "age": [a for _, a in pairs]}


def test_sparse_ward_rakes_exactly_in_a_few_steps():
    # Five answers from a quarter: IPF crawled (500 sweeps) to 100.0000005 for the lone
    # older man; the margins force exactly 100 (4,800 men less the 4,700 young ones).
    cats = sparse([("F", "50-59"), ("F", "50-59"), ("F", "60+"), ("M", "30-39"), ("M", "60+")])
    res = rake(cats, SPARSE_MARGINS, cap=None)
    assert res.iterations <= 10
    assert res.weights == pytest.approx([1900, 1900, 1400, 4700, 100], rel=1e-12)


def test_groups_linked_only_to_each_other_must_hold_the_same_population():
    # The only man is young and the only young person is a man: 4,800 men cannot be 4,700
    # young people (18-29 and the empty 30-39 joined); likewise 5,200 women are not the
    # 5,300 people aged 40 and over.
    cats = sparse([("F", "50-59"), ("F", "40-49"), ("M", "30-39")])
    with pytest.raises(RakingError) as err:
        rake(cats, SPARSE_MARGINS, cap=None)
    assert "did not converge" in str(err.value)
    assert (err.value.variable, err.value.category) in {
        ("sex", "M"),
        ("sex", "F"),
        ("age", "30-39"),
        ("age", "40-49"),
        ("age", "50-59"),
    }


@pytest.mark.parametrize(
    "pairs",
    [
        # Women would have to be 5,700 (all of 30-39, 40-49 and 60+), but are 5,200.
        [("F", "30-39"), ("F", "40-49"), ("F", "50-59"), ("F", "60+"), ("M", "18-29")]
        + [("M", "50-59")],
        [("F", "18-29"), ("M", "18-29"), ("M", "40-49")],
    ],
)
def test_margins_no_positive_weights_meet_are_refused(pairs):
    with pytest.raises(RakingError, match="did not converge"):
        rake(sparse(pairs), SPARSE_MARGINS, cap=None)


def test_margins_met_only_with_a_zero_weight_are_refused():
    # Men are 60 and the young are 60, but the young woman must then weigh nothing.
    cats = {"sex": ["M", "F", "F"], "age": ["young", "young", "old"]}
    margins = {"sex": {"M": 60, "F": 40}, "age": {"young": 60, "old": 40}}
    with pytest.raises(RakingError, match="zero weight"):
        rake(cats, margins, cap=None)


def test_a_category_with_answers_but_no_population_joins_its_neighbour():
    # The margins say no one aged 60+ lives here, yet two answered: they cannot be weighted
    # to nobody, so 60+ joins 45-59 as an empty category would, and the ward stays weighted.
    cats = {"age": ["18-44"] * 3 + ["45-59"] * 3 + ["60+"] * 2}
    margins = {"age": {"18-44": 600, "45-59": 400, "60+": 0}}
    res = rake(cats, margins, cap=None)
    assert res.weighted
    assert [tuple(c) for c in res.collapsed] == [("age", "60+", "45-59")]
    assert res.weights == pytest.approx([200] * 3 + [80] * 5, rel=1e-12)
    with pytest.raises(RakingError, match="zero population"):
        rake({"age": ["60+"]}, margins, cap=None)
