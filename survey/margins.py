"""Population margins for weighting: load a long CSV, validate it completely, keep history.

The file has the header ``unit_code,variable,category,population``: one row per ward, weighting
variable (``sex``, ``age_band``: the ``weighting_variable`` of the questionnaires' weighting
items) and category (that item's option code). Every problem is reported with its line, and
nothing is stored unless the whole file is valid. A new set supersedes the one in force (its
``superseded_at`` is set) and old sets stay, so an estimate can say which margins it used.
"""

import csv
import hashlib
import io
import unicodedata
from datetime import UTC, datetime

from sqlite_utils import Database

from survey import access, audit
from survey.db import immediate
from survey.domain_errors import DomainError, require
from survey.questionnaire import catalogue

HEADER = ["unit_code", "variable", "category", "population"]
MAX_PROBLEMS = 50  # enough to fix a file in one go without flooding the page


class MarginProblem(tuple):
    """One problem: (line, code, detail dict); the code selects the message shown."""

    __slots__ = ()

    def __new__(cls, line, code, **detail):
        return super().__new__(cls, (line, code, detail))

    line = property(lambda self: self[0])
    code = property(lambda self: self[1])
    detail = property(lambda self: self[2])


MESSAGES = {
    "encoding": "The file is not UTF-8 text.",
    "header": "The first line must be exactly: unit_code,variable,category,population.",
    "columns": "Line {line}: expected 4 values.",
    "empty": "The file has no margin rows.",
    "unit": "Line {line}: unknown ward code {unit}.",
    "variable": "Line {line}: unknown weighting variable {variable}.",
    "category": "Line {line}: {category} is not a category of {variable}.",
    "population": "Line {line}: population {value} is not a whole number of zero or more.",
    "duplicate": "Line {line}: {unit} {variable} {category} was already given.",
    "missing": "Ward {unit}: {variable} has no row for category {category}.",
    "totals": "Ward {unit}: {variable} adds up to {total}, but {first} adds up to {expected}.",
}


class FileProblems(DomainError):
    """A CSV file was refused; ``problems`` lists why, worded by the class's ``MESSAGES``."""

    MESSAGES = MESSAGES

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("bad_file")
        self.args = ("\n".join(self.describe(p) for p in self.problems),)

    @classmethod
    def describe(cls, problem) -> str:
        """Return the English sentence for a problem (the web page translates the same codes)."""
        return cls.MESSAGES[problem.code].format(line=problem.line, **problem.detail)

    @classmethod
    def rows(cls, data: bytes, header: list[str]):
        """Return a reader of the rows after the header, NFC; refused unless UTF-8 with it."""
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise cls([MarginProblem(0, "encoding")]) from None
        reader = csv.reader(io.StringIO(unicodedata.normalize("NFC", text)))
        first = next(reader, None)
        if [h.strip() for h in first or []] != header:
            raise cls([MarginProblem(1, "header")])
        return reader


class MarginError(FileProblems):
    """The margins file was refused; ``problems`` lists why."""


def weighting_categories() -> dict[str, list[str]]:
    """Return {variable: [option codes in declared order]} over the shipped questionnaires."""
    found: dict[str, list[str]] = {}
    for questionnaire in catalogue.shipped().values():
        for item in questionnaire.items.values():
            if item.role == "weighting":
                codes = found.setdefault(item.weighting_variable, [])
                codes.extend(o.code for o in item.options if o.code not in codes)
    return found


def parse(db: Database, data: bytes) -> list[tuple]:
    """Return validated rows (unit, variable, category, population); MarginError otherwise."""
    reader = MarginError.rows(data, HEADER)
    known_units = {r[0] for r in db.execute("SELECT code FROM wards")}
    categories = weighting_categories()
    problems, rows, seen = [], [], set()
    for line, raw in enumerate(reader, start=2):
        if not any(cell.strip() for cell in raw):
            continue
        problem = _check_row(line, raw, known_units, categories, seen)
        if problem:
            problems.append(problem)
        else:
            rows.append(tuple(cell.strip() for cell in raw[:3]) + (int(raw[3].strip()),))
        if len(problems) >= MAX_PROBLEMS:
            break
    if not rows and not problems:
        problems.append(MarginProblem(0, "empty"))
    if not problems:
        problems = _check_units(rows, categories)
    if problems:
        raise MarginError(problems[:MAX_PROBLEMS])
    return rows


def _check_row(line, raw, known_units, categories, seen):
    """Return the problem with one data row, or None."""
    if len(raw) != 4:
        return MarginProblem(line, "columns")
    unit, variable, category, population = (cell.strip() for cell in raw)
    if unit not in known_units:
        return MarginProblem(line, "unit", unit=unit)
    if variable not in categories:
        return MarginProblem(line, "variable", variable=variable)
    if category not in categories[variable]:
        return MarginProblem(line, "category", variable=variable, category=category)
    if not (population.isascii() and population.isdigit()):
        return MarginProblem(line, "population", value=population)
    key = (unit, variable, category)
    if key in seen:
        return MarginProblem(line, "duplicate", unit=unit, variable=variable, category=category)
    seen.add(key)
    return None


def _check_units(rows, categories):
    """Return problems of whole units: missing categories, totals that disagree."""
    units: dict[str, dict[str, dict[str, int]]] = {}
    for unit, variable, category, population in rows:
        units.setdefault(unit, {}).setdefault(variable, {})[category] = population
    problems = []
    for unit, variables in units.items():
        for variable in categories:
            for category in categories[variable]:
                if category not in variables.get(variable, {}):
                    problems.append(
                        MarginProblem(0, "missing", unit=unit, variable=variable, category=category)
                    )
        totals = [(v, sum(cats.values())) for v, cats in variables.items()]
        first, expected = totals[0]
        for variable, total in totals[1:]:
            if total != expected:
                problems.append(
                    MarginProblem(
                        0,
                        "totals",
                        unit=unit,
                        variable=variable,
                        total=total,
                        first=first,
                        expected=expected,
                    )
                )
    return problems


def load(db: Database, data: bytes, filename: str, loaded_by: str) -> int:
    """Validate and store a margins file as the set in force; return the new set's id."""
    rows = parse(db, data)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with immediate(db):
        db.execute("UPDATE margin_sets SET superseded_at = ? WHERE superseded_at IS NULL", [now])
        cursor = db.execute(
            "INSERT INTO margin_sets (loaded_at, loaded_by, filename, sha256, row_count)"
            " VALUES (?, ?, ?, ?, ?)",
            [now, loaded_by, filename, hashlib.sha256(data).hexdigest(), len(rows)],
        )
        set_id = cursor.lastrowid
        db.conn.executemany(
            "INSERT INTO margins (set_id, unit_code, variable, category, population)"
            " VALUES (?, ?, ?, ?, ?)",
            [(set_id, *row) for row in rows],
        )
    return set_id


def upload(db: Database, actor: dict | None, data: bytes, filename: str) -> dict:
    """Validate and store a margins file as the set in force, audit-logged; return the set.

    ``actor`` None is the command line. Raises Refused, or MarginError with every problem.
    """
    require(access.can(actor, "set_margins"))
    with immediate(db):
        set_id = load(db, data, filename, actor["username"] if actor else "cli")
        row = next(db.query("SELECT * FROM margin_sets WHERE id = ?", [set_id]))
        audit.record(
            db,
            actor,
            "load_margins",
            "margins",
            set_id,
            {"filename": filename, "sha256": row["sha256"], "rows": row["row_count"]},
        )
    return row


def current_set(db: Database) -> dict | None:
    """Return the margin set in force, or None."""
    rows = list(
        db.query("SELECT * FROM margin_sets WHERE superseded_at IS NULL ORDER BY id DESC LIMIT 1")
    )
    return rows[0] if rows else None


def ward_populations(db: Database, province: str) -> dict[str, float | None]:
    """Return {ward: population} of a province: the margins' total in force, else the units'."""
    found = {
        code: float(pop) if pop else None
        for code, pop in db.execute(
            "SELECT code, population FROM wards WHERE province_code = ?", [province]
        )
    }
    in_force = current_set(db)
    if in_force is None:
        return found
    margin = db.execute(
        "SELECT m.unit_code, m.variable, sum(m.population) FROM margins m"
        " JOIN wards w ON w.code = m.unit_code WHERE m.set_id = ? AND w.province_code = ?"
        " GROUP BY m.unit_code, m.variable ORDER BY m.variable",
        [in_force["id"], province],
    )
    seen = set()
    for code, _variable, total in margin:
        if code not in seen:  # one variable's categories add up to the ward's population
            found[code] = float(total)
            seen.add(code)
    return found


def list_sets(db: Database) -> list[dict]:
    """Return every margin set, newest first (the history)."""
    return list(db.query("SELECT * FROM margin_sets ORDER BY id DESC"))


def margins_by_unit(db: Database, set_id: int, variables) -> dict[str, dict]:
    """Return {unit: {variable: {category: population}}} of a set, categories in declared order."""
    order = weighting_categories()
    found: dict[str, dict] = {}
    for unit, variable, category, population in db.execute(
        "SELECT unit_code, variable, category, population FROM margins WHERE set_id = ?",
        [set_id],
    ):
        if variable in variables:
            found.setdefault(unit, {}).setdefault(variable, {})[category] = population
    for per in found.values():
        for variable, cats in per.items():
            per[variable] = {c: cats[c] for c in order.get(variable, cats) if c in cats}
    return found
