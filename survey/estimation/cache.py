"""Estimate rows kept in each worker for the pages people wait on, until the data change.

An analyst opens a ward, then its province, then the ward again; a leadership meeting opens the
same page on many screens. The engine is deterministic given its inputs, so its rows are kept
per (database file, data version, unit, period, questionnaire, options). The data version is
a random mark that SQLite triggers set anew on every change to answers, reviews, margins,
baselines or unit populations (migration m011), in the same transaction as the change: a
cached result can never outlive the data it was made from, in this worker or another. Each
worker keeps at most MAX_ENTRIES results, dropping the least recently used.
"""

import threading
from collections import OrderedDict

from survey import baselines, estimation

# About 230 rows of 45 cells for a ward: 64 results are a few megabytes per worker.
MAX_ENTRIES = 64


def data_version(db) -> tuple:
    """Return (database file, mark of the last change to the data estimates are made of)."""
    path = db.execute("PRAGMA database_list").fetchone()[2]
    return path, db.execute("SELECT n FROM data_version WHERE id = 1").fetchone()[0]


class Results:
    """A worker's least-recently-used results, each kept under the data mark it was made at."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, db, key: tuple, compute):
        """Return compute() for key at the database's current mark, computing it once."""
        baselines.ensure_shipped(db)  # the engine's one write, done before the mark is read
        key = (data_version(db), *key)
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


def unit_rows(
    db,
    questionnaire,
    period,
    unit_type,
    code,
    ward_scope,
    provinces,
    cap,
    prior_m,
    mode=None,
    levels=None,
    changes=True,
):
    """Return the estimate rows (dicts) of one unit and period, computed once per data version.

    ``levels`` and ``changes`` as for the engine's run: a page that shows less asks for less.
    """
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
        tuple(levels) if levels is not None else None,
        changes,
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
            levels=levels,
            changes=changes,
        )
        return [
            dict(zip(estimation.COLUMNS, row, strict=True))
            for row in rows
            if unit_type == "all" or row[6] == code
        ]

    return _units.get(db, key, compute)


def clear() -> None:
    """Forget every cached unit result (tests)."""
    _units.clear()
