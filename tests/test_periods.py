"""Reporting periods: grammar, local-time bounds, neighbours."""

from datetime import date

import pytest

from survey.periods import (
    PeriodError,
    parse_period,
    previous,
    quarters,
    rolling_four_quarters,
)


@pytest.mark.parametrize(
    ("text", "start", "end", "kind"),
    [
        ("2026", date(2026, 1, 1), date(2027, 1, 1), "year"),
        ("2026-Q1", date(2026, 1, 1), date(2026, 4, 1), "quarter"),
        ("2026-q4", date(2026, 10, 1), date(2027, 1, 1), "quarter"),
        ("2026-03", date(2026, 3, 1), date(2026, 4, 1), "month"),
        ("2026-12", date(2026, 12, 1), date(2027, 1, 1), "month"),
        ("2026-02-28", date(2026, 2, 28), date(2026, 3, 1), "day"),
        ("2026-01-01..2026-02-15", date(2026, 1, 1), date(2026, 2, 16), "range"),
        ("2025-Q2..2026-Q1", date(2025, 4, 1), date(2026, 4, 1), "range"),
        (" 2026-01..2026-06 ", date(2026, 1, 1), date(2026, 7, 1), "range"),
    ],
)
def test_grammar(text, start, end, kind):
    period = parse_period(text)
    assert (period.start, period.end, period.kind) == (start, end, kind)


@pytest.mark.parametrize(
    "text",
    ["", "26", "2026-Q5", "2026-13", "2026-02-30", "2026-1", "Q1-2026", "2026-03..2026-01", "x..y"],
)
def test_bad_periods_are_refused_with_a_reason(text):
    with pytest.raises(PeriodError, match="period"):
        parse_period(text)


def test_bounds_are_local_midnight_in_utc():
    # Hà Nội is UTC+7: the first quarter starts at 17:00 UTC on 31 December.
    assert parse_period("2026-Q1").utc_bounds() == (
        "2025-12-31T17:00:00+00:00",
        "2026-03-31T17:00:00+00:00",
    )


def test_contains_uses_local_day():
    march = parse_period("2026-03")
    assert march.contains("2026-02-28T17:00:00+00:00")  # 00:00 on 1 March in Vietnam
    assert not march.contains("2026-02-28T16:59:59+00:00")
    assert not march.contains("2026-03-31T17:00:00+00:00")
    low, high = march.utc_bounds()
    assert low <= "2026-02-28T17:00:00+00:00" < high


def test_neighbours():
    assert previous(parse_period("2026-Q1")).label == "2025-Q4"
    assert previous(parse_period("2026-01")).label == "2025-12"
    assert previous(parse_period("2026")).label == "2025"
    custom = previous(parse_period("2026-01-11..2026-01-20"))
    assert (custom.start, custom.end) == (date(2026, 1, 1), date(2026, 1, 11))
    assert [q.label for q in quarters(2026)] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    rolling = rolling_four_quarters(parse_period("2026-Q1"))
    assert (rolling.start, rolling.end) == (date(2025, 4, 1), date(2026, 4, 1))
