"""Provinces' PAPI plan targets ("Kế hoạch nâng cao chỉ số PAPI") and progress against them.

A targets file is CSV with the header ``province_code,year,dimension,target``: one row per
province, year and dimension (``total`` or ``D1``..``D8``). It is checked completely, every
problem with its line, and stored all or nothing. A loaded row supersedes the target in force
for the same province, year and dimension (its ``superseded_at`` is set); old rows stay, so
the history of a plan can be read back. Storage functions, no Flask.

Progress compares the estimate's interval with the target: "likely met" when the lower bound
is above it, "likely not met" when the upper bound is below it, otherwise "cannot tell yet".
An estimate that is not shown (too few answers, too wide) gives no verdict.
"""

from sqlite_utils import Database

from survey import access, audit
from survey.db import immediate
from survey.domain_errors import require
from survey.margins import FileProblems, MarginProblem
from survey.points import now_iso

HEADER = ["province_code", "year", "dimension", "target"]
DIMENSIONS = ("total", "D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8")
# PAPI's scales: each dimension scores 1 to 10, the total (their sum) 10 to 80.
SCALE = {"total": (10.0, 80.0)} | {d: (1.0, 10.0) for d in DIMENSIONS[1:]}
YEARS = (2000, 2100)  # a plan year outside this is a typing error
MAX_PROBLEMS = 50  # as for margins: enough to fix a file in one go

MET, NOT_MET, UNSURE, UNRELIABLE = "likely_met", "likely_not_met", "cannot_tell", "unreliable"

MESSAGES = {
    "encoding": "The file is not UTF-8 text.",
    "header": "The first line must be exactly: province_code,year,dimension,target.",
    "columns": "Line {line}: expected 4 values.",
    "empty": "The file has no target rows.",
    "province": "Line {line}: unknown province code {province}.",
    "scope": "Line {line}: province {province} is not one of yours.",
    "year": "Line {line}: year {year} is not a year such as 2026.",
    "dimension": "Line {line}: unknown dimension {dimension}; use total or D1 to D8.",
    "target": "Line {line}: target {target} is not a number from {low} to {high}.",
    "duplicate": "Line {line}: {province} {year} {dimension} was already given on line {first}.",
}


# A file's problem as margins report theirs: (line, code, detail); the code picks the message.
TargetProblem = MarginProblem


class TargetError(FileProblems):
    """The targets file was refused; ``problems`` lists why."""

    MESSAGES = MESSAGES


def dimension_key(dimension: str) -> str:
    """Return the engine's key of a file's dimension (``D3`` -> ``d3``, ``total``)."""
    return dimension.lower()


def parse(db: Database, data: bytes, provinces=None) -> list[tuple]:
    """Return rows (province, year, dimension, target); TargetError with every problem."""
    reader = TargetError.rows(data, HEADER)
    known = {r[0] for r in db.execute("SELECT code FROM provinces")}
    problems, rows, seen = [], [], {}
    for line, raw in enumerate(reader, start=2):
        if not any(cell.strip() for cell in raw):
            continue
        found = _check_row(line, raw, known, provinces, seen)
        if isinstance(found, TargetProblem):
            problems.append(found)
        else:
            rows.append(found)
        if len(problems) >= MAX_PROBLEMS:
            break
    if not rows and not problems:
        problems.append(TargetProblem(0, "empty"))
    if problems:
        raise TargetError(problems)
    return rows


def _check_row(line, raw, known, provinces, seen):
    """Return the row (province, year, dimension, target) or its problem."""
    if len(raw) != 4:
        return TargetProblem(line, "columns")
    province, year, dimension, target = (cell.strip() for cell in raw)
    code = f"{int(province):02d}" if province.isascii() and province.isdigit() else province
    if code not in known:
        return TargetProblem(line, "province", province=province)
    if provinces is not None and code not in provinces:
        return TargetProblem(line, "scope", province=province)
    if not (year.isascii() and year.isdigit() and YEARS[0] <= int(year) <= YEARS[1]):
        return TargetProblem(line, "year", year=year)
    if dimension not in DIMENSIONS:
        return TargetProblem(line, "dimension", dimension=dimension)
    low, high = SCALE[dimension]
    value = _number(target)
    if value is None or not low <= value <= high:
        return TargetProblem(line, "target", target=target, low=low, high=high)
    key = (code, int(year), dimension)
    if key in seen:
        return TargetProblem(
            line, "duplicate", province=code, year=year, dimension=dimension, first=seen[key]
        )
    seen[key] = line
    return (code, int(year), dimension_key(dimension), value)


def _number(text: str) -> float | None:
    """Return the number written with a dot or a Vietnamese decimal comma, or None."""
    text = text.replace(",", ".")
    if not text.isascii() or text.count(".") > 1 or not text.replace(".", "").isdigit():
        return None
    return float(text)


def load(db: Database, user: dict | None, data: bytes, filename: str, provinces=None) -> dict:
    """Validate and store a targets file in one transaction with its audit row; return the set.

    ``provinces`` limits the file to those province codes; a province manager is always held
    to their own, and None allows every province. Raises Refused or TargetError.
    """
    require(access.can(user, "set_targets"))
    own = access.target_provinces(user)
    if own is not None:  # a province manager, for their own provinces only
        provinces = sorted(set(own) if provinces is None else set(own) & set(provinces))
    with immediate(db):
        rows = parse(db, data, provinces)
        loaded_at = now_iso()
        set_id = db.execute(
            "INSERT INTO target_sets (filename, loaded_at, loaded_by, rows) VALUES (?, ?, ?, ?)",
            [filename, loaded_at, user["username"] if user else audit.CLI_USER, len(rows)],
        ).lastrowid
        for province, year, dimension, target in rows:
            db.execute(
                "UPDATE plan_targets SET superseded_at = ? WHERE province_code = ? AND year = ?"
                " AND dimension = ? AND superseded_at IS NULL",
                [loaded_at, province, year, dimension],
            )
            db.execute(
                "INSERT INTO plan_targets (set_id, province_code, year, dimension, target)"
                " VALUES (?, ?, ?, ?, ?)",
                [set_id, province, year, dimension, target],
            )
        audit.record(
            db,
            user,
            "load_targets",
            "targets",
            set_id,
            {"filename": filename, "rows": len(rows), "provinces": sorted({r[0] for r in rows})},
        )
    return next(db.query("SELECT * FROM target_sets WHERE id = ?", [set_id]))


def current(db: Database, province: str, year: int) -> dict[str, float]:
    """Return {dimension key: target} in force for a province and year."""
    return dict(
        db.execute(
            "SELECT dimension, target FROM plan_targets WHERE province_code = ? AND year = ?"
            " AND superseded_at IS NULL",
            [province, year],
        ).fetchall()
    )


def history(db: Database, provinces=None) -> list[dict]:
    """Return every stored target, newest load first, with who loaded it and when."""
    where, params = "1", []
    if provinces is not None:
        where = f"t.province_code IN ({', '.join('?' * len(provinces))})"
        params = list(provinces)
    return list(
        db.query(
            "SELECT t.*, s.filename, s.loaded_at, s.loaded_by FROM plan_targets t"
            f" JOIN target_sets s ON s.id = t.set_id WHERE {where}"
            " ORDER BY s.id DESC, t.province_code, t.year, t.dimension",
            params,
        )
    )


def progress(row: dict, target: float | None) -> str | None:
    """Return the verdict of an estimate row against a target, or None without a target."""
    if target is None:
        return None
    if not row.get("shown") or row.get("ci_lower") is None or row.get("ci_upper") is None:
        return UNRELIABLE
    if row["ci_lower"] > target:
        return MET
    if row["ci_upper"] < target:
        return NOT_MET
    return UNSURE
