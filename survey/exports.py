"""Exports for analysts: responses (one row per response) and the codebook (one row per option).

Domain code: ``db`` first, no Flask. Both return a ``Table`` (header and an iterator of rows
whose cells are already safe for ``csvout``); ``stream`` turns one into CSV chunks.

Responses format (one column per item of one questionnaire version, in questionnaire order):
- single, yes/no, likert5, rating10: the answer code (scale points are numbers, ``3``);
- multiple: the chosen codes in option order joined with ``;`` (``fees_posted;on_time``);
- integer: the number, or a special code (``refused``); decimal: the number with its declared
  places and a dot (``2.5``, as stored), or a special code; text: the text, NFC;
- special codes as themselves (``dont_know``, ``refused``); an item not shown or not
  answered: an empty cell;
- with labels (``vi``/``en``) option labels replace codes (multiple: joined with ``;``).
Before the items: response_id, questionnaire_id, questionnaire_version, point_id, ward_code,
province_code, submitted_at and started_at (ISO 8601 UTC), modules_shown (``;``-joined),
duration_seconds, flags (``;``-joined), review_status, source (how the row arrived: web, import,
demo), locale, mode (how the respondent answered: web on a phone, paper). Rows are ordered by
ward, submission time and id. Excluded responses are left out unless asked for; flagged ones
are kept; every row says which in its ``flags`` and ``review_status`` columns. ``mode``
keeps the responses given on a phone (web) or on paper only.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import json
import multiprocessing
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sqlite_utils import Database

from survey import csvout
from survey.config import DEFAULTS
from survey.db import connect, fill_responses
from survey.periods import Period
from survey.questionnaire import Questionnaire, current_questionnaire, decimals, get

BASE_COLUMNS = (
    "response_id", "questionnaire_id", "questionnaire_version", "point_id", "ward_code",
    "province_code", "submitted_at", "started_at", "modules_shown", "duration_seconds", "flags",
    "review_status", "source", "locale", "mode",
)  # fmt: skip
CODEBOOK_COLUMNS = (
    "item_id", "type", "wording_vi", "wording_en", "option_code", "option_label_vi",
    "option_label_en", "special", "score", "dimension", "subdimension", "indicator", "direction",
    "role", "weighting_variable", "skip_condition", "eligibility", "dont_know_rule", "module",
    "page", "required", "min", "max", "anchors", "unit_vi", "unit_en",
)  # fmt: skip
LABELS = (None, "vi", "en")
MODES = ("web", "paper")  # responses.mode: answered on a phone, or on a paper form
# Rows fetched per cursor call: big enough to keep SQLite busy, small enough to stay flat.
FETCH_ROWS = 2000
_UNIT = re.compile(r"(?:(ward|province|point):)?(\d+)\Z")


class ExportError(ValueError):
    """A filter that names nothing (unknown unit, questionnaire or labels)."""


@dataclass(frozen=True)
class Table:
    """A header and its rows (cells already safe for csvout)."""

    header: list[str]
    rows: Iterator[list]
    # A faster way to the same CSV bytes (no header) in a dialect, where there is one.
    csv: Callable[[str], Iterator[bytes]] | None = None


@dataclass
class Filters:
    """Which responses to export; every field optional."""

    questionnaire: tuple[str, int] | None = None  # None: the default setting's current
    unit: tuple[str, str] | None = None  # ("ward", "26743"), ("province", "79"), ("point", "12")
    period: Period | None = None
    include_excluded: bool = False
    include_flagged: bool = True
    scope: tuple[str, list] | None = None  # SQL on wards w (w.code, w.province_code), params
    mode: str | None = None  # "web" or "paper": how the respondents answered (None: both)
    extra: dict = field(default_factory=dict)


def parse_unit(text: str) -> tuple[str, str]:
    """Return (kind, code) for `ward:26743`, `province:79`, `point:12` or a bare code."""
    match = _UNIT.match((text or "").strip())
    if not match:
        raise ExportError(f"unit {text!r} not understood: use ward:CODE, province:CODE or point:ID")
    kind, code = match.groups()
    if kind is None:
        kind = {2: "province", 5: "ward"}.get(len(code))
        if kind is None:
            raise ExportError(f"unit {text!r}: a province code has 2 digits, a ward code 5")
    return kind, code


def parse_questionnaire(text: str | None, current: str = DEFAULTS["QUESTIONNAIRE"]):
    """Return the questionnaire named `id:version` or `id` (its current one); None: current's."""
    try:
        return current_questionnaire(text or current)
    except KeyError:
        raise ExportError(f"unknown questionnaire {text!r} (use id or id:version)") from None


def export_questionnaire(filters: Filters) -> Questionnaire:
    """Return the questionnaire version whose columns the export uses."""
    if filters.questionnaire is None:
        return parse_questionnaire(None)
    return parse_questionnaire("{}:{}".format(*filters.questionnaire))


def _where(db: Database, filters: Filters, questionnaire: Questionnaire) -> tuple[str, list]:
    """Return the SQL conditions and parameters for the filters."""
    clauses = ["r.questionnaire_id = ?", "r.questionnaire_version = ?"]
    params: list = [questionnaire.id, questionnaire.version]
    if filters.unit is not None:
        kind, code = filters.unit
        table, column = {
            "ward": ("wards", "ward_code"),
            "province": ("provinces", "province_code"),
            "point": ("points", "point_id"),
        }[kind]
        key = "id" if kind == "point" else "code"
        if not db.execute(f"SELECT 1 FROM {table} WHERE {key} = ?", [code]).fetchone():
            raise ExportError(f"unknown {kind} {code!r}")
        clauses.append(f"r.{column} = ?")
        params.append(int(code) if kind == "point" else code)
    if filters.period is not None:
        clauses.append("r.submitted_at >= ? AND r.submitted_at < ?")
        params.extend(filters.period.utc_bounds())
    # The unary + keeps SQLite off the review index: nearly every response is included, so
    # reading in table order beats an index walk followed by a sort of the whole table.
    if not filters.include_excluded:
        clauses.append("+r.review_status = 'included'")
    if not filters.include_flagged:
        clauses.append("+r.flags = '[]'")
    if filters.mode is not None:
        if filters.mode not in MODES:
            raise ExportError(f"unknown mode {filters.mode!r}: use web or paper")
        clauses.append("+r.mode = ?")
        params.append(filters.mode)
    if filters.scope is not None:
        where, scope_params = filters.scope
        clauses.append(
            f"r.ward_code IN (SELECT w.code FROM wards w WHERE {where})"  # noqa: S608
        )
        params.extend(scope_params)
    return " AND ".join(clauses), params


def count_responses(db: Database, filters: Filters) -> int:
    """Return how many responses an export with these filters would hold."""
    questionnaire = export_questionnaire(filters)
    where, params = _where(db, filters, questionnaire)
    return db.execute(f"SELECT count(*) FROM responses r WHERE {where}", params).fetchone()[0]


def export_responses(
    db: Database, filters: Filters | None = None, labels: str | None = None, raw: bool = False
):
    """Return the responses table for the filters: one row per response, one column per item.

    With ``raw`` text cells are NFC but not neutralised for CSV: for files that store text as
    text (xlsx), where a leading apostrophe would be part of the data.
    """
    filters = filters or Filters()
    if labels not in LABELS:
        raise ExportError(f"unknown labels {labels!r}: use vi or en")
    questionnaire = export_questionnaire(filters)
    where, params = _where(db, filters, questionnaire)
    items = list(questionnaire.items.values())
    header = list(BASE_COLUMNS) + [item.id for item in items]
    sql = _RESPONSES_SQL.format(where=where)
    safe = _nfc if raw else csvout.safe_text
    rows = _response_rows(db, sql, params, items, labels, safe)
    if labels is None and not raw and items:
        return Table(
            header, rows, lambda dialect: _csv_lines(db, where, params, questionnaire, dialect)
        )
    return Table(header, rows)


def export_answers(db: Database, filters: Filters | None = None):
    """Return the questionnaire and an iterator of (base cells, answers) for the filters.

    Base cells are those of the responses export (``BASE_COLUMNS``); answers are the stored
    answers as decoded from JSON (codes, lists of codes, numbers, text), for formats that
    lay them out their own way (one 0/1 variable per option of a multiple choice).
    """
    filters = filters or Filters()
    questionnaire = export_questionnaire(filters)
    where, params = _where(db, filters, questionnaire)
    return questionnaire, _answer_records(db, _RESPONSES_SQL.format(where=where), params)


def _answer_records(db: Database, sql: str, params: list):
    """Yield (base cells, answers) per response row of the SQL."""
    scan = json.JSONDecoder().scan_once
    cursor = db.conn.execute(sql, params)
    while batch := cursor.fetchmany(FETCH_ROWS):
        for record in batch:
            base = [*record[:8], _joined(record[8]), record[9], _joined(record[10]), *record[11:15]]
            yield base, scan(record[15], 0)[0]


def _nfc(text: str) -> str:
    """Return text NFC-normalised (stored text already is: this is cheap for ASCII)."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


_RESPONSES_SQL = (
    "SELECT r.id, r.questionnaire_id, r.questionnaire_version, r.point_id, r.ward_code,"
    " r.province_code, r.submitted_at, r.started_at, r.modules, r.duration_seconds,"
    " r.flags, r.review_status, r.source, r.locale, r.mode, r.answers"
    " FROM responses r WHERE {where} ORDER BY r.rowid"
)


def _response_rows(
    db: Database, sql: str, params: list, items: list, labels: str | None, safe_text=None
):
    """Yield prepared rows of the SQL's records (see ``_prepared``)."""
    cursor = db.conn.execute(sql, params)
    yield from _prepared(_fetched(cursor), items, labels, safe_text)


def _fetched(cursor):
    """Yield a cursor's records, fetched FETCH_ROWS at a time."""
    while batch := cursor.fetchmany(FETCH_ROWS):
        yield from batch


def _prepared(records, items: list, labels: str | None, safe_text=None):
    """Return prepared rows of the records (see ``_row_maker``), lazily."""
    return map(_row_maker(items, labels, safe_text), records)


def _row_maker(items: list, labels: str | None, safe_text=None):
    """Return a function preparing one record: one JSON decode, fix-ups only where needed."""
    safe_text = safe_text or csvout.safe_text
    ids = [item.id for item in items]
    offset = len(BASE_COLUMNS)
    multiple = [
        (offset + i, {code: rank for rank, code in enumerate(item.all_codes())})
        for i, item in enumerate(items)
        if item.type == "multiple"
    ]
    multiple_columns = {index for index, _ in multiple}
    text = [offset + i for i, item in enumerate(items) if item.type == "text"]
    relabel = _label_maps(items, labels, offset, safe_text) if labels else {}
    scan = json.JSONDecoder().scan_once

    def make(record) -> list:
        row = [*record[:8], _joined(record[8]), record[9], _joined(record[10]), *record[11:15]]
        answers = scan(record[15], 0)[0]
        row += map(answers.get, ids)
        for index, rank in multiple:
            chosen = row[index]
            if chosen is not None:
                if len(chosen) > 1:
                    chosen = sorted(chosen, key=rank.get)
                if labels:
                    chosen = [relabel[index].get(code, code) for code in chosen]
                row[index] = ";".join(chosen)
        for index in text:
            if row[index] is not None:
                row[index] = safe_text(row[index])
        if labels:
            for index, mapping in relabel.items():
                value = row[index]
                if isinstance(value, str) and index not in multiple_columns:
                    row[index] = mapping.get(value, value)
        return row

    return make


# responses.cells holds a response's item cells of the codes export as CSV text (formula
# cells neutralised, quoted as csvout quotes them in both dialects) and responses.cells_key
# the item layout they were written for. The codes export joins them to the base cells in
# SQL instead of decoding the answers, at about the speed of a raw dump. A row whose key is
# not its questionnaire's current one, or NULL (answers changed: a trigger clears both; or a
# row written by other means), is decoded as before, so the bytes never depend on the cache.
# Bump CELLS_FORMAT when the rendering of an item cell changes: stored cells then go stale.
CELLS_FORMAT = 1
# A base cell holding one of these characters needs quoting or a JSON decode: such rows are
# decoded (GLOB pattern; the characters are ", comma, backslash, CR and LF).
_NEEDS_DECODE = '*[",\\\r\n]*'


def cells_key(questionnaire: Questionnaire) -> str:
    """Return the fingerprint of the item columns (and cell format) stored cells are for."""
    layout = [[item.id, item.type, item.all_codes()] for item in questionnaire.items.values()]
    text = json.dumps([CELLS_FORMAT, questionnaire.id, questionnaire.version, layout])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class CellWriter:
    """Render stored answers (JSON text) of one questionnaire version as their stored cells."""

    def __init__(self, questionnaire: Questionnaire):
        self.questionnaire = questionnaire
        self.key = cells_key(questionnaire)
        self._make = _row_maker(list(questionnaire.items.values()), None)
        self._blank = (None,) * 8 + ("[]", None, "[]") + (None,) * 4
        self._offset = len(BASE_COLUMNS)

    def __call__(self, answers_json: str) -> str:
        """Return the item cells of the codes export for these answers, as one CSV text."""
        row = self._make((*self._blank, answers_json))
        return csvout.cells_text(row[self._offset :])


_writers: dict[tuple[str, int], CellWriter] = {}


def cell_writer(questionnaire: Questionnaire) -> CellWriter:
    """Return the CellWriter of a loaded questionnaire version, made once (a submit is hot)."""
    key = (questionnaire.id, questionnaire.version)
    writer = _writers.get(key)
    if writer is None or writer.questionnaire is not questionnaire:
        writer = _writers[key] = CellWriter(questionnaire)
    return writer


def fill_cells(db: Database) -> int:
    """Store the cells of each response without them (known questionnaires); return how many."""
    writers: dict[tuple[str, int], CellWriter | None] = {}

    def cells(qid, version, answers, part):
        writer = writers.get((qid, version), False)
        if writer is False:
            try:
                writer = writers[qid, version] = CellWriter(get(qid, version))
            except KeyError:
                writer = writers[qid, version] = None
        if writer is None:
            return None
        return writer.key if part == "key" else writer(answers)

    return fill_responses(
        db,
        "papi_cells",
        cells,
        "cells = papi_cells(questionnaire_id, questionnaire_version, answers, 'cells'),"
        " cells_key = papi_cells(questionnaire_id, questionnaire_version, answers, 'key')",
        "cells_key IS NULL",
    )


def _joined_sql(column: str) -> str:
    """Return SQL giving a stored JSON list of codes as `a;b`, as ``_joined`` does."""
    return (
        f"CASE {column} WHEN '[]' THEN ''"
        f" ELSE replace(substr({column}, 3, length({column}) - 4), '\", \"', ';') END"
    )


_BASE_TEXT = " || ".join(
    [
        "r.id", "r.questionnaire_id", "r.ward_code", "r.province_code", "r.submitted_at",
        "r.started_at", _joined_sql("r.modules"), _joined_sql("r.flags"), "r.review_status",
        "r.source", "r.locale", "r.mode",
    ]
)  # fmt: skip
_LINE = " || ',' || ".join(
    [
        "r.id", "r.questionnaire_id", "r.questionnaire_version", "r.point_id", "r.ward_code",
        "r.province_code", "r.submitted_at", "r.started_at", _joined_sql("r.modules"),
        "coalesce(r.duration_seconds, '')", _joined_sql("r.flags"), "r.review_status",
        "r.source", "r.locale", "r.mode", "r.cells",
    ]
)  # fmt: skip
# One text per row, or NULL where the row must be decoded: its stored cells are missing or
# stale, a number is stored as something else, or a base cell would need quoting.
_LINES_SQL = (
    "SELECT r.rowid, CASE WHEN r.cells_key = ?"
    " AND typeof(r.questionnaire_version) = 'integer' AND typeof(r.point_id) = 'integer'"
    " AND typeof(r.duration_seconds) IN ('integer', 'null')"
    " AND (r.modules = '[]' OR r.modules GLOB '[[]\"*\"]')"
    " AND (r.flags = '[]' OR r.flags GLOB '[[]\"*\"]')"
    f" AND NOT ({_BASE_TEXT}) GLOB ? THEN {_LINE} END"
    " FROM responses r WHERE {where} ORDER BY r.rowid"
)


def _csv_lines(db: Database, where: str, params: list, questionnaire, dialect: str):
    """Yield the codes export's rows as CSV chunks (no header): stored cells, else decoded."""
    end = "\r\n" if dialect == "excel" else "\n"
    sql = _LINES_SQL.format(where=where)
    cursor = db.conn.execute(sql, [cells_key(questionnaire), _NEEDS_DECODE, *params])
    while batch := cursor.fetchmany(FETCH_ROWS):
        lines = [line for _, line in batch]
        if None in lines:
            _decode_missing(db, where, params, questionnaire, dialect, batch, lines)
        lines.append("")
        yield end.join(lines).encode("utf-8")


def _decode_missing(db, where, params, questionnaire, dialect, batch, lines) -> None:
    """Fill the lines left NULL with the rows decoded from their answers."""
    missing = [rowid for rowid, line in batch if line is None]
    sql = _RESPONSES_SQL.format(where=f"r.rowid IN (SELECT value FROM json_each(?)) AND {where}")
    items = list(questionnaire.items.values())
    records = db.conn.execute(sql, [json.dumps(missing), *params])
    texts = iter(csvout.row_texts(_prepared(records, items, None), dialect))
    for index, line in enumerate(lines):
        if line is None:
            lines[index] = next(texts)


def _bound(item, value):
    """Return a range bound for the codebook: a decimal's with its places ("0.0"), else as is."""
    if item.type == "decimal" and value is not None:
        return decimals.stored(value, item.decimals)
    return value


def _joined(codes: str) -> str:
    """Return a stored JSON list of codes as `a;b` (codes are snake_case: no escapes)."""
    if "\\" in codes:
        return ";".join(json.loads(codes))
    return codes[2:-2].replace('", "', ";")


def _label_maps(items: list, lang: str, offset: int, safe_text) -> dict[int, dict]:
    """Return {column: {code: safe label}} for every item with options, labels in lang."""
    return {
        offset + i: {o.code: safe_text(o.label(lang)) for o in item.options + item.special}
        for i, item in enumerate(items)
        if item.options or item.special
    }


def stream(table: Table, dialect: str = "plain") -> Iterator[bytes]:
    """Yield a table as CSV chunks in the dialect."""
    if table.csv is None:
        return csvout.stream(table.header, table.rows, dialect, prepared=True)
    return itertools.chain(csvout.stream(table.header, [], dialect), table.csv(dialect))


# Rowids per worker task: about 6 MB of CSV, so the parent holds a few such chunks at most.
PART_ROWIDS = 25_000


def stream_responses(
    db: Database,
    filters: Filters | None = None,
    labels: str | None = None,
    dialect: str = "plain",
    processes: int = 2,
) -> Iterator[bytes]:
    """Return the responses export as CSV chunks; decoded rows by worker processes.

    The bytes are those of ``stream(export_responses(...))``: each row's CSV does not depend
    on its neighbours, so ranges encoded apart and joined in order give the same file. Bad
    filters raise ExportError here, before any byte is produced.
    """
    table = export_responses(db, filters, labels)
    span = db.execute("SELECT min(rowid), max(rowid) FROM responses").fetchone()
    path = db.execute("PRAGMA database_list").fetchone()[2]
    # Stored cells copied by SQL outrun the workers' start and the chunks' trip between
    # processes (1M rows, load 3.8: 6.7 s in one process, 12.7 s with two), so they stay here.
    small = span[0] is None or span[1] - span[0] < PART_ROWIDS
    if processes < 2 or table.csv is not None or small or not path:
        return stream(table, dialect)
    filters = filters or Filters()
    questionnaire = export_questionnaire(filters)
    where, params = _where(db, filters, questionnaire)
    parts = [
        (path, where, params, questionnaire.id, questionnaire.version, labels, dialect, lo)
        for lo in range(span[0], span[1] + 1, PART_ROWIDS)
    ]
    return _parallel(table.header, dialect, parts, processes)


def _parallel(header, dialect, parts, processes):
    """Yield the header, then each part's CSV bytes in order as the workers finish them."""
    yield from csvout.stream(header, [], dialect)  # byte-order mark and header
    # Frozen objects are left alone by the workers' garbage collector, so the pages the
    # workers share with this process stay shared instead of being copied (less memory).
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            yield from pool.imap(_encode_part, parts)
    finally:
        gc.unfreeze()


def _encode_part(part) -> bytes:
    """Return the CSV bytes (no header, no byte-order mark) of one rowid range."""
    path, where, params, qid, version, labels, dialect, lo = part
    db = connect(path)
    try:
        part_where = f"r.rowid >= ? AND r.rowid < ? AND {where}"
        part_params = [lo, lo + PART_ROWIDS, *params]
        items = list(get(qid, version).items.values())
        sql = _RESPONSES_SQL.format(where=part_where)
        rows = _response_rows(db, sql, part_params, items, labels)
        data = b"".join(csvout.stream(None, rows, dialect, prepared=True))
    finally:
        db.close()
    return data.removeprefix(csvout.BOM.encode("utf-8"))


def export_codebook(questionnaire: Questionnaire, raw: bool = False) -> Table:
    """Return the codebook: one row per item option (one row for items without options).

    With ``raw`` the cells are as stored (None for empty), not made safe for CSV.
    """
    header = list(CODEBOOK_COLUMNS)
    if raw:
        return Table(header, _codebook_rows(questionnaire))
    return Table(header, (csvout.safe_row(row) for row in _codebook_rows(questionnaire)))


def _codebook_rows(questionnaire: Questionnaire):
    """Yield the raw codebook rows in questionnaire order."""
    for item in questionnaire.items.values():
        scoring = item.scoring
        common = {
            "item_id": item.id,
            "type": item.type,
            "wording_vi": item.text_vi,
            "wording_en": item.text_en,
            "dimension": scoring.dimension if scoring else None,
            "subdimension": scoring.subdimension if scoring else None,
            "indicator": scoring.indicator if scoring else None,
            "direction": scoring.direction if scoring else None,
            "role": item.role,
            "weighting_variable": item.weighting_variable,
            "skip_condition": describe(item.show_if),
            "eligibility": describe(scoring.eligibility) if scoring else None,
            "dont_know_rule": scoring.dont_know if scoring else None,
            "module": item.module_id,
            "page": item.page_id,
            "required": "yes" if item.required else "no",
            "min": _bound(item, item.min),
            "max": _bound(item, item.max),
            "anchors": ";".join(str(a) for a in scoring.anchors)
            if scoring and scoring.anchors
            else None,
            "unit_vi": item.unit_vi or None,
            "unit_en": item.unit_en or None,
        }
        options = item.options + item.special
        for option in options or (None,):
            row = dict(common)
            if option is not None:
                score = (scoring.score or {}).get(option.code) if scoring else None
                row.update(
                    option_code=option.code,
                    option_label_vi=option.vi,
                    option_label_en=option.en,
                    special="yes" if option.special else "no",
                    score=score,
                )
            yield [row.get(column) for column in CODEBOOK_COLUMNS]


def describe(condition) -> str | None:
    """Return a condition in words an analyst reads: `services_used includes certification`."""
    if condition is None:
        return None
    op = condition.op
    if op in ("all", "any"):
        joiner = " and " if op == "all" else " or "
        return joiner.join(_parenthesised(child) for child in condition.children)
    if op == "not":
        return f"not {_parenthesised(condition.children[0])}"
    ref = condition.item_id
    values = ", ".join(str(v) for v in condition.values)
    if op == "answered":
        return f"{ref} answered" if condition.values[0] else f"{ref} not answered"
    if op in ("gte", "lte"):
        return f"{ref} {'>=' if op == 'gte' else '<='} {values}"
    many = condition.item is not None and condition.item.type == "multiple"
    verb = {("in", False): "in", ("not_in", False): "not in"}.get((op, many))
    if verb is None:
        verb = "includes any of" if op == "in" else "includes none of"
    return f"{ref} {verb} ({values})"


def _parenthesised(condition) -> str:
    """Describe a condition, in parentheses if it combines others."""
    text = describe(condition)
    return f"({text})" if condition.op in ("all", "any") else text
