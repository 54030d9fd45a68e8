"""A trend from a v1 quarter to a v2 quarter joins the same constructs and breaks the others."""

import io

import pytest

from survey import crosswalk
from survey import estimation as estimates
from survey.csvout import reader
from survey.questionnaire import get
from tests import v1_fixture
from tests.factories import make_export_places


@pytest.fixture
def two_versions(db):
    """v1 answers in 2026-Q1 and v2 answers in 2026-Q2, all in one ward: enough to be shown."""
    places = make_export_places(db)
    one_ward = dict.fromkeys("abc", places["a"])
    v1_fixture.stock(
        db, version=1, count=400, months=(2,), places=one_ward, fixed={"voted_in_person": "yes"}
    )
    v1_fixture.stock(
        db,
        version=2,
        count=400,
        months=(5,),
        places=one_ward,
        fixed={"lives_here": "yes", "voted_in_person": "yes"},
    )
    return db, places["a"]["ward_code"]


def _rows(db):
    q1, q2 = get("papi-pulse-core", 1), get("papi-pulse-core", 2)
    p1, p2 = estimates.parse_periods("2026-Q1"), estimates.parse_periods("2026-Q2")
    rows = crosswalk.trend(db, q1, p1, q2, p2, ("ward",))
    return {(r[3], r[4]): dict(zip(crosswalk.TREND_COLUMNS, r, strict=True)) for r in rows}


def test_same_construct_joins_with_a_change(two_versions):
    """voted_in_person is the same question, score and respondents: the trend continues."""
    db, _ = two_versions
    row = _rows(db)[("indicator", "voted_in_person")]
    assert row["trend"] == "joined" and row["earlier_version"] == 1 and row["later_version"] == 2
    assert row["earlier_key"] == "voted_in_person"
    assert row["change"] == pytest.approx(row["later_estimate"] - row["earlier_estimate"])
    assert row["change_se"] == 0  # everyone said yes in both quarters: shown, and exact


@pytest.mark.parametrize(
    ("level", "key"),
    [
        ("indicator", "feels_safe_share"),  # v1 averaged the scale, v2 counts "safe"
        ("indicator", "crime_victim"),  # v2 counts residents only
        ("indicator", "head_election_candidates"),  # v1 asked whoever said an election was held
        ("subdimension", "1.3"),
        ("dimension", "d1"),
    ],
)
def test_other_constructs_break_visibly(two_versions, level, key):
    """No change is computed, and the row says why."""
    db, _ = two_versions
    row = _rows(db)[(level, key)]
    assert row["trend"] == "break" and row["change"] == "" and row["break_reason"]
    assert row["earlier_version"] == 1 and row["later_version"] == 2


def test_the_trend_csv_names_both_versions(two_versions, runner):
    """`export trend` writes the same rows as CSV."""
    result = runner.invoke(
        args=[
            "export",
            "trend",
            "--from",
            "papi-pulse-core:1@2026-Q1",
            "--to",
            "papi-pulse-core:2@2026-Q2",
        ]
    )
    assert result.exit_code == 0, result.output
    rows = list(reader(io.BytesIO(result.stdout_bytes)))
    assert tuple(rows[0]) == crosswalk.TREND_COLUMNS
    body = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    joined = [r for r in body if r["key"] == "voted_in_person" and r["level"] == "indicator"]
    assert joined and all(r["trend"] == "joined" for r in joined)
    assert {r["trend"] for r in body if r["level"] == "total"} == {"break"}


def test_a_bad_period_is_one_line_and_non_zero(runner):
    """A clerk's typo is refused with a message, not a traceback."""
    result = runner.invoke(
        args=["export", "trend", "--from", "papi-pulse-core:1@2026-Q9", "--to", "x:2@2026-Q2"]
    )
    assert result.exit_code != 0 and "Traceback" not in result.output
