"""What a run of the engine was asked for: questionnaire, periods, units, method settings."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Context:
    """Everything the workers need, picklable."""

    qid: str
    version: int
    requested: list  # [Period]
    all_periods: list  # requested and their previous periods, by start
    unit_types: tuple
    include_flagged: bool
    cap: float | None
    all_intervals: bool
    prior_m: float
    set_id: int | None
    db_path: str | None = None
    ward_scope: frozenset | None = None
    mode: str | None = None  # "web" or "paper" only (None: both modes)
    reveal_suppressed: bool = False  # only to check the method against R
    levels: frozenset | None = None  # report levels asked for (None: every level)
    changes: bool = True  # False: no previous period, no change columns
