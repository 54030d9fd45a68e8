"""What to estimate for one questionnaire, compiled once: items, indicators, composites, keys.

An estimand's key is ("item", item id, option, statistic), ("indicator", j), ("sub", s),
("dim", d) or ("total",). Each key's description (``KeyInfo``) and its place in a report are
worked out once per spec and kept on it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import NamedTuple

from survey import indicators
from survey.indicators import TOP_TWO


class ItemPlan(NamedTuple):
    """One reported item: shares of its options, or a mean (and top-two share) of its scale."""

    item_id: str
    kind: str  # "choice", "scale" or "number"
    codes: tuple  # choice: every code; scale and number: the special codes
    values: list | None  # scale: [(code, value)]
    top: tuple | None  # scale: the codes of its top-two box


class ItemNumbers(NamedTuple):
    """An ItemPlan's count keys as key numbers (``Spec.key_id``): what the sums are keyed by."""

    item: int  # the item's own key (every respondent with an answer)
    codes: tuple  # ItemPlan.codes
    values: list | None  # [(number, value)] of a scale's values
    top: tuple  # ItemPlan.top


class SubPlan(NamedTuple):
    """One sub-dimension: its indicators and its PAPI range."""

    sub: str
    members: list
    low: float
    high: float


class DimPlan(NamedTuple):
    """One dimension and the indexes of its sub-dimensions."""

    dim: str
    subs: list


class WeightingVariable(NamedTuple):
    """A raking variable, the item that asks it and its categories."""

    variable: str
    item_id: str
    codes: list


class KeyInfo(NamedTuple):
    """The report's description of an estimand key."""

    level: str
    name: str
    option: str
    statistic: str
    kind: str  # "proportion" or "mean"
    low: float | None
    high: float | None


_RANK = {"item": 0, "indicator": 1, "sub": 2, "dim": 3, "total": 4}


@dataclass
class Spec:
    """What to estimate for one questionnaire, compiled for speed."""

    model: indicators.Model
    scorer: indicators.Scorer
    items: list = field(default_factory=list)  # [ItemPlan]
    keytab: dict = field(default_factory=dict)  # item id -> {code: keys}
    kinds: dict = field(default_factory=dict)  # item id -> item type
    item_order: dict = field(default_factory=dict)  # item id -> place in the report
    subs: list = field(default_factory=list)  # [SubPlan]
    dims: list = field(default_factory=list)  # [DimPlan]
    sub_of: list = field(default_factory=list)
    dim_of_sub: list = field(default_factory=list)
    binary: list = field(default_factory=list)
    n_indicators: int = 0
    has_total: bool = False
    weighting: list = field(default_factory=list)  # [WeightingVariable]
    infos: dict = field(default_factory=dict)  # key -> KeyInfo, filled as keys appear
    sort_keys: dict = field(default_factory=dict)  # key -> its sort key in a report
    # Count keys numbered in this process (a small int hashes and compares faster than a
    # tuple of strings): key -> number, and number -> key. Never stored or sent elsewhere.
    key_ids: dict = field(default_factory=dict)
    key_list: list = field(default_factory=list)
    fixed_keys: int = 0  # key numbers below this are the same in every process (item codes)
    item_numbers: list = field(default_factory=list)  # per ItemPlan: its keys' numbers
    answer_memo: dict = field(default_factory=dict)  # item id -> {answer: decoded}
    stored_key: str = ""  # fingerprint of stored decoded forms (survey.estimation.stored)

    def key_id(self, key) -> int:
        """Return this process's number of a count key, numbering it on first sight."""
        found = self.key_ids.get(key)
        if found is None:
            found = self.key_ids[key] = len(self.key_list)
            self.key_list.append(key)
        return found

    def key_info(self, key) -> KeyInfo:
        """Return the level, name, option, statistic, kind and range of an estimand key."""
        found = self.infos.get(key)
        if found is None:
            found = self.infos[key] = _describe(self, key)
        return found

    def ordered(self, keys) -> list:
        """Return keys in report order: items, indicators, subs, dims, total."""
        sort_keys = self.sort_keys
        for k in keys:
            if k not in sort_keys:
                rest = k[1:] if k[0] != "item" else (self.item_order[k[1]], k[2], k[3])
                sort_keys[k] = (_RANK[k[0]], rest)
        return sorted(keys, key=sort_keys.__getitem__)


def _describe(spec: Spec, key) -> KeyInfo:
    """Return the KeyInfo of a key (uncached)."""
    kind_of = key[0]
    if kind_of == "item":
        _, item_id, option, statistic = key
        if statistic == "mean":
            low, high = {"likert5": (1, 5), "rating10": (0, 10)}.get(
                spec.kinds[item_id], (None, None)
            )
            return KeyInfo("item", item_id, "", "mean", "mean", low, high)
        return KeyInfo("item", item_id, option, statistic, "proportion", 0, 1)
    if kind_of == "indicator":
        kind = "proportion" if spec.binary[key[1]] else "mean"
        return KeyInfo("indicator", spec.model.indicators[key[1]].id, "", "score", kind, 0, 1)
    if kind_of == "sub":
        sub = spec.subs[key[1]]
        return KeyInfo("subdimension", sub.sub, "", "papi", "mean", sub.low, sub.high)
    if kind_of == "dim":
        return KeyInfo("dimension", spec.dims[key[1]].dim, "", "papi", "mean", 1, 10)
    return KeyInfo("total", "total", "", "papi", "mean", 10, 80)


def build_spec(model: indicators.Model) -> Spec:
    """Compile the estimands and lookup tables of a questionnaire."""
    spec = Spec(model, indicators.Scorer(model))
    q = model.questionnaire
    for item in q.items.values():
        special = tuple(o.code for o in item.special)
        if item.type in ("yes_no", "single", "multiple"):
            codes = tuple(item.all_codes())
            spec.items.append(ItemPlan(item.id, "choice", codes, None, None))
        elif item.type in ("likert5", "rating10"):
            low, high = (1, 5) if item.type == "likert5" else (0, 10)
            values = [(str(v), float(v)) for v in range(low, high + 1)]
            spec.items.append(ItemPlan(item.id, "scale", special, values, TOP_TWO[item.type]))
            codes = [c for c, _ in values] + list(special)
        elif item.type == "integer":
            spec.items.append(ItemPlan(item.id, "number", special, None, None))
            codes = list(special)
        else:
            continue
        spec.kinds[item.id] = item.type
        spec.keytab[item.id] = {c: (item.id, (item.id, c)) for c in codes}
        spec.key_id(item.id)
        for c in codes:
            spec.key_id((item.id, c))
    spec.fixed_keys = len(spec.key_list)
    for plan in spec.items:
        number = {c: spec.key_ids[(plan.item_id, c)] for c in spec.keytab[plan.item_id]}
        spec.item_numbers.append(
            ItemNumbers(
                spec.key_ids[plan.item_id],
                tuple(number[c] for c in plan.codes),
                None if plan.values is None else [(number[c], v) for c, v in plan.values],
                tuple(number[c] for c in plan.top) if plan.top else (),
            )
        )
    spec.item_order = {plan.item_id: i for i, plan in enumerate(spec.items)}
    spec.n_indicators = len(model.indicators)
    spec.binary = [True] * spec.n_indicators
    for _item, j, table, _ in spec.scorer.plan:
        if table is None or any(v not in (None, 0.0, 1.0) for v in table.values()):
            spec.binary[j] = False
    spec.sub_of = [0] * spec.n_indicators
    sub_index = {}
    for sub, members in model.subdimensions.items():
        sub_index[sub] = len(spec.subs)
        for j in members:
            spec.sub_of[j] = len(spec.subs)
        spec.subs.append(SubPlan(sub, members, *model.sub_range(sub)))
    spec.dim_of_sub = [0] * len(spec.subs)
    for d, (dim, subs) in enumerate(model.dimensions.items()):
        spec.dims.append(DimPlan(dim, [sub_index[s] for s in subs]))
        for s in subs:
            spec.dim_of_sub[sub_index[s]] = d
    spec.has_total = model.has_total
    for variable, item_id in model.weighting.items():
        codes = [o.code for o in q.items[item_id].options]
        spec.weighting.append(WeightingVariable(variable, item_id, codes))
    return spec


# A process sees a handful of questionnaire versions; equal questionnaires share a spec.
@functools.lru_cache(maxsize=16)
def spec_for(questionnaire) -> Spec:
    """Return the compiled spec of a questionnaire (one per questionnaire's content)."""
    return build_spec(indicators.build(questionnaire))
