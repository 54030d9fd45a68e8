"""The estimation engine: stored responses -> weighted estimates for every unit and period.

The method is documented in ``engine``. Inside: ``decoding`` (a stored response, once),
``stored`` (that decoding, kept per response), ``spec`` (what to estimate for a
questionnaire), ``weighting`` (raking a ward), ``sums`` (per-unit sums), ``method``
(intervals, flags, change, smoothing), ``report`` (the rows), ``combine`` (wards into
provinces), ``province`` (one province's rows), ``cache`` (results per data version) and
``names`` (names in words beside the codes). The pure, R-matched functions are survey.stats.
"""

from survey.estimation.engine import UNIT_TYPES, parse_periods, run
from survey.estimation.report import COLUMNS, HALF_WIDTH_SHARE, LEVELS

__all__ = ["COLUMNS", "HALF_WIDTH_SHARE", "LEVELS", "UNIT_TYPES", "parse_periods", "run"]
