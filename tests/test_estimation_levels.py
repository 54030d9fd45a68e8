"""Rows asked for by level are the same rows as in the full report, changes included."""

import datetime as dt
from datetime import timedelta

import pytest

from survey import estimation
from survey.demo_data import add_demo_responses, ensure_demo_margins
from survey.periods import LOCAL_TZ
from survey.questionnaire import catalogue
from tests.factories import BEN_THANH

CORE = catalogue.get("papi-pulse-core", 1)
LEVEL = estimation.COLUMNS.index("level")
CHANGE_P_BH = estimation.COLUMNS.index("change_p_bh")


@pytest.fixture
def answered(db, world):
    """Return a period of 90 days ending today whose previous 90 days also hold demo answers."""
    add_demo_responses(db, world["point"], CORE, 400)
    ensure_demo_margins(db, BEN_THANH)
    today = dt.datetime.now(LOCAL_TZ).date()
    return estimation.parse_periods(f"{today - timedelta(days=89)}..{today}")


def rows(db, period, levels=None):
    """Return the engine's ward and province rows of the period."""
    return list(estimation.run(db, CORE, [period], ("ward", "province"), levels=levels))


@pytest.mark.parametrize(
    "levels", [("total", "dimension"), ("item",), ("indicator", "subdimension")]
)
def test_asked_levels_are_the_full_reports_rows(db, answered, levels):
    full = rows(db, answered)
    asked = rows(db, answered, levels)
    assert asked and asked == [r for r in full if r[LEVEL] in levels]
    assert {r[LEVEL] for r in asked} == set(levels)
    assert any(r[CHANGE_P_BH] != "" for r in asked)  # compared with the previous 90 days


def test_an_unknown_level_is_refused(db, answered):
    with pytest.raises(ValueError, match="unknown levels"):
        rows(db, answered, ("totals",))


def test_without_changes_the_rows_are_the_same_but_for_the_change_columns(db, answered):
    change = slice(estimation.COLUMNS.index("change"), estimation.COLUMNS.index("changed") + 1)
    full = rows(db, answered, ("total", "dimension"))
    alone = list(
        estimation.run(
            db, CORE, [answered], ("ward", "province"), levels=("total", "dimension"), changes=False
        )
    )
    assert [r[: change.start] + r[change.stop :] for r in alone] == [
        r[: change.start] + r[change.stop :] for r in full
    ]
    assert {r[change] for r in alone} == {("",) * 7}
    assert any(r[change] != ("",) * 7 for r in full)
