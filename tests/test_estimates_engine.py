"""Stored responses -> estimates agree with the R survey fixtures (tests/fixtures/r)."""

import json
from pathlib import Path

import pytest
from estimates_helpers import rows_by, tiny, worked_example

from survey.estimation import parse_periods, run
from survey.stats import intervals
from tests.factories import make_margins, make_response, make_wards

FIXTURES = Path(__file__).parent / "fixtures" / "r"


@pytest.fixture(autouse=True, params=intervals.BACKENDS)
def beta_backend(request):
    """Run every R comparison with each incomplete-beta backend (SciPy and Python)."""
    default = intervals.backend()
    intervals.use_backend(request.param)
    yield request.param
    intervals.use_backend(default)


def fixture(name):
    """Return an R fixture."""
    return json.loads((FIXTURES / f"{name}.json").read_text())


@pytest.fixture
def example(db):
    """Store the worked example as one ward's responses in 2026-Q1, with its margins."""
    fx = fixture("worked_example")
    people, margins = worked_example(fx)
    make_wards(db)
    make_margins(db, {"26734": margins})
    for answers in people:
        make_response(db, "26734", answers=answers, questionnaire_id="tiny")
    return fx


def estimates(db, period="2026-Q1", **options):
    """Return every row of the tiny questionnaire for a period."""
    options.setdefault("all_intervals", True)
    options.setdefault("reveal_suppressed", True)  # R agreement covers suppressed cells too
    return list(run(db, tiny(), [parse_periods(period)], **options))


def test_worked_example_share_agrees_with_r(db, example):
    """q1 share 'yes' matches svymean and svyciprop(method = 'beta')."""
    [row] = rows_by(estimates(db), unit_type="ward", key="q1", option="yes")
    r = example["q1_est"]
    assert row["estimate"] == pytest.approx(r["estimate"], abs=1e-8)
    assert row["se"] == pytest.approx(r["se"], abs=1e-8)
    assert row["ci_lower"] == pytest.approx(r["lower"], abs=1e-6)
    assert row["ci_upper"] == pytest.approx(r["upper"], abs=1e-6)
    assert row["n_eff"] == pytest.approx(r["n_eff_r"], rel=1e-6)
    assert row["flag"] == "suppressed_n_eff" and row["shown"] == 0
    assert row["weighted"] == 1 and row["unit_kish_n"] == pytest.approx(example["kish_n"])


def test_worked_example_mean_with_missing_answer(db, example):
    """q2 (respondent 18 blank) mean and t interval match svymean(na.rm = TRUE)."""
    [row] = rows_by(estimates(db), unit_type="ward", key="q2", statistic="mean")
    r = example["q2_est"]
    assert row["n"] == 20 and row["n_item"] == 19
    assert row["estimate"] == pytest.approx(r["estimate"], abs=1e-8)
    assert row["se"] == pytest.approx(r["se"], abs=1e-8)
    assert row["ci_lower"] == pytest.approx(r["lower"], abs=1e-6)
    assert row["ci_upper"] == pytest.approx(r["upper"], abs=1e-6)


def test_excluded_responses_never_count_and_flagged_are_optional(db, example):
    """An excluded response changes nothing; a flagged one counts unless asked not to."""
    make_response(
        db,
        "26734",
        answers={"sex": "m", "age_band": "a18_34", "q1": "yes"},
        review_status="excluded",
        questionnaire_id="tiny",
    )
    make_response(
        db,
        "26734",
        answers={"sex": "m", "age_band": "a18_34", "q1": "yes"},
        flags=["too_fast"],
        questionnaire_id="tiny",
    )
    [kept] = rows_by(estimates(db), unit_type="ward", key="q1", option="yes")
    [left] = rows_by(estimates(db, include_flagged=False), unit_type="ward", key="q1", option="yes")
    assert kept["n"] == 21 and kept["include_flagged"] == 1
    assert left["n"] == 20 and left["include_flagged"] == 0
    assert left["estimate"] == pytest.approx(example["q1_est"]["estimate"], abs=1e-8)


def test_period_is_local_time(db, example):
    """23:30 UTC on 31 March is 1 April in Vietnam: it belongs to Q2."""
    make_response(
        db,
        "26734",
        answers={"sex": "m", "age_band": "a18_34", "q1": "yes"},
        submitted_at="2026-03-31T23:30:00+00:00",
        questionnaire_id="tiny",
    )
    q1 = rows_by(estimates(db), unit_type="ward", key="q1", option="yes")[0]
    q2 = rows_by(estimates(db, "2026-Q2"), unit_type="ward", key="q1", option="yes")[0]
    assert (q1["n"], q2["n"]) == (20, 1)
    assert q2["flag"] == "hidden_small_cell" and q2["estimate"] is None


def test_no_margins_is_unweighted_and_says_so(db):
    """Without margins the unweighted share is reported, flagged as unweighted."""
    fx = fixture("worked_example")
    people, _ = worked_example(fx)
    make_wards(db)
    for answers in people:
        make_response(db, "26734", answers=answers, questionnaire_id="tiny")
    [row] = rows_by(estimates(db), unit_type="ward", key="q1", option="yes")
    assert row["estimate"] == pytest.approx(0.55)
    assert row["weighted"] == 0 and row["weighting_note"] == "no_margins"


def test_refused_sex_is_imputed_and_noted(db, example):
    """A respondent who refused sex is raked in the modal category, and the note counts it."""
    make_response(
        db,
        "26734",
        answers={"sex": "refused", "age_band": "a18_34", "q1": "no"},
        questionnaire_id="tiny",
    )
    [row] = rows_by(estimates(db), unit_type="ward", key="q1", option="yes")
    assert row["n"] == 21 and "imputed_sex=1" in row["weighting_note"]


def test_province_from_wards_agrees_with_r(db):
    """Wards raked separately, then combined by population: matches the R fixture."""
    fx = fixture("province")
    codes = [f"{26000 + i}" for i in range(len(fx["populations"]))]
    make_wards(db, wards=codes, populations=fx["populations"])
    margins = {}
    for code, ward in zip(codes, fx["wards"], strict=False):
        sex = ward["margins"]["sex"]
        margins[code] = {
            "sex": {"m": sex["nam"], "f": sex["nu"]},
            "age_band": {FOUR[k]: v for k, v in ward["margins"]["age"].items()},
        }
        for s, a, y in zip(ward["sex"], ward["age"], ward["y"], strict=True):
            make_response(
                db,
                code,
                answers={
                    "sex": "m" if s == "nam" else "f",
                    "age_band": FOUR[a],
                    "q1": "yes" if y else "no",
                },
                questionnaire_id="tiny",
            )
    make_margins(db, margins)
    rows = list(
        run(db, tiny(four_bands=True), [parse_periods("2026-Q1")], cap=None, reveal_suppressed=True)
    )
    wards = rows_by(rows, unit_type="ward", key="q1", option="yes")
    assert [r["estimate"] for r in wards] == pytest.approx(fx["ward_y"], abs=1e-8)
    assert [r["se"] ** 2 for r in wards] == pytest.approx(fx["ward_y_var"], abs=1e-10)
    [province] = rows_by(rows, unit_type="province", key="q1", option="yes")
    assert province["estimate"] == pytest.approx(fx["y"], abs=1e-8)
    assert province["se"] == pytest.approx(fx["y_se"], abs=1e-8)
    assert province["coverage"] == pytest.approx(fx["coverage"], abs=1e-8)


FOUR = {"18-29": "a18_29", "30-44": "a30_44", "45-59": "a45_59", "60+": "a60_plus"}


def test_a_lonely_ward_scales_the_province_variance_as_r_average(db):
    """A ward with one respondent keeps the province's SE: R's lonely.psu = "average"."""
    fx = fixture("province")
    lonely = fixture("lonely")
    codes = [f"{26000 + i}" for i in range(len(fx["populations"]))]
    make_wards(db, wards=codes, populations=fx["populations"])
    margins = {}
    wards = [*fx["wards"], {**lonely["respondent"], "margins": None}]
    for code, ward in zip(codes, wards, strict=True):
        people = ward["sex"], ward["age"], ward["y"], ward["likert"]
        if ward["margins"] is None:  # one respondent: raking gives them the population
            people = tuple([value] for value in people)
        else:
            sex = ward["margins"]["sex"]
            margins[code] = {
                "sex": {"m": sex["nam"], "f": sex["nu"]},
                "age_band": {FOUR[k]: v for k, v in ward["margins"]["age"].items()},
            }
        for s, a, y, likert in zip(*people, strict=True):
            answers = {"sex": "m" if s == "nam" else "f", "age_band": FOUR[a]}
            make_response(
                db,
                code,
                answers={**answers, "q1": "yes" if y else "no", "q2": str(likert)},
                questionnaire_id="tiny",
            )
    make_margins(db, margins)
    rows = list(run(db, tiny(four_bands=True), [parse_periods("2026-Q1")], cap=None))
    [lone] = rows_by(rows, unit_type="ward", unit_code=codes[-1], key="q1", option="yes")
    assert lone["n"] == 1 and lone["se"] is None
    [province] = rows_by(rows, unit_type="province", key="q1", option="yes")
    assert province["estimate"] == pytest.approx(lonely["y"], abs=1e-12)
    assert province["se"] == pytest.approx(lonely["y_se"], abs=1e-12)
    [mean] = rows_by(rows, unit_type="province", key="q2", statistic="mean")
    assert mean["estimate"] == pytest.approx(lonely["likert"], abs=1e-12)
    assert mean["se"] == pytest.approx(lonely["likert_se"], abs=1e-12)


def test_everyone_and_no_one_get_the_same_flag(db):
    """A share of 1 and its mirror share of 0 are exact, with no variance, flagged alike."""
    make_wards(db)
    make_margins(
        db,
        {
            "26734": {
                "sex": {"m": 4700, "f": 5300},
                "age_band": {"a18_34": 3100, "a35_54": 3900, "a55_plus": 3000},
            }
        },
    )
    bands = ["a18_34"] * 5 + ["a35_54"] * 2 + ["a55_plus"]
    for i in range(120):
        sex = "m" if i % 3 else "f"
        make_response(
            db,
            "26734",
            answers={"sex": sex, "age_band": bands[i % 8], "q1": "yes"},
            questionnaire_id="tiny",
        )
    rows = estimates(db)
    [yes] = rows_by(rows, unit_type="ward", key="q1", option="yes")
    [no] = rows_by(rows, unit_type="ward", key="q1", option="no")
    assert yes["weighted"] and yes["max_weight_ratio"] > 1.5
    assert (yes["estimate"], yes["se"]) == (1.0, 0.0)
    assert (no["estimate"], no["se"]) == (0.0, 0.0)
    assert yes["flag"] == no["flag"]
    assert 1.0 - yes["ci_lower"] == pytest.approx(no["ci_upper"], rel=1e-12)


def _two_wards(db, second_population):
    """Ward 26001 with margins and 40 answers; ward 26002 with 30 answers and no margins."""
    make_wards(db, wards=["26001", "26002"], populations=[None, second_population])
    make_margins(
        db,
        {
            "26001": {
                "sex": {"m": 4800, "f": 5200},
                "age_band": {"a18_34": 3000, "a35_54": 4000, "a55_plus": 3000},
            }
        },
    )
    bands = ["a18_34", "a35_54", "a55_plus"]
    for i in range(70):
        ward = "26001" if i < 40 else "26002"
        answers = {"sex": "mf"[i % 2], "age_band": bands[i % 3], "q1": "yes" if i % 4 else "no"}
        make_response(db, ward, answers=answers, questionnaire_id="tiny")
    return rows_by(estimates(db), unit_type="province", key="q1", option="yes")


def test_a_province_with_an_unweighted_ward_does_not_say_weighted(db):
    [province] = _two_wards(db, second_population=9000)
    assert province["wards_with_data"] == 2
    assert province["weighted"] == 0 and province["margin_set"] == ""
    assert "unweighted_wards=1" in province["weighting_note"]
    assert province["coverage"] == pytest.approx(1.0)


def test_a_ward_left_out_for_want_of_population_is_no_part_of_the_share(db):
    """The left-out ward is noted; the share is of Hồ Chí Minh City's shipped population."""
    [province] = _two_wards(db, second_population=None)
    assert province["wards_with_data"] == 1 and province["n"] == 40
    assert "wards_without_population=1" in province["weighting_note"]
    assert "population_base=nq202_2025_qh15" in province["weighting_note"]
    assert province["coverage"] == pytest.approx(10000 / 14_002_598)


def test_coverage_is_of_the_shipped_population_while_a_ward_has_none(db):
    """One ward of two answered and only its population is known: not "100 %", not unknown."""
    make_wards(db, wards=["26001", "26002"], populations=[10000, None])
    for i in range(40):
        make_response(
            db,
            "26001",
            answers={"sex": "mf"[i % 2], "age_band": "a18_34", "q1": "yes"},
            questionnaire_id="tiny",
        )
    [province] = rows_by(estimates(db), unit_type="province", key="q1", option="yes")
    assert province["coverage"] == pytest.approx(10000 / 14_002_598)


def test_a_ward_asked_alone_gets_the_rows_it_gets_among_its_province(db):
    """The ward page reads only its ward's answers and margins: the same numbers."""
    _two_wards(db, second_population=9000)
    full = rows_by(estimates(db, unit_types=("ward",)), unit_code="26001")
    alone = list(
        run(
            db,
            tiny(),
            [parse_periods("2026-Q1")],
            ("ward",),
            all_intervals=True,
            ward_scope=["26001"],
            provinces=["79"],
            reveal_suppressed=True,
        )
    )
    assert full and [dict(zip(full[0], row, strict=True)) for row in alone] == full
