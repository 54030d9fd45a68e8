"""Import responses from the responses export format (codes, not labels): all or nothing.

Every row is checked against its questionnaire version (known items, valid codes, types,
ranges, skip logic: no answer to an item its module or its conditions hide), against the
places (known point, the point's ward and province) and against duplicates (a response id
twice in the file, or already stored). An amount of money is a whole number of its item's
unit, as exported; a cell typed from a paper form ("500 nghìn", "1,5 triệu") is read as the
citizen pages read it (``survey.questionnaire.amounts``), and an ambiguous one is a problem.
Every problem is reported with its line number; if there is any, nothing is stored. Text is
stored NFC; formula-neutralising quotes added by the export are removed. The ``source`` cell
is kept (``web`` or ``import``; empty means ``import``), and so is ``mode`` (``web`` or
``paper``; a file exported before that column existed is all ``web``), so that exporting,
importing into a fresh instance and exporting again gives identical bytes; the import itself
is recorded in the audit log.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlite_utils import Database

from survey import access, audit, csvout, exports, privacy
from survey.db import immediate
from survey.domain_errors import DomainError, require
from survey.exports import BASE_COLUMNS
from survey.locales import LOCALES
from survey.questionnaire import Questionnaire, amounts, decimals, get
from survey.questionnaire.amounts import AmountError
from survey.questionnaire.catalogue import available
from survey.questionnaire.decimals import DecimalError
from survey.questionnaire.logic import is_shown

# A letter or digit first: a cell starting with "-" is read as a formula by spreadsheets.
RESPONSE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z")
INTEGER = re.compile(r"-?\d{1,12}\Z")
FLAG = re.compile(r"[a-z0-9_]{1,40}\Z")
FORBIDDEN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")
# Rows inserted per executemany call while the transaction is open.
INSERT_ROWS = 5000
_INSERT = (
    "INSERT INTO responses (id, point_id, ward_code, province_code, questionnaire_id,"
    " questionnaire_version, modules, answers, locale, started_at, submitted_at,"
    " duration_seconds, flags, review_status, source, mode)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file, where it is."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class ImportFailed(DomainError):
    """The file was refused; nothing was stored. `problems` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("bad_file")
        self.args = ("\n".join(str(p) for p in problems),)


class _RowError(Exception):
    """A cell that cannot be read."""


def import_responses(db: Database, file, filename: str = "", user: dict | None = None) -> int:
    """Import every response of a binary CSV file, or none; return how many were stored.

    ``user`` None is the command line; of the staff only an administrator may import answers.
    Raises Refused, or ImportFailed with every problem.
    """
    require(access.can(user, "import_responses"))
    digest = hashlib.sha256()
    rows = csvout.reader(_Hashing(file, digest))
    problems: list[Problem] = []
    try:
        header = next(rows)
    except StopIteration:
        raise ImportFailed([Problem(1, "", "the file is empty")]) from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ImportFailed([Problem(1, "", f"not a UTF-8 CSV file ({exc})")]) from None
    stored = 0
    with immediate(db):
        checker = _Checker(db, header)
        batch: list[tuple] = []
        line = rows.line_num + 1
        try:
            for cells in rows:
                row_problems, record = checker.check(line, cells)
                problems.extend(row_problems)
                if record is not None and not problems:
                    batch.append(record)
                    if len(batch) >= INSERT_ROWS:
                        stored += _insert(db, batch)
                line = rows.line_num + 1
        except (UnicodeDecodeError, csv.Error) as exc:
            problems.append(Problem(line, "", f"the file cannot be read here ({exc})"))
        problems = checker.header_problems + problems
        if not problems and stored + len(batch) == 0:
            problems.append(Problem(line, "", "the file holds no responses"))
        if problems:
            raise ImportFailed(problems)
        stored += _insert(db, batch)
        exports.fill_cells(db)  # the export's stored cells of the new rows (#10.7)
        detail = {"filename": filename, "sha256": digest.hexdigest(), "responses": stored}
        audit.record(db, user, "import_responses", "responses", filename or "-", detail)
    return stored


class _Hashing:
    """A binary file wrapper that hashes what is read through it."""

    def __init__(self, file, digest):
        self.file, self.digest = file, digest

    def readable(self) -> bool:
        return True

    def read(self, size=-1):
        data = self.file.read(size)
        self.digest.update(data)
        return data

    def read1(self, size=-1):
        return self.read(size)

    def readinto(self, buffer):
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    @property
    def closed(self) -> bool:
        return False

    def seekable(self) -> bool:
        return False

    def writable(self) -> bool:
        return False

    def close(self) -> None:
        """Leave the caller's file open."""

    def flush(self) -> None:
        """Nothing to flush."""


def _insert(db: Database, batch: list[tuple]) -> int:
    """Insert a batch of checked records and empty it; return how many."""
    db.conn.executemany(_INSERT, batch)
    count = len(batch)
    batch.clear()
    return count


class _Checker:
    """Check rows against the header's questionnaire, the places and the ids seen."""

    def __init__(self, db: Database, header: list[str]):
        self.db = db
        self.header = header
        self.header_problems: list[Problem] = []
        self.questionnaire: Questionnaire | None = None
        self.seen: set[str] = set()
        self.points: dict[int, tuple | None] = {}
        base = list(BASE_COLUMNS)
        # Exports made before the mode column (every response then was web) still import.
        self.has_mode = header[: len(base)] == base
        if not self.has_mode:
            base = [column for column in base if column != "mode"]
        if header[: len(base)] != base:
            self._header_problem(f"the first columns must be {', '.join(BASE_COLUMNS)}")
            return
        for (qid, version), candidate in _shipped_items():
            if header[len(base) :] == candidate:
                self.questionnaire = get(qid, version)
                break
        else:
            self._header_problem(
                "the item columns do not match any questionnaire version: export the file with "
                "codes (not labels) and do not add, remove or reorder columns"
            )

    def _header_problem(self, message: str) -> None:
        """Record a problem with the header line."""
        self.header_problems.append(Problem(1, "", message))

    def check(self, line: int, cells: list[str]) -> tuple[list[Problem], tuple | None]:
        """Return the problems of one row, and its record for insertion if it has none."""
        if self.questionnaire is None:
            return [], None
        if len(cells) != len(self.header):
            message = f"has {len(cells)} cells, the header has {len(self.header)}"
            return [Problem(line, "", message)], None
        values = dict(zip(self.header, cells, strict=True))
        problems: list[Problem] = []

        def cell(column, parse):
            try:
                return parse(values[column])
            except _RowError as exc:
                problems.append(Problem(line, column, str(exc)))
                return None

        response_id = cell("response_id", self._response_id)
        cell("questionnaire_id", self._same(self.questionnaire.id))
        cell("questionnaire_version", self._same(str(self.questionnaire.version)))
        place = cell("point_id", self._point)
        if place is not None:
            ward, province = place
            cell("ward_code", self._same(ward, "the collection point's ward"))
            cell("province_code", self._same(province, "the ward's province"))
        submitted = cell("submitted_at", _timestamp)
        started = cell("started_at", _timestamp)
        if submitted and started and started > submitted:
            problems.append(Problem(line, "started_at", "is later than submitted_at"))
        modules = cell("modules_shown", self._modules)
        duration = cell("duration_seconds", _duration)
        flags = cell("flags", _flags)
        status = cell("review_status", _choice(("included", "excluded")))
        source = cell("source", _choice(("web", "import", "")))
        locale = cell("locale", _choice(LOCALES))
        mode = cell("mode", _choice(("web", "paper"))) if self.has_mode else "web"
        # A paper form may answer a question its skips said to leave out: kept, and flagged.
        kept = "paper_skip_violated" in (flags or [])
        answers = self._answers(line, values, modules or [], problems, kept)
        if problems:
            return problems, None
        # Masked as on the citizen pages; already masked text (an export) is left as it is.
        answers, flags = privacy.mask_response(self.questionnaire, answers, flags)
        record = (
            response_id, int(values["point_id"]), values["ward_code"], values["province_code"],
            self.questionnaire.id, self.questionnaire.version, json.dumps(modules),
            json.dumps(answers, ensure_ascii=False, sort_keys=True), locale, started, submitted,
            duration, json.dumps(sorted(flags)), status, source or "import", mode,
        )  # fmt: skip
        return problems, record

    def _response_id(self, text: str) -> str:
        """Check a response id: well formed, new in the file and in the database."""
        if not RESPONSE_ID.match(text):
            raise _RowError(
                "a response id has 1 to 64 letters, digits, '-' or '_',"
                " starting with a letter or digit"
            )
        if text in self.seen:
            raise _RowError(f"response {text} appears twice in the file")
        self.seen.add(text)
        if self.db.execute("SELECT 1 FROM responses WHERE id = ?", [text]).fetchone():
            raise _RowError(f"response {text} is already stored")
        return text

    @staticmethod
    def _same(expected: str, what: str = ""):
        """Return a parser that accepts only the expected text."""

        def parse(text: str) -> str:
            if text != expected:
                raise _RowError(f"is {text!r}, expected {expected!r}" + (f" ({what})" * bool(what)))
            return text

        return parse

    def _point(self, text: str) -> tuple[str, str]:
        """Return (ward, province) of a known collection point."""
        if not INTEGER.match(text):
            raise _RowError("a collection point id is a whole number")
        point_id = int(text)
        if point_id not in self.points:
            row = self.db.execute(
                "SELECT p.ward_code, w.province_code FROM points p"
                " JOIN wards w ON w.code = p.ward_code WHERE p.id = ?",
                [point_id],
            ).fetchone()
            self.points[point_id] = tuple(row) if row else None
        if self.points[point_id] is None:
            raise _RowError(f"unknown collection point {point_id}")
        return self.points[point_id]

    def _modules(self, text: str) -> list[str]:
        """Return the modules shown, checked and in questionnaire order."""
        names = text.split(";") if text else []
        known = [m.id for m in self.questionnaire.modules]
        unknown = [n for n in names if n not in known]
        if unknown:
            raise _RowError(f"unknown module(s) {', '.join(unknown)}")
        missing = [m.id for m in self.questionnaire.core_modules if m.id not in names]
        if missing:
            raise _RowError(f"core module(s) {', '.join(missing)} missing")
        return [m for m in known if m in names]

    def _answers(
        self, line: int, values: dict, modules: list, problems: list, kept: bool = False
    ) -> dict:
        """Return the answers of a row; hidden (unless kept) or invalid answers are problems."""
        answers: dict = {}
        shown_modules = set(modules)
        for item in self.questionnaire.items.values():
            text = values[item.id]
            if text == "":
                continue
            try:
                value = parse_answer(item, text)
            except _RowError as exc:
                problems.append(Problem(line, item.id, str(exc)))
                continue
            if item.module_id not in shown_modules:
                message = f"is answered but module {item.module_id} was not shown"
                problems.append(Problem(line, item.id, message))
            elif not kept and not is_shown(item, answers):
                message = "is answered but the skip logic hides it"
                problems.append(Problem(line, item.id, message))
            else:
                answers[item.id] = value
        return answers


def parse_answer(item, text: str):
    """Return the stored form of one exported answer cell; _RowError if invalid."""
    codes = item.all_codes()
    if item.type in ("yes_no", "single", "likert5", "rating10"):
        if text not in codes:
            raise _RowError(f"{text!r} is not one of {', '.join(codes)}")
        return text
    if item.type == "multiple":
        chosen = text.split(";")
        bad = [c for c in chosen if c not in codes]
        if bad:
            raise _RowError(f"{', '.join(map(repr, bad))} not among {', '.join(codes)}")
        if len(set(chosen)) != len(chosen):
            raise _RowError("an answer is listed twice")
        alone = [c for c in chosen if item.option(c).exclusive or item.option(c).special]
        if alone and len(chosen) > 1:
            raise _RowError(f"{alone[0]!r} cannot be chosen with other answers")
        return sorted(chosen, key=codes.index)
    if item.type == "integer":
        if text in codes:
            return text
        unit = amounts.item_unit(item)
        if unit is not None and not INTEGER.match(text):
            return _amount(item, unit, text)
        if not INTEGER.match(text):
            raise _RowError(f"{text!r} is not a whole number or one of {', '.join(codes)}")
        number = int(text)
        low = item.min if item.min is not None else 0
        high = item.max if item.max is not None else 10**9
        if not low <= number <= high:
            raise _RowError(f"{number} is outside {low} to {high}")
        return number
    if item.type == "decimal":
        return _decimal(item, text)
    value = unicodedata.normalize("NFC", csvout.restore_text(text))
    if FORBIDDEN_TEXT.search(value):
        raise _RowError("the text holds control characters")
    limit = item.max_length or 500
    # A mask counts as one character: the text was within the limit before it was masked.
    length = privacy.length_without_masks(value)
    if length > limit:
        raise _RowError(f"the text has {length} characters, at most {limit} are allowed")
    return value


def _decimal(item, text: str) -> str:
    """Read a decimal cell in the export's form ("2.5": a dot, no grouping) exactly, as text."""
    if text in item.all_codes():
        return text
    try:
        return decimals.parse(text, item.decimals, item.min, item.max, strict=True)
    except DecimalError as error:
        if error.kind == "places":
            raise _RowError(f"{text!r} has more than {item.decimals} decimal places") from None
        if error.kind == "range":
            raise _RowError(f"{text!r} is outside {item.min} to {item.max}") from None
        codes = ", ".join(item.all_codes())
        also = f" or one of {codes}" if codes else ""
        raise _RowError(f"{text!r} is not a number written like 2.5{also}") from None


def _amount(item, unit: int, text: str) -> int:
    """Read a sum typed from a paper form ("500 nghìn", "1,5 triệu") as the citizen pages do."""
    low = item.min if item.min is not None else 0
    try:
        return amounts.parse_amount(text, unit, low, item.max, digits_in_unit=True)
    except AmountError as error:
        if error.kind == "ambiguous":
            readings = " or ".join(str(r) for r in error.readings)
            raise _RowError(
                f"{text!r} can mean {readings} ({item.unit_en}): write the unit, for example "
                "'500 nghìn' or '2 triệu', or the number of the unit in digits only"
            ) from None
        if error.kind == "fraction":
            raise _RowError(f"{text!r} is not a whole number of {item.unit_en}") from None
        if error.kind == "range":
            raise _RowError(f"{text!r} is outside {low} to {item.max} {item.unit_en}") from None
        codes = ", ".join(item.all_codes())
        raise _RowError(f"{text!r} is not a whole number or one of {codes}") from None


def _timestamp(text: str) -> str:
    """Return an ISO 8601 time with offset as UTC with seconds."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _RowError(f"{text!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise _RowError(f"{text!r} has no time zone (write +00:00 for UTC)")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _duration(text: str) -> int | None:
    """Return a duration in whole seconds, or None."""
    if text == "":
        return None
    if not INTEGER.match(text) or int(text) < 0:
        raise _RowError("a duration is a whole number of seconds, 0 or more")
    return int(text)


def _flags(text: str) -> list[str]:
    """Return the quality flags of a `;`-joined cell."""
    flags = text.split(";") if text else []
    bad = [f for f in flags if not FLAG.match(f)]
    if bad:
        raise _RowError(f"flags are lower-case codes, not {', '.join(map(repr, bad))}")
    return flags


def _choice(allowed: tuple[str, ...]):
    """Return a parser that accepts one of the allowed texts."""

    def parse(text: str) -> str:
        if text not in allowed:
            shown = ", ".join(repr(a) for a in allowed if a)
            raise _RowError(f"{text!r} is not one of {shown}")
        return text

    return parse


def _shipped_items():
    """Yield ((id, version), item column names) for every questionnaire, the instance's too."""
    for key, questionnaire in sorted(available().items()):
        yield key, list(questionnaire.items)
