"""Rows of the estimates table for one province: its wards, their points, the province.

Reads the province's responses once, ordered by ward, decodes each once, and processes ward
by ward (memory grows with one ward's responses, not the country's). Only what is asked is
reported: a period that is there only for the next one's change gets flags, not rows; a
province asked for alone gets its wards' sums, not their rows. See ``engine`` for the method.
"""

from __future__ import annotations

import itertools
import json

from survey import baselines as baseline_store
from survey.estimation import stored
from survey.estimation.combine import Combiner, province_base
from survey.estimation.context import Context
from survey.estimation.decoding import decode
from survey.estimation.report import Meta, Unit, evaluate, report
from survey.estimation.spec import Spec, spec_for
from survey.estimation.sums import compute
from survey.estimation.weighting import unit_weights


def province_rows(db, ctx: Context, questionnaire, province):
    """Return (rows, national combiner part) for a province and its wards and points."""
    spec = spec_for(questionnaire)
    wards = {
        code: pop
        for code, pop in db.execute(
            "SELECT code, population FROM wards WHERE province_code = ?", [province]
        )
    }
    if ctx.ward_scope is not None:
        wards = {c: p for c, p in wards.items() if c in ctx.ward_scope}
    # A page about a few wards reads only theirs (by the ward index), not the province's.
    only = json.dumps(sorted(wards)) if ctx.ward_scope is not None else None
    unit_margins = _province_margins(db, ctx.set_id, province, spec, only)
    population = {c: _population(unit_margins.get(c), p) for c, p in wards.items()}
    baseline = baseline_store.blend(db, province)
    combiner = Combiner()
    combiner.base = province_base(province, population, ctx.ward_scope is not None)
    rows = []
    bounds = [(p, *p.utc_bounds()) for p in ctx.all_periods]
    requested = {p.label for p in ctx.requested}
    ward_rows = "ward" in ctx.unit_types
    point_rows = "point" in ctx.unit_types
    for ward, people in _ward_respondents(db, ctx, spec, province, bounds, only):
        if ward not in wards:
            continue
        previous, previous_points = {}, {}
        for period, lo, hi in bounds:
            members = [r for r in people if lo <= r.submitted_at < hi]
            if not members:
                previous, previous_points = {}, {}
                continue
            weights, note = unit_weights(spec, members, unit_margins.get(ward), ctx.cap)
            meta = Meta(
                weights.weighted,
                ctx.set_id if weights.weighted else None,
                note,
                weights.kish_n,
                weights.max_mean_ratio,
            )
            stats = compute(members, weights.weights, spec)
            emit = period.label in requested
            if ward_rows and emit:
                unit = Unit("ward", ward, province)
                out, previous = report(
                    ctx, spec, unit, period, stats, previous, meta, baseline, smooth=True
                )
                rows.extend(out)
            elif ward_rows:
                previous = evaluate(ctx, spec, stats)
            if population[ward]:
                combiner.add(period.label, population[ward], stats, len(members), weights.weighted)
            else:
                combiner.leave_out(period.label)
            if point_rows:
                previous_points = _points(
                    ctx, spec, province, period, members, weights, meta, previous_points,
                    rows if emit else None, stats,
                )  # fmt: skip
    if "province" in ctx.unit_types:
        rows.extend(area_rows(ctx, spec, combiner, Unit("province", province, province), baseline))
    return rows, combiner


def _ward_respondents(db, ctx: Context, spec: Spec, province, bounds, only):
    """Yield (ward, [Respondent]) of a province's responses in the periods, ward by ward."""
    # The stored form where it is current and no answer is hidden, else the answers (stored).
    sql = (
        "SELECT ward_code, point_id, submitted_at, hidden,"
        " CASE WHEN decoded_key = ? AND NOT hidden THEN decoded END,"
        " CASE WHEN decoded_key = ? AND NOT hidden AND decoded NOTNULL THEN NULL ELSE answers END"
        " FROM (SELECT ward_code, point_id, submitted_at, decoded, decoded_key, answers,"
        " instr(flags, '\"paper_skip_violated\"') > 0 AS hidden FROM responses"
        # A few wards: "+" keeps SQLite off the province index, which it chose over the ward
        # index and so read every answer of the province in the periods (40 ms for one ward).
        + (" WHERE province_code = ?" if only is None else " WHERE +province_code = ?")
        + " AND questionnaire_id = ? AND questionnaire_version = ?"
        " AND review_status <> 'excluded' AND submitted_at >= ? AND submitted_at < ?"
        + ("" if ctx.include_flagged else " AND flags = '[]'")
        + ("" if ctx.mode is None else " AND mode = ?")
        + ("" if only is None else " AND ward_code IN (SELECT value FROM json_each(?))")
        + ") ORDER BY ward_code"
    )
    key = stored.decoded_key(spec)
    params = [key, key, province, ctx.qid, ctx.version]
    params += [min(b[1] for b in bounds), max(b[2] for b in bounds)]
    if ctx.mode is not None:
        params.append(ctx.mode)
    if only is not None:
        params.append(only)
    # Items count in the changes' adjustment even when their rows are not asked for.
    items = ctx.changes or ctx.levels is None or "item" in ctx.levels
    for ward, group in itertools.groupby(db.execute(sql, params), key=lambda r: r[0]):
        yield (
            ward,
            [
                stored.respondent(spec, r[1], r[2], r[4], items)
                if r[4] is not None
                else decode(spec, r[1], r[2], r[5], r[3], items)
                for r in group
            ],
        )


def _points(ctx, spec, province, period, members, weights, meta, previous, rows, ward):
    """Add rows of each collection point of a ward (a domain: ward weights kept).

    rows None: the period is not asked for; only the flags its next period needs are made.
    """
    groups: dict = {}
    for r, w in zip(members, weights.weights, strict=True):
        found = groups.setdefault(r.point_id, ([], []))
        found[0].append(r)
        found[1].append(w)
    evaluated_all = {}
    for point_id, (rs, ws) in sorted(groups.items()):
        # The ward's only point has the ward's respondents in the ward's order: same sums.
        stats = ward if len(groups) == 1 else compute(rs, ws, spec)
        if rows is None:
            evaluated_all[point_id] = evaluate(ctx, spec, stats)
            continue
        unit = Unit("point", str(point_id), province)
        out, evaluated_all[point_id] = report(
            ctx, spec, unit, period, stats, previous.get(point_id, {}), meta
        )
        rows.extend(out)
    return evaluated_all


def area_rows(ctx: Context, spec: Spec, combiner: Combiner, unit: Unit, baseline):
    """Return rows of a province (or the whole country) combined from its wards."""
    rows, previous = [], {}
    requested = {p.label for p in ctx.requested}
    for period in ctx.all_periods:
        combined = combiner.stats(period.label)
        if not combined:
            previous = {}
            continue
        stats = {k: v.stat for k, v in combined.items()}
        if period.label not in requested:
            previous = evaluate(ctx, spec, stats)
            continue
        meta = combiner.meta(period.label, ctx.set_id)
        out, previous = report(
            ctx, spec, unit, period, stats, previous, meta, baseline, combined=combined
        )
        rows.extend(out)
    return rows


def _province_margins(db, set_id, province, spec: Spec, only=None):
    """Return {ward: {variable: {category: population}}} of a province's wards.

    only: a JSON list of ward codes to read instead of the whole province.
    """
    if set_id is None:
        return {}
    variables = {w.variable for w in spec.weighting}
    found: dict = {}
    if only is None:
        sql = (
            "SELECT m.unit_code, m.variable, m.category, m.population FROM margins m"
            " JOIN wards w ON w.code = m.unit_code WHERE m.set_id = ? AND w.province_code = ?"
        )
        params = [set_id, province]
    else:
        sql = (
            "SELECT unit_code, variable, category, population FROM margins"
            " WHERE set_id = ? AND unit_code IN (SELECT value FROM json_each(?))"
        )
        params = [set_id, only]
    for unit, variable, category, pop in db.execute(sql, params):
        if variable in variables:
            found.setdefault(unit, {}).setdefault(variable, {})[category] = pop
    order = {w.variable: w.codes for w in spec.weighting}
    for per in found.values():
        for variable, cats in per.items():
            per[variable] = {c: cats[c] for c in order[variable] if c in cats}
    return found


def _population(unit_margins, ward_population):
    """Return a ward's population: its margins' total, else the wards table's, else None."""
    if unit_margins:
        return float(sum(next(iter(unit_margins.values())).values()))
    return float(ward_population) if ward_population else None
