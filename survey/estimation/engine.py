"""The estimation engine: stored responses -> weighted estimates for every unit and period.

Method (docs/METHODOLOGY.md; choices made here are listed so the methodology page and the
export can say them):
- Responses with review_status 'excluded' never count; flagged ones count unless
  ``include_flagged`` is False, and every row says which.
- Weights per ward x period: raking to the ward's margins in force, trimmed at ``cap`` x mean
  weight. A respondent who refused (or left blank) sex or age band is given the unit's most
  common category for raking (counted in ``weighting_note``). When the cap cannot be met (a
  category with one or two respondents) the unit is raked without a cap and the note says
  ``cap_infeasible``; when raking is impossible, or the ward has no margins, the unit is
  unweighted and says so.
- A collection point is a domain of its ward: its respondents keep their ward weights.
- Province and "all" come from ward estimates weighted by ward population (the margins'
  total, else wards.population); wards with no population are left out, and ``coverage`` is
  the share of the area's population (``combine``) in wards with data. A ward with a single
  respondent (a lonely stratum) has no variance of its own: the area's variance is scaled
  by wards with data / wards with a variance, as R's ``survey.lonely.psu = "average"``
  (chosen over "adjust", which would count such a ward as exact and understate the SE).
- Composite n: a composite's n_item and n* are the count and the Kish n of the respondents
  who contribute to at least one of its indicators (each respondent sees only some modules).
- Intervals: Korn-Graubard for shares and 0/1 indicators, t(n - 1) for means and composites.
  The NCHS rule settles n* < 30 and cells of 1-4 before the interval is needed, so with
  ``all_intervals`` False the (costly) interval of such an estimate is left empty.
- Means are shown when n* >= 30 and the half-width is at most 10% of the scale's range.
- Change: against the previous period of the same kind (four quarters: the four before),
  SE sqrt(v1 + v2), normal interval, Benjamini-Hochberg across one unit's report.
- Smoothed: ward dimension and total shrunk toward the province's last official PAPI value
  (beta-binomial, prior worth ``prior_m`` respondents): model-based.
"""

from __future__ import annotations

import json
import multiprocessing

from survey import baselines as baseline_store
from survey import indicators, margins, periods
from survey.db import connect
from survey.estimation.combine import Combiner
from survey.estimation.context import Context
from survey.estimation.province import area_rows, province_rows
from survey.estimation.report import LEVELS, Unit
from survey.estimation.spec import spec_for
from survey.questionnaire import catalogue

UNIT_TYPES = ("point", "ward", "province", "all")


def parse_periods(text: str) -> periods.Period:
    """Return the period of `2026-Q1`, `2026-03`, `2026`, `rolling:2026-Q3` or `A..B`."""
    if text.startswith("rolling:"):
        return periods.rolling_four_quarters(periods.parse_period(text[len("rolling:") :]))
    return periods.parse_period(text)


def run(
    db,
    questionnaire,
    period_list,
    unit_types=("ward", "province", "all"),
    include_flagged=True,
    cap=5.0,
    all_intervals=False,
    prior_m=20.0,
    processes=1,
    ward_scope=None,
    provinces=None,
    mode=None,
    reveal_suppressed=False,
    levels=None,
    changes=True,
):
    """Yield estimate rows (tuples in COLUMNS order) for the units and periods asked for.

    A row whose flag is not shown carries no estimate, SE, interval, model-based value or
    change (nor does a change against a suppressed previous period): a suppressed value never
    leaves the engine. reveal_suppressed keeps them, for checking the method against R only.

    ``mode`` ("web" or "paper") counts only the responses given that way: answers on paper,
    often read out or helped at a counter, differ from answers typed alone on a phone.
    ``levels`` (of LEVELS; None: all) keeps only the rows of those levels, and computes the
    intervals of nothing else; the values of the rows kept are the same. ``changes`` False
    leaves the previous periods unread and the change columns empty (a page that shows none).
    """
    if mode not in (None, "web", "paper"):
        raise ValueError(f"unknown mode {mode!r}: use web or paper")
    if levels is not None and not set(levels) <= set(LEVELS):
        raise ValueError(f"unknown levels {sorted(set(levels) - set(LEVELS))}")
    indicators.build(questionnaire)  # refuse a questionnaire that does not map
    margin_set = margins.current_set(db)
    wanted = {p.label: p for p in period_list}
    extra = {periods.previous(p).label: periods.previous(p) for p in period_list if changes}
    every = sorted({**extra, **wanted}.values(), key=lambda p: (p.start, p.end))
    ctx = Context(
        questionnaire.id,
        questionnaire.version,
        list(wanted.values()),
        every,
        tuple(unit_types),
        include_flagged,
        cap,
        all_intervals,
        prior_m,
        margin_set["id"] if margin_set else None,
        ward_scope=frozenset(ward_scope) if ward_scope is not None else None,
        mode=mode,
        reveal_suppressed=reveal_suppressed,
        levels=frozenset(levels) if levels is not None else None,
        changes=changes,
    )
    baseline_store.ensure_shipped(db)
    where = "1" if ward_scope is None else "code IN (SELECT value FROM json_each(?))"
    params = [] if ward_scope is None else [json.dumps(sorted(ward_scope))]
    provinces_all = [
        r[0]
        for r in db.execute(
            f"SELECT DISTINCT province_code FROM wards WHERE {where} ORDER BY province_code", params
        )
    ]
    restricted = provinces is not None or ward_scope is not None
    if provinces is not None:
        provinces = [code for code in provinces_all if code in set(provinces)]
    else:
        provinces = provinces_all
    national = Combiner()
    if processes > 1 and len(provinces) > 1:
        ctx.db_path = db.execute("PRAGMA database_list").fetchone()[2]
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            for rows, partial in pool.imap(_worker, [(ctx, p) for p in provinces]):
                national.merge(partial)
                yield from rows
    else:
        for code in provinces:
            rows, partial = province_rows(db, ctx, questionnaire, code)
            national.merge(partial)
            yield from rows
    if "all" in ctx.unit_types and not restricted:
        yield from area_rows(ctx, spec_for(questionnaire), national, Unit("all", "", ""), None)


def _worker(args):
    """Run one province in a worker process with its own connection."""
    ctx, code = args
    db = connect(ctx.db_path)
    try:
        return province_rows(db, ctx, catalogue.get(ctx.qid, ctx.version), code)
    finally:
        db.close()
