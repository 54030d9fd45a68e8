"""Wards like a ward: the same kind of unit and the same population band of its province.

A ward is compared with its province on the overview, but a province of 168 wards holds both
city-centre wards and outlying communes. So a ward is also compared with the wards like it, by
two facts the app knows: the kind of unit (a phường is urban, a xã rural, a đặc khu a special
zone) and its population band, the third of the province's wards by population it falls in
(from the margins in force, else the units table; a ward whose population is unknown has no
band). Thirds rather than fixed sizes: a province of small communes still gets three bands.

The group's estimate is the engine's own, for the province restricted to the group's wards
with answers (``ward_scope``), so it has an interval and a reliability like any area. It is
combined from each member's kept sums (survey.estimation.cache.summary_rows), so that after a
new answer only that ward's answers are read again. The ward is compared with it by the same
Bristol rule as with the province (survey.overview.compare); like the province, the group
includes the ward. Storage look-ups take ``db`` first; no Flask.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import NamedTuple

from survey import margins, overview
from survey.estimation import cache as estimate_cache

KINDS = {"phường": "urban", "xã": "rural", "đặc khu": "special_zone"}
BANDS = 3  # thirds of the province's wards by population
# Other wards with answers a group needs: with one or two a "group" is a pair of wards, whose
# own noise would decide the comparison; three is the smallest group with a middle.
MIN_PEERS = 3
# A group is a few hundred bytes; finding it read the province's answers of the period (about
# 30 ms on the 1M data set) on every ward page of a province-level user.
_shapes = estimate_cache.Results(1024)
_groups = estimate_cache.Results(1024)


@dataclass
class Group:
    """The wards like a ward in one period, or why there is no such group."""

    kind: str  # urban, rural, special_zone (or the unit's own kind word)
    band: int | None  # 0, 1, 2 (smallest third first); None when the population is unknown
    low: float | None = None  # the band's smallest and largest population
    high: float | None = None
    members: list = field(default_factory=list)  # wards of the group with answers, this one too

    @property
    def peers(self) -> int:
        """Return how many other wards of the group have answers."""
        return max(0, len(self.members) - 1)

    @property
    def too_small(self) -> bool:
        """Tell whether too few other wards have answers to compare with."""
        return self.band is None or self.peers < MIN_PEERS


def populations(db, province: str) -> dict[str, float | None]:
    """Return {ward: population} of a province: the margins' total in force, else the units'."""
    return margins.ward_populations(db, province)


def band_of(value: float | None, known: list[float]) -> int | None:
    """Return the third (0, 1, 2) of the sorted known populations a value falls in."""
    if value is None or not known:
        return None
    ordered = sorted(known)
    edges = [ordered[len(ordered) * k // BANDS] for k in range(1, BANDS)]
    return sum(1 for edge in edges if value >= edge)


def answered(db, province: str, period, questionnaire, wards=None) -> set[str]:
    """Return the wards of a province (or of ``wards`` in it) with answers in the period."""
    start, end = period.utc_bounds()
    # Among a few wards: "+" keeps SQLite on the ward index, not every answer of the province.
    sql = (
        "SELECT DISTINCT ward_code FROM responses WHERE "
        + ("province_code = ?" if wards is None else "+province_code = ?")
        + " AND submitted_at >= ? AND submitted_at < ? AND review_status <> 'excluded'"
        " AND questionnaire_id = ? AND questionnaire_version = ?"
        + ("" if wards is None else " AND ward_code IN (SELECT value FROM json_each(?))")
    )
    params = [province, start, end, questionnaire.id, questionnaire.version]
    if wards is not None:
        params.append(json.dumps(sorted(wards)))
    return {r[0] for r in db.execute(sql, params)}


class Shape(NamedTuple):
    """A ward's kind and band, and the wards of its kind and band (itself too): no answers."""

    kind: str
    band: int | None
    low: float | None
    high: float | None
    candidates: tuple


def group_of(db, ward: dict, period, questionnaire) -> Group:
    """Return the group of wards like ``ward`` (a units.get_ward row) with answers in the period.

    Its band is kept until a margin or a unit changes (the input mark), its members until an
    answer of a ward like it changes (their marks): an answer elsewhere changes neither.
    """
    shape = _shapes.get(
        db, (ward["code"],), lambda: _shape(db, ward), lambda db: estimate_cache.ward_marks(db, ())
    )
    if shape.band is None:
        return Group(shape.kind, None)
    key = (ward["code"], period.label, questionnaire.id, questionnaire.version)

    def compute():
        found = answered(db, ward["province_code"], period, questionnaire, shape.candidates)
        members = [c for c in shape.candidates if c in found or c == ward["code"]]
        return Group(shape.kind, shape.band, shape.low, shape.high, members)

    return _groups.get(db, key, compute, lambda db: estimate_cache.ward_marks(db, shape.candidates))


def _shape(db, ward: dict) -> Shape:
    """Return the ward's kind, band and the wards of both, from the units and margins."""
    province = ward["province_code"]
    kinds = dict(db.execute("SELECT code, kind FROM wards WHERE province_code = ?", [province]))
    pops = populations(db, province)
    known = [p for p in pops.values() if p]
    band = band_of(pops.get(ward["code"]), known)
    kind = KINDS.get(ward["kind"], ward["kind"])
    if band is None:
        return Shape(kind, None, None, None, ())
    same = [c for c, p in pops.items() if p and band_of(p, known) == band]
    low, high = min(pops[c] for c in same), max(pops[c] for c in same)
    return Shape(kind, band, low, high, tuple(sorted(c for c in same if kinds[c] == ward["kind"])))


def compare(db, questionnaire, period, ward, ward_rows, cap, prior_m, mode=None) -> dict:
    """Return the ward's group and, unless it is too small, each summary key beside it."""
    group = group_of(db, ward, period, questionnaire)
    found = {"group": group, "lines": [], "min_peers": MIN_PEERS, "period": period.label}
    if group.too_small:
        return found
    province = ward["province_code"]
    # Only the total and the dimensions are shown beside the ward, without their changes:
    # combined from each member's kept sums, so one new answer reads only its ward again.
    rows = estimate_cache.summary_rows(
        db, questionnaire, period, province, group.members, cap, prior_m, mode
    )
    theirs = {r["key"]: r for r in rows if r["level"] in ("total", "dimension")}
    own = {r["key"]: r for r in ward_rows if r["level"] in ("total", "dimension")}
    for key in overview.SUMMARY_KEYS:
        if key in own or key in theirs:
            ours, other = own.get(key), theirs.get(key)
            found["lines"].append(
                {"key": key, "ward": ours, "group": other, "side": overview.compare(ours, other)}
            )
    return found
