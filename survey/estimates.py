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
  the share of the area's known population in wards with data. A ward with a single
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
import math
import multiprocessing
from dataclasses import dataclass, field

from survey import baselines as baseline_store
from survey import indicators, margins, periods
from survey.indicators import TOP_TWO
from survey.questionnaire.logic import prune
from survey.stats import (
    RakingError,
    bh_adjust,
    change,
    changed,
    korn_graubard,
    mean_flag,
    proportion_flag,
    rake,
    shrink,
    t_interval,
    unweighted,
)
from survey.stats.suppression import MIN_N_EFF, cell_flag, is_shown
from survey.unitstats import Respondent, Stat

COLUMNS = (
    "questionnaire_id", "questionnaire_version", "period", "period_start", "period_end",
    "unit_type", "unit_code", "province_code", "level", "key", "option", "statistic",
    "scale_low", "scale_high", "n", "n_item", "n_eff", "estimate", "se", "ci_lower", "ci_upper",
    "interval_method", "flag", "shown", "weighted", "margin_set", "weighting_note",
    "unit_kish_n", "max_weight_ratio", "coverage", "wards_with_data", "baseline_year",
    "baseline", "smoothed", "smoothed_lower", "smoothed_upper", "smoothing", "change",
    "change_se", "change_lower", "change_upper", "change_p", "change_p_bh", "changed",
    "include_flagged",
)  # fmt: skip
UNIT_TYPES = ("point", "ward", "province", "all")
HALF_WIDTH_SHARE = 0.10  # means shown when the half-width is <= 10% of the scale's range


def parse_periods(text: str) -> periods.Period:
    """Return the period of `2026-Q1`, `2026-03`, `2026`, `rolling:2026-Q3` or `A..B`."""
    if text.startswith("rolling:"):
        return periods.rolling_four_quarters(periods.parse_period(text[len("rolling:") :]))
    return periods.parse_period(text)


@dataclass
class Spec:
    """What to estimate for one questionnaire, compiled for speed."""

    model: indicators.Model
    items: list = field(default_factory=list)  # (item id, kind, codes, values, top)
    keytab: dict = field(default_factory=dict)  # item id -> {code: keys}
    kinds: dict = field(default_factory=dict)
    subs: list = field(default_factory=list)  # (sub, indicator indexes, low, high)
    dims: list = field(default_factory=list)  # (dim, sub indexes)
    sub_of: list = field(default_factory=list)
    dim_of_sub: list = field(default_factory=list)
    binary: list = field(default_factory=list)
    n_indicators: int = 0
    has_total: bool = False
    weighting: list = field(default_factory=list)  # (variable, item id, codes)


def build_spec(model: indicators.Model) -> Spec:
    """Compile the estimands and lookup tables of a questionnaire."""
    spec = Spec(model)
    q = model.questionnaire
    for item in q.items.values():
        special = tuple(o.code for o in item.special)
        if item.type in ("yes_no", "single", "multiple"):
            spec.items.append((item.id, "choice", item.all_codes(), None, None))
            codes = item.all_codes()
        elif item.type in ("likert5", "rating10"):
            low, high = (1, 5) if item.type == "likert5" else (0, 10)
            values = [(str(v), float(v)) for v in range(low, high + 1)]
            spec.items.append((item.id, "scale", special, values, TOP_TWO[item.type]))
            codes = [c for c, _ in values] + list(special)
        elif item.type == "integer":
            spec.items.append((item.id, "number", special, None, None))
            codes = list(special)
        else:
            continue
        spec.kinds[item.id] = item.type
        spec.keytab[item.id] = {c: (item.id, (item.id, c)) for c in codes}
    spec.n_indicators = len(model.indicators)
    scorer = indicators.Scorer(model)
    spec.binary = [True] * spec.n_indicators
    for _item, j, table, _ in scorer.plan:
        if table is None or any(v not in (None, 0.0, 1.0) for v in table.values()):
            spec.binary[j] = False
    spec.sub_of = [0] * spec.n_indicators
    sub_index = {}
    for sub, members in model.subdimensions.items():
        sub_index[sub] = len(spec.subs)
        for j in members:
            spec.sub_of[j] = len(spec.subs)
        spec.subs.append((sub, members, *model.sub_range(sub)))
    spec.dim_of_sub = [0] * len(spec.subs)
    for d, (dim, subs) in enumerate(model.dimensions.items()):
        spec.dims.append((dim, [sub_index[s] for s in subs]))
        for s in subs:
            spec.dim_of_sub[sub_index[s]] = d
    spec.has_total = model.has_total
    for variable, item_id in model.weighting.items():
        spec.weighting.append((variable, item_id, [o.code for o in q.items[item_id].options]))
    spec.scorer = scorer
    return spec


def decode(spec: Spec, point_id, submitted_at, answers_json, hidden=False) -> Respondent:
    """Decode one stored response once into the keys and scores the engine counts.

    ``hidden``: the response keeps answers its skip logic hides (a paper form answering
    a question it said to skip, flagged ``paper_skip_violated``); they are not counted.
    """
    answers = json.loads(answers_json)
    if hidden:
        answers = prune(spec.model.questionnaire, answers)
    keys = []
    keytab = spec.keytab
    for item_id, value in answers.items():
        table = keytab.get(item_id)
        if table is None:
            continue
        if type(value) is list:
            keys.append(item_id)
            keys.extend((item_id, c) for c in value)
            continue
        found = table.get(value if type(value) is str else str(value))
        if found is None:
            if spec.kinds[item_id] != "integer" or value is None or value == "":
                continue
            found = (item_id, (item_id, str(value)))
        keys.extend(found)
    cats = tuple(answers.get(item_id) for _, item_id, _ in spec.weighting)
    return Respondent(cats, point_id, submitted_at, tuple(keys), tuple(spec.scorer.scores(answers)))


def unit_weights(spec: Spec, members, unit_margins, cap):
    """Return (Weights, note) for a ward x period: raked, capped, imputed, or unweighted."""
    n = len(members)
    if not unit_margins or not spec.weighting:
        return unweighted(n), "no_margins"
    categories, notes = {}, []
    for index, (variable, _, codes) in enumerate(spec.weighting):
        column = [r.categories[index] for r in members]
        valid = [c for c in column if c in codes]
        missing = n - len(valid)
        if missing:
            if not valid:
                return unweighted(n), f"no_{variable}"
            modal = max(codes, key=valid.count)
            column = [c if c in codes else modal for c in column]
            notes.append(f"imputed_{variable}={missing}")
        categories[variable] = column
    target = {v: unit_margins[v] for v in categories if v in unit_margins}
    try:
        weights = rake(categories, target, cap=cap)
    except RakingError:
        try:
            weights = rake(categories, target, cap=None)
            notes.append("cap_infeasible")
        except RakingError as exc:
            return unweighted(n), f"raking_failed: {exc}"
    notes += [f"collapsed {c.variable}={c.category}->{c.into}" for c in weights.collapsed]
    if weights.capped:
        notes.append(f"capped={weights.capped}")
    return weights, "; ".join(notes)


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
):
    """Yield estimate rows (tuples in COLUMNS order) for the units and periods asked for.

    A row whose flag is not shown carries no estimate, SE, interval, model-based value or
    change (nor does a change against a suppressed previous period): a suppressed value never
    leaves the engine. reveal_suppressed keeps them, for checking the method against R only.

    ``mode`` ("web" or "paper") counts only the responses given that way: answers on paper,
    often read out or helped at a counter, differ from answers typed alone on a phone.
    """
    if mode not in (None, "web", "paper"):
        raise ValueError(f"unknown mode {mode!r}: use web or paper")
    indicators.build(questionnaire)  # refuse a questionnaire that does not map
    margin_set = margins.current_set(db)
    wanted = {p.label: p for p in period_list}
    extra = {periods.previous(p).label: periods.previous(p) for p in period_list}
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
    national = _Combiner()
    if processes > 1 and len(provinces) > 1:
        ctx.db_path = db.execute("PRAGMA database_list").fetchone()[2]
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            for rows, partial in pool.imap(_worker, [(ctx, p) for p in provinces]):
                national.merge(partial)
                yield from rows
    else:
        from survey.estimate_units import province_rows

        for code in provinces:
            rows, partial = province_rows(db, ctx, questionnaire, code)
            national.merge(partial)
            yield from rows
    if "all" in ctx.unit_types and not restricted:
        from survey.estimate_units import area_rows

        yield from area_rows(ctx, questionnaire, national, "all", "", "", None)


def _worker(args):
    """Run one province in a worker process with its own connection."""
    from survey.db import connect
    from survey.estimate_units import province_rows
    from survey.questionnaire import catalogue

    ctx, code = args
    db = connect(ctx.db_path)
    try:
        return province_rows(db, ctx, catalogue.get(ctx.qid, ctx.version), code)
    finally:
        db.close()


class _Combiner:
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


def interval(kind, st, all_intervals, level=0.95):
    """Return (n_eff, lower, upper, method) of a Stat: Korn-Graubard or t(n - 1)."""
    if st.estimate is None or st.variance is None:
        return float(st.n_item), None, None, ""
    if kind == "proportion":
        p, v = st.estimate, st.variance
        n_eff = (
            float(st.n_item)
            if p <= 0.0 or p >= 1.0 or v <= 0.0
            else min(p * (1.0 - p) / v, float(st.n_item))
        )
        if not all_intervals and (cell_flag(st.n_item) or n_eff < MIN_N_EFF):
            return n_eff, None, None, "korn_graubard"
        kg = korn_graubard(p, v, st.n_item, level)
        return kg.n_eff, kg.lower, kg.upper, "korn_graubard"
    se = math.sqrt(st.variance)
    if st.spread is not None:
        n_eff = (
            min(st.spread / st.variance, float(st.n_item)) if st.variance > 0 else float(st.n_item)
        )
    else:
        n_eff = st.kish
    lower, upper = t_interval(st.estimate, se, max(st.n - 1, 1), level)
    return n_eff, lower, upper, "t"


def flag_of(kind, st, n_eff, lower, upper, half_width):
    """Return the reliability flag (NCHS 2017 for shares; n* and half-width for means)."""
    if kind == "proportion":
        if lower is None:
            return cell_flag(st.n_item) or (
                "suppressed_n_eff" if st.variance is not None else "no_variance"
            )
        return proportion_flag(st.estimate, lower, upper, st.n_item, n_eff)
    return mean_flag(st.estimate, lower, upper, st.n_item, n_eff, half_width)


def changes(pairs):
    """Return [(Change or None, adjusted p)] for (earlier, later) Stat pairs, BH-adjusted."""
    found = []
    for earlier, later in pairs:
        if (
            earlier is None
            or later is None
            or earlier.variance is None
            or later.variance is None
            or earlier.estimate is None
        ):
            found.append(None)
        else:
            found.append(change(earlier.estimate, earlier.variance, later.estimate, later.variance))
    adjusted = bh_adjust([c.p_value if c else None for c in found])
    return list(zip(found, adjusted, strict=True))


def smoothed(est, n_eff, prior, low, high, m):
    """Return a model-based (beta-binomial) estimate on the PAPI scale, or None."""
    if est is None or prior is None:
        return None
    span = high - low
    p = min(1.0, max(0.0, (est - low) / span))
    s = shrink(p, n_eff, min(1.0, max(0.0, (prior - low) / span)), m)
    return low + span * s.estimate, low + span * s.lower, low + span * s.upper


__all__ = ["COLUMNS", "UNIT_TYPES", "changed", "is_shown", "parse_periods", "run"]
