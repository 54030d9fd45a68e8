"""Estimate rows kept in each worker for the pages people wait on, until the data change.

An analyst opens a ward, then its province, then the ward again; a leadership meeting opens the
same page on many screens. The engine is deterministic given its inputs, so its rows are kept
per (database file, data marks, unit, period, questionnaire, options). A data mark is a random
number that SQLite triggers set anew, in the same transaction as the change, on every change
to what estimates are made of: the data version (migration m011) on any change; a ward's mark
on any change to its responses, and the input mark on any change to margins, baselines or
units (m019). A result made of some wards' answers keys on the input mark and those wards'
marks, the others on the data version; the marks are read before the data, so a cached result
can never outlive the data it was made from, in this worker or another. Each worker keeps at
most MAX_ENTRIES results, dropping the least recently used.

A ward's sums (its ``Combiner`` part: what it adds to its province, for the total and the
dimensions) are kept the same way, per ward and ward mark: the group of wards like a ward
(survey.similar) is combined from its members' parts, the engine's own sums added in the
engine's order, so after one new answer only that ward is read again, and the rows are the
engine's, bit for bit.
"""

import json
import threading
from collections import OrderedDict

from survey import baselines, estimation, margins
from survey.estimation.combine import Combiner, province_base
from survey.estimation.context import Context
from survey.estimation.province import area_rows, province_rows
from survey.estimation.report import Unit
from survey.estimation.spec import spec_for

# About 230 rows of 45 cells for a ward: 64 results are a few megabytes per worker.
MAX_ENTRIES = 64
# A ward's part keeps nine sums per period, about 6 KB (measured on the 1M set): 2,048 parts,
# every ward of a dozen provinces of Ho Chi Minh City's size for a period, are 11 MB a worker.
MAX_PARTS = 2048
SUMMARY_LEVELS = ("total", "dimension")
_SUMMARY_KEYS = ("dim", "total")  # the first item of their estimand keys (survey.estimation.sums)


def data_version(db) -> tuple:
    """Return (database file, mark of the last change to the data estimates are made of)."""
    path = db.execute("PRAGMA database_list").fetchone()[2]
    return path, db.execute("SELECT n FROM data_version WHERE id = 1").fetchone()[0]


def ward_marks(db, wards) -> tuple:
    """Return (database file, input mark, marks of the wards): what rows of them are made of."""
    path = db.execute("PRAGMA database_list").fetchone()[2]
    inputs = db.execute("SELECT n FROM input_data_version WHERE id = 1").fetchone()[0]
    found = dict(
        db.execute(
            "SELECT ward_code, n FROM ward_data_version"
            " WHERE ward_code IN (SELECT value FROM json_each(?))",
            [json.dumps(sorted(wards))],
        )
    )
    return path, inputs, tuple((code, found.get(code)) for code in sorted(wards))


def province_marks(db, province) -> tuple:
    """Return the marks of the input and of every ward of a province."""
    wards = [r[0] for r in db.execute("SELECT code FROM wards WHERE province_code = ?", [province])]
    return ward_marks(db, wards)


class Results:
    """A worker's least-recently-used results, each kept under the data mark it was made at."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, db, key: tuple, compute, mark=data_version):
        """Return compute() for key at the database's current mark(db), computing it once."""
        baselines.ensure_shipped(db)  # the engine's one write, done before the mark is read
        key = (mark(db), *key)
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        found = compute()
        with self._lock:
            self._items[key] = found
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return found

    def clear(self) -> None:
        """Forget every result."""
        with self._lock:
            self._items.clear()


_units = Results(MAX_ENTRIES)
_parts = Results(MAX_PARTS)


def _mark_of(db, unit_type, code, ward_scope):
    """Return the mark function of a unit's rows: its wards' marks where they are known."""
    if unit_type == "ward" and ward_scope is not None:
        return lambda db: ward_marks(db, ward_scope)
    if unit_type == "province" and ward_scope is None:
        return lambda db: province_marks(db, code)
    return data_version


def unit_rows(
    db, questionnaire, period, unit_type, code, ward_scope, provinces, cap, prior_m, mode=None
):
    """Return the estimate rows (dicts) of one unit and period, computed once per data version."""
    key = (
        questionnaire.id,
        questionnaire.version,
        period.label,
        unit_type,
        code,
        tuple(ward_scope) if ward_scope is not None else None,
        tuple(provinces) if provinces is not None else None,
        cap,
        prior_m,
        mode,
    )

    def compute():
        rows = estimation.run(
            db,
            questionnaire,
            [period],
            (unit_type,),
            cap=cap,
            prior_m=prior_m,
            ward_scope=ward_scope,
            provinces=provinces,
            mode=mode,
        )
        return [
            dict(zip(estimation.COLUMNS, row, strict=True))
            for row in rows
            if unit_type == "all" or row[6] == code
        ]

    return _units.get(db, key, compute, _mark_of(db, unit_type, code, ward_scope))


def _summary_context(db, questionnaire, period, cap, prior_m, mode, ward_scope, units):
    """Return the engine's context of a summary run: totals and dimensions, no change."""
    margin_set = margins.current_set(db)
    return Context(
        questionnaire.id,
        questionnaire.version,
        [period],
        [period],
        units,
        True,
        cap,
        False,
        prior_m,
        margin_set["id"] if margin_set else None,
        ward_scope=frozenset(ward_scope),
        mode=mode,
        levels=frozenset(SUMMARY_LEVELS),
        changes=False,
    )


def _part(db, questionnaire, period, province, ward, cap, mode) -> Combiner:
    """Return what one ward adds to its province's totals and dimensions, once per ward mark."""
    key = ("part", questionnaire.id, questionnaire.version, period.label, province, ward, cap, mode)

    def compute():
        # No unit type: the ward's sums only, no row of the ward nor of the province.
        ctx = _summary_context(db, questionnaire, period, cap, 0.0, mode, [ward], ())
        part = province_rows(db, ctx, questionnaire, province)[1]
        # Rows of the total and dimensions are made of their own sums alone (no change, so no
        # adjustment across estimands): the indicators' and sub-dimensions' would take 8 times
        # the memory. (A few wards' population is their sum: no coverage is capped.)
        part.sums = {k: v for k, v in part.sums.items() if k[1][0] in _SUMMARY_KEYS}
        return part

    return _parts.get(db, key, compute, lambda db: ward_marks(db, [ward]))


def summary_rows(db, questionnaire, period, province, wards, cap, prior_m, mode=None):
    """Return the total and dimension rows (dicts) of a province restricted to some wards.

    The same rows as the engine's run of the province with ``ward_scope=wards``,
    ``levels=SUMMARY_LEVELS`` and ``changes=False``, combined from each ward's kept part.
    """
    members = sorted(wards)
    key = ("summary", questionnaire.id, questionnaire.version, period.label, province)
    key += (tuple(members), cap, prior_m, mode)

    def compute():
        parts = [_part(db, questionnaire, period, province, ward, cap, mode) for ward in members]
        combiner = Combiner()
        for part in parts:  # the engine adds wards in code order, so the sums are its own
            combiner.merge(part)
        # The area's population by the engine's rule for a few wards, not as provinces added.
        known = {ward: part.base.population for ward, part in zip(members, parts, strict=True)}
        combiner.base = province_base(province, known, True)
        ctx = _summary_context(
            db, questionnaire, period, cap, prior_m, mode, members, ("province",)
        )
        unit = Unit("province", province, province)
        baseline = baselines.blend(db, province)
        rows = area_rows(ctx, spec_for(questionnaire), combiner, unit, baseline)
        return [dict(zip(estimation.COLUMNS, row, strict=True)) for row in rows]

    return _units.get(db, key, compute, lambda db: ward_marks(db, members))


def clear() -> None:
    """Forget every cached unit result and ward part (tests)."""
    _units.clear()
    _parts.clear()
