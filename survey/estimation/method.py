"""The method's parts applied to each unit: what to estimate, decoding, weights, intervals,
flags, change and smoothing.

Shared by the engine's driver (``engine``, which also documents the method) and
its per-province rows (``province``); kept apart so that neither imports the
other back.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from survey import indicators
from survey.estimation.sums import Respondent
from survey.indicators import TOP_TWO
from survey.questionnaire.logic import prune
from survey.stats import (
    RakingError,
    bh_adjust,
    change,
    korn_graubard,
    mean_flag,
    proportion_flag,
    rake,
    shrink,
    t_interval,
    unweighted,
)
from survey.stats.suppression import MIN_N_EFF, cell_flag


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
