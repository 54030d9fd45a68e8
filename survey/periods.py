"""Reporting periods: parse `2026`, `2026-Q1`, `2026-03`, `2026-01-01` and `A..B` ranges.

Periods are calendar spans in Vietnam's local time (Asia/Ho_Chi_Minh, UTC+7 without daylight
saving), so "March" means what a ward office means by it. A period is half-open
[start, end) in local dates; ``utc_bounds()`` turns it into the ISO 8601 UTC strings that
``responses.submitted_at`` holds, which compare correctly as text.

Grammar (one token, or two joined by ``..``; a range runs from the start of the first token
to the end of the second, both included):

- ``2026``: a year
- ``2026-Q1`` (or ``2026-q1``): a quarter
- ``2026-03``: a month
- ``2026-01-15``: a day
- ``2026-01-01..2026-02-15``, ``2025-Q2..2026-Q1`` (four quarters), ``2026-01..2026-06``
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

_YEAR = re.compile(r"(\d{4})\Z")
_QUARTER = re.compile(r"(\d{4})-[Qq]([1-4])\Z")
_MONTH = re.compile(r"(\d{4})-(\d{2})\Z")
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})\Z")


class PeriodError(ValueError):
    """A period text that does not follow the grammar, or runs backwards."""


@dataclass(frozen=True)
class Period:
    """A span of local calendar days: start included, end excluded."""

    start: date
    end: date
    label: str
    kind: str  # year | quarter | month | day | range

    def utc_bounds(self) -> tuple[str, str]:
        """Return [start, end) as ISO 8601 UTC strings comparable with submitted_at."""
        return to_utc_iso(self.start), to_utc_iso(self.end)

    def contains(self, submitted_at: str) -> bool:
        """Tell whether an ISO 8601 timestamp (any offset) falls in this period."""
        moment = datetime.fromisoformat(submitted_at)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        local_day = moment.astimezone(LOCAL_TZ).date()
        return self.start <= local_day < self.end

    @property
    def last_day(self) -> date:
        """Return the last local day included."""
        return self.end - timedelta(days=1)

    def __str__(self) -> str:
        return self.label


def to_utc_iso(day: date) -> str:
    """Return local midnight at the start of day as ISO 8601 UTC with seconds."""
    local = datetime.combine(day, time(0), tzinfo=LOCAL_TZ)
    return local.astimezone(UTC).isoformat(timespec="seconds")


def parse_period(text: str) -> Period:
    """Return the period a text names; PeriodError with the reason if it names none."""
    text = (text or "").strip()
    if ".." in text:
        first, _, second = text.partition("..")
        a, b = _parse_token(first.strip()), _parse_token(second.strip())
        if b.end <= a.start:
            raise PeriodError(f"period {text!r} ends before it starts")
        return Period(a.start, b.end, f"{a.label}..{b.label}", "range")
    return _parse_token(text)


def _parse_token(text: str) -> Period:
    """Parse one year, quarter, month or day."""
    try:
        if m := _YEAR.match(text):
            year = int(m[1])
            return Period(date(year, 1, 1), date(year + 1, 1, 1), text, "year")
        if m := _QUARTER.match(text):
            year, quarter = int(m[1]), int(m[2])
            start = date(year, 3 * quarter - 2, 1)
            return Period(start, _add_months(start, 3), f"{year}-Q{quarter}", "quarter")
        if m := _MONTH.match(text):
            start = date(int(m[1]), int(m[2]), 1)
            return Period(start, _add_months(start, 1), text, "month")
        if m := _DAY.match(text):
            day = date(int(m[1]), int(m[2]), int(m[3]))
            return Period(day, day + timedelta(days=1), text, "day")
    except ValueError as exc:  # month 13, 30 February...
        raise PeriodError(f"period {text!r} is not a real date: {exc}") from None
    raise PeriodError(
        f"period {text!r} not understood: use 2026, 2026-Q1, 2026-03, 2026-01-15 "
        "or a range such as 2026-01-01..2026-02-15"
    )


def _add_months(start: date, months: int) -> date:
    """Return the first day of the month `months` after start's month."""
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def quarter_of(day: date) -> Period:
    """Return the quarter that contains a local day."""
    return parse_period(f"{day.year}-Q{(day.month - 1) // 3 + 1}")


def quarters(year: int) -> list[Period]:
    """Return the four quarters of a year."""
    return [parse_period(f"{year}-Q{q}") for q in range(1, 5)]


def previous(period: Period) -> Period:
    """Return the period of the same kind just before (a range: the same number of days)."""
    if period.kind in ("year", "quarter", "month"):
        months = {"year": 12, "quarter": 3, "month": 1}[period.kind]
        start = _add_months(period.start, -months)
        if period.kind == "year":
            return parse_period(f"{start.year}")
        if period.kind == "quarter":
            return quarter_of(start)
        return parse_period(f"{start.year}-{start.month:02d}")
    length = period.end - period.start
    start = period.start - length
    if period.kind == "day":
        return parse_period(start.isoformat())
    return Period(start, period.start, f"{start}..{period.start - timedelta(days=1)}", "range")


def rolling_four_quarters(last: Period) -> Period:
    """Return the four quarters ending with quarter `last`."""
    if last.kind != "quarter":
        raise PeriodError(f"{last.label} is not a quarter")
    first = quarter_of(_add_months(last.start, -9))
    return Period(first.start, last.end, f"{first.label}..{last.label}", "range")
