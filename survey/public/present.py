"""What a ward's public page says: the published snapshot's lines in plain words.

Pure functions of a publication (survey/publishing.py) and the active locale; nothing here
reads the responses or the engine. A line the snapshot marks as not shown has no number to
give, so none can be printed; a change is said only against the period published just before,
when that period is the one the engine compared with.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_decimal
from flask_babel import gettext as _

from survey import papi_names, periods, publishing

# The PAPI scales: each dimension from 1 to 10, the total (the sum of eight) from 10 to 80.
SCALES = {"total": (10.0, 80.0)}
DIMENSION_SCALE = (1.0, 10.0)
BAR_WIDTH = 100  # SVG user units of the bar: a value's share of its scale, in percent


def number(value: float) -> str:
    """Return a score with one decimal, as the active locale writes it (5,2 in Vietnamese)."""
    return format_decimal(value, format="#,##0.0")


@dataclass
class Line:
    """One published figure as the page says it."""

    key: str
    name: str
    low: float
    high: float
    figure: dict
    baseline: float | None
    change: str = ""

    @property
    def shown(self) -> bool:
        """Tell whether the figure may be printed."""
        return bool(self.figure.get("shown"))

    def x(self, value: float) -> float:
        """Return where a value sits on the bar, 0 to BAR_WIDTH."""
        share = (min(self.high, max(self.low, value)) - self.low) / (self.high - self.low)
        return round(share * BAR_WIDTH, 1)

    @property
    def bar(self) -> dict | None:
        """Return the bar's geometry: value, interval ends and official score, or None."""
        if not self.shown:
            return None
        lower, upper = self.figure.get("lower"), self.figure.get("upper")
        return {
            "value": self.x(self.figure["estimate"]),
            "lower": self.x(lower) if lower is not None else None,
            "upper": self.x(upper) if upper is not None else None,
            "baseline": self.x(self.baseline) if self.baseline is not None else None,
        }

    @property
    def words(self) -> str:
        """Return the score and its uncertainty in a sentence."""
        if not self.shown:
            return _("Not enough reliable answers to give a figure.")
        lower, upper = self.figure.get("lower"), self.figure.get("upper")
        if lower is None or upper is None:
            return _(
                "%(value)s on a scale from %(low)s to %(high)s.",
                value=number(self.figure["estimate"]),
                low=int(self.low),
                high=int(self.high),
            )
        return _(
            "%(value)s on a scale from %(low)s to %(high)s (probably between %(lower)s and "
            "%(upper)s).",
            value=number(self.figure["estimate"]),
            low=int(self.low),
            high=int(self.high),
            lower=number(lower),
            upper=number(upper),
        )

    @property
    def baseline_words(self) -> str:
        """Return the province's official PAPI score in a sentence, or nothing."""
        if self.baseline is None:
            return ""
        return _("Official PAPI score of the province: %(value)s.", value=number(self.baseline))


def period_name(label: str) -> str:
    """Return a quarter in words: "quý 1 năm 2026"."""
    period = periods.parse_period(label)
    quarter = (period.start.month - 1) // 3 + 1
    return _("quarter %(quarter)d of %(year)d", quarter=quarter, year=period.start.year)


def _change_words(figure: dict) -> str:
    """Return whether a figure changed since the previous period, in words."""
    if not figure.get("shown") or figure.get("change") is None:
        return ""
    if not figure.get("changed"):
        return _("No clear change since the previous quarter.")
    if figure["change"] == "up":
        return _("Clearly higher than the previous quarter.")
    return _("Clearly lower than the previous quarter.")


def lines(publication: dict, ward_code: str, previous: dict | None, lang: str) -> list[Line]:
    """Return the total and the eight dimensions of a ward, in PAPI order."""
    ward = publication["snapshot"]["wards"].get(ward_code) or {}
    if not ward.get("enough"):
        return []
    baseline = publication["snapshot"].get("baseline") or {}
    values = baseline.get("values") or {}
    comparable = previous is not None and previous["period"] == (
        periods.previous(periods.parse_period(publication["period"])).label
    )
    before = (previous or {}).get("snapshot", {}).get("wards", {}).get(ward_code) or {}
    found = []
    for key in publishing.LINES:
        figure = ward["lines"].get(key, {"shown": False})
        # Said only when both quarters were published with a figure for this line.
        was_shown = (before.get("lines") or {}).get(key, {}).get("shown")
        if key == "total":
            name = _("All eight areas together")
        else:
            name = papi_names.dimension_name(key, lang)
        low, high = SCALES.get(key, DIMENSION_SCALE)
        found.append(
            Line(
                key,
                name,
                low,
                high,
                figure,
                values.get(key),
                _change_words(figure) if comparable and was_shown else "",
            )
        )
    return found


def note_figure(note: dict, publication: dict | None, lang: str) -> tuple[str, Line | None]:
    """Return the quarter after a note's action and the ward's figure of its area then."""
    if publication is None:
        return "", None
    ward = publication["snapshot"]["wards"].get(note["ward_code"]) or {}
    key = note["dimension"]
    figure = (ward.get("lines") or {}).get(key) if ward.get("enough") else None
    name = papi_names.dimension_name(key, lang)
    low, high = SCALES.get(key, DIMENSION_SCALE)
    line = Line(key, name, low, high, figure or {"shown": False}, None)
    return period_name(publication["period"]), line
