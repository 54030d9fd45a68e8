"""A province at a glance: its wards beside the province on the total and the eight dimensions.

Pure functions of the engine's rows (dicts keyed by ``estimates.COLUMNS``) plus storage
look-ups that take ``db`` first; no Flask. Nothing here computes a statistic: a ward is called
higher or lower than its province by comparing numbers the engine made.

Which comparison (the Bristol Quality of Life rule): Bristol City Council marks a ward as
significantly better or worse than the Bristol average when the ward's 95% confidence interval
does not contain the city's value. We do the same: a ward differs from its province when the
ward's 95% interval lies wholly above or wholly below the province's estimate (the province's
own interval is not used: it is much narrower, and the ward is part of it). Both must be shown;
a suppressed ward or province is never compared.
"""

from survey import collation, margins, periods, responses, units
from survey import estimation as estimates
from survey.estimation import cache as estimate_cache
from survey.estimation import combine
from survey.questionnaire import catalogue

SUMMARY_KEYS = ("total", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8")
HIGHER, LOWER = "higher", "lower"
# Look back this many quarters for the default period: two years covers a slow start.
LOOKBACK_QUARTERS = 8
# A province of 168 wards is about 40,000 rows: a few results per worker are enough.
MAX_ENTRIES = 8

_results = estimate_cache.Results(MAX_ENTRIES)


def area_rows(db, questionnaire, period, province, cap, prior_m) -> list[dict]:
    """Return the summary rows (total and dimensions) of a province and its wards, cached."""
    key = (questionnaire.id, questionnaire.version, period.label, province, cap, prior_m)

    def compute():
        rows = estimates.run(
            db,
            questionnaire,
            [period],
            ("ward", "province"),
            cap=cap,
            prior_m=prior_m,
            provinces=[province],
            levels=("total", "dimension"),
            changes=False,
        )
        found = (dict(zip(estimates.COLUMNS, values, strict=True)) for values in rows)
        return [row for row in found if row["level"] in ("total", "dimension")]

    # Its wards' marks: an answer in another province leaves the overview as it was.
    return _results.get(db, key, compute, lambda db: estimate_cache.province_marks(db, province))


def clear() -> None:
    """Forget every cached result (tests)."""
    _results.clear()


def by_unit(rows) -> dict[tuple[str, str], dict[str, dict]]:
    """Return {(unit type, code): {summary key: row}}."""
    found: dict = {}
    for row in rows:
        found.setdefault((row["unit_type"], row["unit_code"]), {})[row["key"]] = row
    return found


def compare(ward_row: dict | None, province_row: dict | None) -> str | None:
    """Return HIGHER or LOWER when the ward's interval excludes the province's value, else None."""
    if not ward_row or not province_row or not ward_row["shown"] or not province_row["shown"]:
        return None
    value = province_row["estimate"]
    lower, upper = ward_row["ci_lower"], ward_row["ci_upper"]
    if value in ("", None) or lower in ("", None) or upper in ("", None):
        return None
    if lower > value:
        return HIGHER
    if upper < value:
        return LOWER
    return None


def ward_table(db, province: str, rows, ward_scope=None) -> list[dict]:
    """Return one entry per ward with answers: code, name, cells {key: (row, comparison)}."""
    units = by_unit(rows)
    area = units.get(("province", province), {})
    names = dict(db.execute("SELECT code, name FROM wards WHERE province_code = ?", [province]))
    table = []
    for (unit_type, code), cells in units.items():
        if unit_type != "ward" or (ward_scope is not None and code not in ward_scope):
            continue
        if not any(row["n"] for row in cells.values()):
            continue
        table.append(
            {
                "code": code,
                "name": names.get(code, code),
                "n": max(row["n"] for row in cells.values()),
                "cells": {
                    k: (cells.get(k), compare(cells.get(k), area.get(k))) for k in SUMMARY_KEYS
                },
            }
        )
    return collation.sorted_by(table, "name", "code")


def sort_wards(table: list[dict], key: str) -> list[dict]:
    """Return the wards sorted by name, or by a summary key highest first (hidden last)."""
    if key not in SUMMARY_KEYS:
        return table

    def value(entry):
        row = entry["cells"][key][0]
        shown = row is not None and row["shown"] and row["estimate"] not in ("", None)
        return (0, -row["estimate"]) if shown else (1, 0)

    return sorted(table, key=value)  # stable: ties stay in name order


def official(db, province: str, blend: dict | None) -> dict:
    """Return {key: (low, high)} of the legacy provinces' scores blended, and the national mean."""
    spread, national = {}, {}
    if blend:
        for dimension, low, high, count in db.execute(
            "SELECT dimension, min(value), max(value), count(*) FROM baselines"
            " WHERE province_code = ? AND year = ? AND legacy_code IS NOT NULL GROUP BY dimension",
            [province, blend["year"]],
        ):
            if count > 1:
                spread[dimension] = (low, high)
    year = db.execute(
        "SELECT max(year) FROM baselines WHERE legacy_province = 'national mean'"
    ).fetchone()[0]
    if year is not None:
        national = dict(
            db.execute(
                "SELECT dimension, value FROM baselines"
                " WHERE legacy_province = 'national mean' AND year = ?",
                [year],
            ).fetchall()
        )
    return {"spread": spread, "national": national, "national_year": year}


def coverage(db, province: str, table: list[dict]) -> dict:
    """Return the words' numbers: wards with answers, wards in all, answers, population share.

    The share is of the population the engine combines by (``combine.province_base``: the
    wards' sum when all are known, else the shipped figure): the known population of the
    wards with answers over it, at most 1 (``capped`` when more). A ward with answers but no
    known population is in neither (``without_population``); when none has one, the share
    is unknown, not 0. ``population`` is the shipped figure when the share is of it.
    """
    wards = db.execute("SELECT count(*) FROM wards WHERE province_code = ?", [province]).fetchone()[
        0
    ]
    answers = sorted(entry["n"] for entry in table)
    people = margins.ward_populations(db, province)
    base = combine.province_base(province, people, scoped=False)
    covered = sum(people.get(entry["code"]) or 0 for entry in table)
    share = covered / base.population if base.population else None
    if table and not covered:  # no ward with answers has a known population: not "0 %"
        share = None
    return {
        "with_answers": len(table),
        "wards": wards,
        "answers": sum(answers),
        "median": answers[len(answers) // 2] if answers else 0,
        "population_share": None if share is None else min(share, 1.0),
        "basis": base.basis or None,
        "population": base.population if base.basis in units.POPULATION_BASES else None,
        "capped": share is not None and share > 1.0,
        "without_population": sum(1 for entry in table if not people.get(entry["code"])),
    }


def has_reliable(rows, unit_type: str, code: str) -> bool:
    """Tell whether a unit has a shown total or dimension among the rows."""
    return any(
        row["shown"] and row["unit_type"] == unit_type and row["unit_code"] == code for row in rows
    )


def default_period(db, today, rows_of, questionnaire, province=None, wards=None, pinned=False):
    """Return the latest quarter with a reliable total or dimension for the scope, else today's.

    ``rows_of(period)`` returns the scope's summary rows; quarters without any answers in the
    scope are skipped without computing them. Each quarter is looked at in the version most
    answered in it (answered_version), unless the questionnaire is ``pinned`` (asked for).
    """
    quarter = periods.quarter_of(today)
    for _ in range(LOOKBACK_QUARTERS):
        shown = (
            questionnaire
            if pinned
            else answered_version(db, quarter, questionnaire, province, wards)
        )
        if answered(db, quarter, shown, province, wards) and rows_of(quarter):
            return quarter
        quarter = periods.previous(quarter)
    return periods.quarter_of(today)


def answered(db, period, questionnaire, province=None, wards=None) -> bool:
    """Tell whether anyone in the scope answered the questionnaire in the period."""
    sql, args = responses.in_scope(period, questionnaire, province, wards)
    return db.execute(sql + " LIMIT 1", args).fetchone() is not None


def answered_version(db, period, questionnaire, province=None, wards=None, where="1", params=()):
    """Return the version of the questionnaire most answered in the scope and period.

    Estimates are made per version, so a quarter answered before a change of version is shown
    with the version its answers are on, not as an empty page of the new one. The given
    (current) version when nobody in the scope answered, or on a tie; only versions the app
    still has count. ``where``/``params``: a scope condition on ``w`` (the user's wards).
    """
    counts = responses.versions_answered(
        db, period, questionnaire.id, province, wards, where, params
    )
    best, most = questionnaire, counts.get(questionnaire.version, 0)
    for (qid, version), other in sorted(catalogue.available().items(), reverse=True):
        if qid == questionnaire.id and counts.get(version, 0) > most:
            best, most = other, counts[version]
    return best


def versions_newest_first(questionnaire) -> list:
    """Return the given questionnaire, then its other versions the app has, newest first."""
    others = [
        other
        for (qid, version), other in sorted(catalogue.available().items(), reverse=True)
        if qid == questionnaire.id and version != questionnaire.version
    ]
    return [questionnaire, *others]


def version_before(db, period, questionnaire, province=None, wards=None) -> int | None:
    """Return the other version answered in the period before when this one was not, else None.

    The engine compares a period only with answers of its own version: after a change of
    questionnaire the previous period is empty to it, and the pages say why instead.
    """
    before = periods.previous(period)
    if answered(db, before, questionnaire, province, wards):
        return None
    for other in versions_newest_first(questionnaire)[1:]:
        if answered(db, before, other, province, wards):
            return other.version
    return None


def opening_period(
    db, today, questionnaire, reliable, unit=None, where="1", params=(), pinned=False
):
    """Return the period the estimates page opens on: the latest quarter with a reliable estimate.

    With a unit (``(unit type, code, province or None, ward scope or None)``), its own
    estimates; with none (the picker), the busiest ward in the user's scope (``where``/
    ``params``: SQL on ``w``, the wards), since a reliable ward is what the list leads to.
    ``reliable(period, unit type, code)`` says whether a unit has a shown total or dimension.
    Quarters nobody in the scope answered are skipped without computing them; with nothing
    reliable in two years it is today's quarter. As in default_period, each quarter is looked at
    in the version most answered in it unless the questionnaire is ``pinned``.
    """
    quarter = periods.quarter_of(today)
    for _ in range(LOOKBACK_QUARTERS):
        if unit is not None:
            unit_type, code, province, wards = unit
            shown = (
                questionnaire
                if pinned
                else answered_version(db, quarter, questionnaire, province, wards)
            )
            if answered(db, quarter, shown, province, wards) and reliable(quarter, unit_type, code):
                return quarter
        else:
            ward = next(
                filter(None, (busiest_ward(db, quarter, version, where, params)
                              for version in ([questionnaire] if pinned
                                              else versions_newest_first(questionnaire)))),
                None,
            )  # fmt: skip
            if ward is not None and reliable(quarter, "ward", ward):
                return quarter
        quarter = periods.previous(quarter)
    return periods.quarter_of(today)


def busiest_ward(db, period, questionnaire, where="1", params=()):
    """Return the code of the ward in scope with the most answers in the period, or None."""
    start, end = period.utc_bounds()
    row = db.execute(
        "SELECT r.ward_code FROM responses r JOIN wards w ON w.code = r.ward_code"
        f" WHERE ({where}) AND r.submitted_at >= ? AND r.submitted_at < ?"
        " AND r.review_status <> 'excluded' AND r.questionnaire_id = ?"
        " AND r.questionnaire_version = ? GROUP BY r.ward_code"
        " ORDER BY count(*) DESC, r.ward_code LIMIT 1",
        [*params, start, end, questionnaire.id, questionnaire.version],
    ).fetchone()
    return row[0] if row else None
