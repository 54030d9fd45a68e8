"""Rows of the estimates table for one province: its wards, their points, the province.

Reads the province's responses once, ordered by ward, decodes each once, and processes ward
by ward (memory grows with one ward's responses, not the country's). See ``engine`` for
the method.
"""

from __future__ import annotations

import itertools
import json

from survey import baselines as baseline_store
from survey import indicators
from survey.estimation.method import (
    Context,
    build_spec,
    changes,
    decode,
    flag_of,
    interval,
    smoothed,
    unit_weights,
)
from survey.estimation.sums import Stat, compute
from survey.stats import changed
from survey.stats.suppression import SHOWN

_SPECS: dict = {}


def spec_for(questionnaire):
    """Return the compiled spec of a questionnaire (cached per questionnaire object)."""
    key = (questionnaire.id, questionnaire.version, id(questionnaire))
    if key not in _SPECS:
        _SPECS[key] = build_spec(indicators.build(questionnaire))
    return _SPECS[key]


_KEY_INFO: dict = {}


def key_info(spec, key):
    """Return (level, name, option, statistic, kind, low, high) of an estimand key."""
    cache = _KEY_INFO.setdefault(id(spec), {})
    found = cache.get(key)
    if found:
        return found
    kind_of = key[0]
    if kind_of == "item":
        _, item_id, option, statistic = key
        item_type = spec.kinds[item_id]
        if statistic == "mean":
            low, high = {"likert5": (1, 5), "rating10": (0, 10)}.get(item_type, (None, None))
            found = ("item", item_id, "", "mean", "mean", low, high)
        else:
            found = ("item", item_id, option, statistic, "proportion", 0, 1)
    elif kind_of == "indicator":
        ind = spec.model.indicators[key[1]]
        kind = "proportion" if spec.binary[key[1]] else "mean"
        found = ("indicator", ind.id, "", "score", kind, 0, 1)
    elif kind_of == "sub":
        sub, _, low, high = spec.subs[key[1]]
        found = ("subdimension", sub, "", "papi", "mean", low, high)
    elif kind_of == "dim":
        found = ("dimension", spec.dims[key[1]][0], "", "papi", "mean", 1, 10)
    else:
        found = ("total", "total", "", "papi", "mean", 10, 80)
    cache[key] = found
    return found


_RANK = {"item": 0, "indicator": 1, "sub": 2, "dim": 3, "total": 4}


def ordered_keys(spec, stats):
    """Return the keys of stats in report order: items, indicators, subs, dims, total."""
    # Each unit's keys come from one small fixed set, so their sort keys are built once.
    sort_keys = spec.__dict__.setdefault("_sort_keys", {})
    for k in stats:
        if k not in sort_keys:
            sort_keys[k] = (
                _RANK[k[0]],
                k[1:] if k[0] != "item" else (spec.item_order[k[1]], k[2], k[3]),
            )
    return sorted(stats, key=sort_keys.__getitem__)


def report(
    ctx: Context,
    spec,
    unit_type,
    unit_code,
    province,
    period,
    stats,
    previous,
    meta,
    baseline=None,
    smooth=False,
    combined=None,
):
    """Return (rows, evaluated) for one unit and period; evaluated feeds the next change."""
    evaluated, pending = {}, []
    info = _KEY_INFO.setdefault(id(spec), {})
    all_intervals = ctx.all_intervals
    for key in ordered_keys(spec, stats):
        st = stats[key]
        found = info.get(key) or key_info(spec, key)
        kind, low, high = found[4], found[5], found[6]
        n_eff, lower, upper, method = interval(kind, st, all_intervals)
        flag = flag_of(kind, st, n_eff, lower, upper, HALF(low, high))
        if st.estimate is None and key[0] == "sub":
            found = _incomplete(spec, key, stats)
            flag = incomplete_flag()
        evaluated[key] = (st, flag)
        pending.append((key, found, st, n_eff, lower, upper, method, flag))
    found_changes = changes([(previous.get(k, (None,))[0], st) for k, _, st, *_ in pending])
    rows = []
    append = rows.append
    weighted, set_id, note, kish, ratio = meta
    # Cells that are the same on every row of this unit and period.
    head = (
        ctx.qid,
        ctx.version,
        period.label,
        period.start.isoformat(),
        period.last_day.isoformat(),
        unit_type,
        unit_code,
        province,
    )
    unit_cells = (int(weighted), set_id or "", note, kish, ratio)
    no_change = ("",) * 6
    include = int(ctx.include_flagged)
    values = baseline["values"] if baseline else None
    for (key, found, st, n_eff, lower, upper, method, flag), (chg, adj) in zip(
        pending, found_changes, strict=True
    ):
        level, name, option, statistic, _kind, low, high = found
        est = st.estimate
        se = st.variance**0.5 if st.variance is not None else None
        hidden = flag not in SHOWN and not ctx.reveal_suppressed
        if flag == "hidden_small_cell" or hidden:
            est = se = lower = upper = None
        coverage = wards = ""
        if combined is not None:
            entry = combined[key]
            coverage, wards = entry[1], entry[2]
        base_year = base = ""
        sm = _NO_SMOOTH
        if values is not None and (level == "dimension" or level == "total"):
            base = values.get(name, "")
            base_year = baseline["year"] if base != "" else ""
            if smooth and est is not None and base != "":
                sm = smoothed(est, n_eff, base, low, high, ctx.prior_m) or sm
        was = previous.get(key)
        if not ctx.reveal_suppressed and (hidden or (was and was[1] not in SHOWN)):
            chg = None  # a change would tell a suppressed value from the shown one
        append(
            (
                *head,
                level,
                name,
                option,
                statistic,
                low,
                high,
                st.n,
                st.n_item,
                n_eff,
                est,
                se,
                lower,
                upper,
                method,
                flag,
                1 if flag in SHOWN else 0,
                *unit_cells,
                coverage,
                wards,
                base_year,
                base,
                *(_blank(sm) if sm is not _NO_SMOOTH else ("", "", "")),
                "beta_binomial" if sm[0] is not None else "",
                *(
                    _blank((chg.difference, chg.se, chg.lower, chg.upper, chg.p_value, adj))
                    if chg
                    else no_change
                ),
                int(changed(adj, was[1], flag)) if chg and was else "",
                include,
            )
        )
    return rows, evaluated


_NO_SMOOTH = (None, None, None)


def incomplete_flag():
    """Return the flag of a sub-dimension left unscored for want of some of its indicators."""
    return "incomplete_indicators"


def _incomplete(spec, key, stats):
    """Return a sub-dimension's key info naming, as its option, the indicators with no data."""
    sub = spec.subs[key[1]][0]
    missing = spec.model.missing(sub, lambda j: ("indicator", j) in stats)
    level, name, _, statistic, kind, low, high = key_info(spec, key)
    return (level, name, ";".join(missing), statistic, kind, low, high)


def HALF(low, high):  # noqa: N802 - a tiny table-like helper
    """Return the largest half-width a mean on [low, high] may have and still be shown."""
    if low is None or high is None:
        return float("inf")
    return 0.10 * (high - low)


def _blank(values):
    """Return values with None as the empty string (CSV cells)."""
    return tuple("" if v is None else v for v in values)


def province_rows(db, ctx: Context, questionnaire, province):
    """Return (rows, national combiner part) for a province and its wards and points."""
    spec = spec_for(questionnaire)
    if not hasattr(spec, "item_order"):
        spec.item_order = {item_id: i for i, (item_id, *_) in enumerate(spec.items)}
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
    for p in ctx.all_periods:
        combiner.population[p.label] = sum(v for v in population.values() if v)
    # Coverage is a share of the whole area: unknown while any ward's population is.
    combiner.population_unknown = not all(population.values())
    rows = []
    bounds = [(p, *p.utc_bounds()) for p in ctx.all_periods]
    requested = {p.label for p in ctx.requested}
    sql = (
        "SELECT ward_code, point_id, submitted_at, answers,"
        " instr(flags, '\"paper_skip_violated\"') > 0 FROM responses"
        " WHERE province_code = ? AND questionnaire_id = ? AND questionnaire_version = ?"
        " AND review_status <> 'excluded' AND submitted_at >= ? AND submitted_at < ?"
        + ("" if ctx.include_flagged else " AND flags = '[]'")
        + ("" if ctx.mode is None else " AND mode = ?")
        + ("" if only is None else " AND ward_code IN (SELECT value FROM json_each(?))")
        + " ORDER BY ward_code"
    )
    params = [province, ctx.qid, ctx.version, min(b[1] for b in bounds), max(b[2] for b in bounds)]
    if ctx.mode is not None:
        params.append(ctx.mode)
    cursor = db.execute(sql, params if only is None else [*params, only])
    for ward, group in itertools.groupby(cursor, key=lambda r: r[0]):
        if ward not in wards:
            continue
        people = [decode(spec, r[1], r[2], r[3], r[4]) for r in group]
        previous, previous_points = {}, {}
        for period, lo, hi in bounds:
            members = [r for r in people if lo <= r.submitted_at < hi]
            if not members:
                previous, previous_points = {}, {}
                continue
            weights, note = unit_weights(spec, members, unit_margins.get(ward), ctx.cap)
            meta = (
                weights.weighted,
                ctx.set_id if weights.weighted else None,
                note,
                weights.kish_n,
                weights.max_mean_ratio,
            )
            stats = compute(members, weights.weights, spec)
            out, evaluated = report(
                ctx,
                spec,
                "ward",
                ward,
                province,
                period,
                stats,
                previous,
                meta,
                baseline,
                smooth=True,
            )
            if period.label in requested and "ward" in ctx.unit_types:
                rows.extend(out)
            previous = evaluated
            if population[ward]:
                combiner.add(
                    period.label,
                    population[ward],
                    stats,
                    {k: v[0].kish for k, v in evaluated.items()},
                    len(members),
                    weights.weighted,
                )
            else:
                combiner.leave_out(period.label)
            if "point" in ctx.unit_types:
                previous_points = _points(
                    ctx,
                    spec,
                    province,
                    period,
                    members,
                    weights,
                    meta,
                    previous_points,
                    rows,
                    period.label in requested,
                    stats,
                )
    if "province" in ctx.unit_types:
        rows.extend(
            area_rows(ctx, questionnaire, combiner, "province", province, province, baseline)
        )
    return rows, combiner


def _points(ctx, spec, province, period, members, weights, meta, previous, rows, emit, ward):
    """Add rows of each collection point of a ward (a domain: ward weights kept)."""
    groups: dict = {}
    for r, w in zip(members, weights.weights, strict=True):
        groups.setdefault(r.point_id, ([], []))
        groups[r.point_id][0].append(r)
        groups[r.point_id][1].append(w)
    evaluated_all = {}
    for point_id, (rs, ws) in sorted(groups.items()):
        # The ward's only point has the ward's respondents in the ward's order: same sums.
        stats = ward if len(groups) == 1 else compute(rs, ws, spec)
        out, evaluated = report(
            ctx,
            spec,
            "point",
            str(point_id),
            province,
            period,
            stats,
            previous.get(point_id, {}),
            meta,
        )
        if emit:
            rows.extend(out)
        evaluated_all[point_id] = evaluated
    return evaluated_all


def area_rows(ctx, questionnaire, combiner, unit_type, unit_code, province, baseline):
    """Return rows of a province (or the whole country) combined from its wards."""
    spec = spec_for(questionnaire)
    if not hasattr(spec, "item_order"):
        spec.item_order = {item_id: i for i, (item_id, *_) in enumerate(spec.items)}
    rows, previous = [], {}
    requested = {p.label for p in ctx.requested}
    for period in ctx.all_periods:
        combined = combiner.stats(period.label)
        if not combined:
            previous = {}
            continue
        stats = {k: v[0] for k, v in combined.items()}
        meta = combiner.meta(period.label, ctx.set_id)
        out, previous = report(
            ctx,
            spec,
            unit_type,
            unit_code,
            province,
            period,
            stats,
            previous,
            meta,
            baseline,
            combined=combined,
        )
        if period.label in requested:
            rows.extend(out)
    return rows


def _province_margins(db, set_id, province, spec, only=None):
    """Return {ward: {variable: {category: population}}} of a province's wards.

    only: a JSON list of ward codes to read instead of the whole province.
    """
    if set_id is None:
        return {}
    variables = {v for v, _, _ in spec.weighting}
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
    order = {v: codes for v, _, codes in spec.weighting}
    for per in found.values():
        for variable, cats in per.items():
            per[variable] = {c: cats[c] for c in order[variable] if c in cats}
    return found


def _population(unit_margins, ward_population):
    """Return a ward's population: its margins' total, else the wards table's, else None."""
    if unit_margins:
        return float(sum(next(iter(unit_margins.values())).values()))
    return float(ward_population) if ward_population else None


class Combiner:
    """Population-weighted sums of ward estimates: v = sum (N_h/N)^2 v_h (stats.combine).

    Wards are strata. A ward with a single respondent (a lonely stratum) has no variance of
    its own; as R's options(survey.lonely.psu = "average"), the area's variance is then
    scaled by strata / strata with a variance, instead of being lost for the whole area.
    """

    def __init__(self):
        self.sums = {}  # (period label, key) -> [sum N est, sum N^2 v, covered N, n, n_item,
        #                                          n_eff, wards]
        self.population = {}  # period label -> known population of the area
        # period label -> [wards added, with one respondent, unweighted, left out]
        self.strata = {}
        self.population_unknown = False  # some ward of the area has no known population

    def add(self, label, population, stats, flags_n_eff, respondents, weighted):
        """Add one ward's stats for a period, weighted by its population."""
        strata = self.strata.setdefault(label, [0, 0, 0, 0])
        strata[0] += 1
        strata[1] += respondents == 1
        strata[2] += not weighted
        for key, st in stats.items():
            if st.estimate is None:
                continue
            acc = self.sums.get((label, key))
            if acc is None:
                acc = self.sums[(label, key)] = [0.0, 0.0, 0.0, 0, 0, 0.0, 0]
            acc[0] += population * st.estimate
            if st.variance is not None:  # None: a lonely ward, counted in self.strata
                acc[1] += population * population * st.variance
            acc[2] += population
            acc[3] += st.n
            acc[4] += st.n_item
            acc[5] += flags_n_eff.get(key, 0.0)
            acc[6] += 1

    def leave_out(self, label):
        """Count a ward with answers but no known population: it cannot be combined."""
        self.strata.setdefault(label, [0, 0, 0, 0])[3] += 1

    def meta(self, label, set_id):
        """Return the report meta of the area: weighted only if every ward in it was."""
        _, _, unweighted, left_out = self.strata.get(label, (0, 0, 0, 0))
        note = ["population_weighted_wards"]
        if unweighted:
            note.append(f"unweighted_wards={unweighted}")
        if left_out:
            note.append(f"wards_without_population={left_out}")
        weighted = set_id is not None and not unweighted
        return (weighted, set_id if weighted else None, "; ".join(note), "", "")

    def merge(self, other):
        """Add another combiner's sums (a province's, into the national one)."""
        for k, b in other.sums.items():
            a = self.sums.get(k)
            if a is None:
                self.sums[k] = list(b)
                continue
            for i, value in enumerate(b):
                a[i] += value
        for label, pop in other.population.items():
            self.population[label] = self.population.get(label, 0.0) + pop
        for label, counts in other.strata.items():
            strata = self.strata.setdefault(label, [0, 0, 0, 0])
            for i, value in enumerate(counts):
                strata[i] += value
        self.population_unknown = self.population_unknown or other.population_unknown

    def stats(self, label):
        """Return {key: (Stat, coverage, wards, n_eff)} combined for a period."""
        total = self.population.get(label, 0.0)
        strata, lonely, _, _ = self.strata.get(label, (0, 0, 0, 0))
        scale = strata / (strata - lonely) if strata > lonely else None
        out = {}
        for (lab, key), (sne, snv, cov, n, m, neff, wards) in self.sums.items():
            if lab != label or cov <= 0.0:
                continue
            est = sne / cov
            var = scale * snv / (cov * cov) if scale is not None else None
            out[key] = (
                Stat(est, var, n, m, neff, None),
                "" if self.population_unknown or not total else cov / total,
                wards,
                neff,
            )
        return out
