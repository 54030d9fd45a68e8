"""Official PAPI scores as baselines, attached to the current (2025) provinces.

PAPI publishes scores for the 63 legacy provinces. A row is stored per (year, legacy
province, dimension) with the legacy province's GSO code and the current province's code
(``units.LEGACY_PROVINCES``); rows, populations and blends are matched on the legacy code,
never on a spelling. A file may name a province as the official workbook does ("Hà Nội"), as
the crosswalk does ("Thành phố Hà Nội"), with or without "Tỉnh"/"Thành phố", or give a
``legacy_code`` column. The baseline of a merged province is the population-weighted blend of
the legacy provinces that have a score that year; populations come from
``legacy_provinces.population`` or, when the units table leaves it empty, from
LEGACY_POPULATION below, and the blend says how much of the population it covers. The
shipped file is survey/data/papi_official_scores.csv; analysts add their own in the same
format with ``papi-pulse baselines load FILE``.
"""

import csv
import io
import logging
import re
import unicodedata
from datetime import UTC, datetime
from importlib import resources

from sqlite_utils import Database

from survey import access, audit, collation, units
from survey.db import OperationalError, immediate, is_disk_full
from survey.domain_errors import DomainError, require

log = logging.getLogger(__name__)

DIMENSION_COLUMNS = {
    "d1_participation": "d1", "d2_transparency": "d2", "d3_accountability": "d3",
    "d4_corruption_control": "d4", "d5_admin_procedures": "d5", "d6_public_services": "d6",
    "d7_environment": "d7", "d8_e_governance": "d8", "total": "total",
}  # fmt: skip
REQUIRED = ("year", "legacy_province", *DIMENSION_COLUMNS)
# Approximate 2024 average populations (thousands) from the GSO statistical yearbook, as best
# known when this was written, by legacy GSO code; used only when legacy_provinces.population
# is empty. Blends name the legacy provinces they use, so a missing one is visible rather than
# guessed.
LEGACY_POPULATION = {
    "79": 9522,  # Thành phố Hồ Chí Minh
    "74": 2823,  # Bình Dương
    "77": 1220,  # Bà Rịa - Vũng Tàu
    "96": 1207,  # Cà Mau
    "95": 924,  # Bạc Liêu
}
NATIONAL = "national mean"
# Prefixes the official workbooks and the crosswalk write or leave off ("Hà Nội", "Thành phố
# Hà Nội", "Tỉnh Quảng Ninh", "TP. Hồ Chí Minh").
_PREFIX = re.compile(r"^(?:tỉnh|thành phố|tp\.?)\s*")
_DASH = re.compile(r"\s*[-\u2010-\u2015]\s*")
# Other names in use for a legacy province: the city of Huế was Thừa Thiên Huế in PAPI.
_ALIASES = {"huế": "46", "hcm": "79", "hồ chí minh": "79", "tphcm": "79"}


class BaselineError(DomainError):
    """A baselines file was refused; the message says which line and why."""

    def __init__(self, message: str):
        super().__init__("bad_file", message=message)
        self.args = (message,)


def shipped_bytes() -> bytes:
    """Return the official scores file shipped with the app."""
    return resources.files("survey").joinpath("data/papi_official_scores.csv").read_bytes()


def _name_key(name: str) -> str:
    """Return the spelling-free key of a province name: NFC, lower case, no prefix, one dash."""
    text = " ".join(unicodedata.normalize("NFC", name).casefold().split())
    return _DASH.sub(" - ", _PREFIX.sub("", text)).strip()


def legacy_index(db: Database) -> dict[str, tuple[str, str, str]]:
    """Return {name key or code: (legacy code, canonical name, current province code)}."""
    found = {}
    rows = [(p, c, n) for p, c, n in units.LEGACY_PROVINCES]
    rows += list(db.execute("SELECT province_code, legacy_code, legacy_name FROM legacy_provinces"))
    for province, code, name in rows:
        if not code:
            continue
        canonical = next((n for _, c, n in units.LEGACY_PROVINCES if c == code), name)
        entry = (code, canonical, province)
        found.setdefault(_name_key(name), entry)
        found.setdefault(units.fold(_name_key(name)), entry)
        found.setdefault(code, entry)
    for alias, code in _ALIASES.items():
        if code in found:
            found.setdefault(alias, found[code])
            found.setdefault(units.fold(alias), found[code])
    return found


def match_legacy(index: dict, name: str, code: str = "") -> tuple[str, str, str] | None:
    """Return (legacy code, canonical name, province code) of a name or code, or None."""
    code = code.strip()
    if code:
        return index.get(units.province_code(code)) if code.isascii() and code.isdigit() else None
    key = _name_key(name)
    return index.get(key) or index.get(units.fold(key))


def parse(db: Database, data: bytes) -> list[tuple]:
    """Return rows (year, legacy, legacy code, province code, dimension, value, source)."""
    try:
        text = unicodedata.normalize("NFC", data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise BaselineError("the file is not UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise BaselineError(f"missing column(s): {', '.join(missing)}")
    # The crosswalk is law (Resolution 202/2025/QH15), so the constant serves before units load.
    index = legacy_index(db)
    rows = []
    for line, raw in enumerate(reader, start=2):
        name = " ".join((raw["legacy_province"] or "").split())
        if not (raw["year"].strip().isascii() and raw["year"].strip().isdigit()):
            raise BaselineError(f"line {line}: year {raw['year']!r} is not a year")
        if name.casefold() == NATIONAL:
            legacy = (None, NATIONAL, None)
        else:
            legacy = match_legacy(index, name, raw.get("legacy_code") or "")
        if legacy is None:
            raise BaselineError(f"line {line}: unknown legacy province {name!r}")
        for column, dimension in DIMENSION_COLUMNS.items():
            cell = (raw.get(column) or "").strip()
            if not cell:
                continue
            try:
                value = float(cell)
            except ValueError:
                raise BaselineError(f"line {line}: {column} {cell!r} is not a number") from None
            high = 80.0 if dimension == "total" else 10.0
            if not high / 10.0 <= value <= high:
                raise BaselineError(f"line {line}: {column} {value} is outside the PAPI scale")
            rows.append(
                (
                    int(raw["year"]),
                    legacy[1],
                    legacy[0],
                    legacy[2],
                    dimension,
                    value,
                    (raw.get("source_note") or "").strip(),
                )
            )
    return rows


def load(db: Database, data: bytes) -> int:
    """Validate and store baseline scores (replacing the same year, province, dimension)."""
    return _store(db, parse(db, data))


def _store(db: Database, rows: list[tuple]) -> int:
    """Store parsed baseline rows, replacing the same year, province and dimension."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with db.atomic():
        db.conn.executemany(
            "INSERT INTO baselines (year, legacy_province, legacy_code, province_code,"
            " dimension, value, source, loaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (year, legacy_province, dimension) DO UPDATE SET"
            " value = excluded.value, source = excluded.source, loaded_at = excluded.loaded_at,"
            " province_code = excluded.province_code, legacy_code = excluded.legacy_code",
            [(*row, now) for row in rows],
        )
    return len(rows)


def upload(db: Database, actor: dict | None, data: bytes, filename: str) -> int:
    """Validate and store official scores, audit-logged; return how many values were stored.

    ``actor`` None is the command line. Raises Refused, or BaselineError saying what is wrong.
    """
    require(access.can(actor, "load_baselines"))
    rows = parse(db, data)
    with immediate(db):
        count = _store(db, rows)
        years = sorted({row[0] for row in rows})
        audit.record(
            db,
            actor,
            "load_baselines",
            "baselines",
            filename or "-",
            {"filename": filename, "values": count, "years": years},
        )
    return count


def ensure_shipped(db: Database) -> None:
    """Load the shipped official scores once, when no baseline is stored yet.

    Pages that only read call this: on a full disk they go on without the baselines (a
    later visit stores them) rather than fail.
    """
    if not db.execute("SELECT 1 FROM baselines LIMIT 1").fetchone():
        try:
            load(db, shipped_bytes())
        except OperationalError as exc:
            if not is_disk_full(exc):
                raise
            log.warning("official baselines not stored, the disk is full: %s", exc)


def _populations(db: Database, province: str) -> dict[str, float | None]:
    """Return {legacy code: population or None} of a current province's legacy provinces."""
    stored = dict(
        db.execute(
            "SELECT legacy_code, population FROM legacy_provinces WHERE province_code = ?",
            [province],
        )
    )
    codes = {code for p, code, _ in units.LEGACY_PROVINCES if p == province} | set(stored)
    return {c: stored.get(c) or LEGACY_POPULATION.get(c) for c in codes if c}


def _canonical(code: str, fallback: str) -> str:
    """Return the crosswalk's name of a legacy province code."""
    return next((n for _, c, n in units.LEGACY_PROVINCES if c == code), fallback)


def blend(db: Database, province: str) -> dict | None:
    """Return the latest baseline of a current province: year, values, legacy used, coverage."""
    pops = _populations(db, province)
    by_year: dict[int, dict[str, dict[str, float]]] = {}
    names = {}
    for year, code, name, dimension, value in db.execute(
        "SELECT year, legacy_code, legacy_province, dimension, value FROM baselines"
        " WHERE province_code = ? AND legacy_code IS NOT NULL",
        [province],
    ):
        by_year.setdefault(year, {}).setdefault(dimension, {})[code] = value
        names[code] = _canonical(code, name)
    for year in sorted(by_year, reverse=True):
        values, used, coverage = {}, set(), 0.0
        for dimension, per in by_year[year].items():
            known = {c: v for c, v in per.items() if pops.get(c)}
            if not known and len(per) == 1:
                known = per  # one legacy province: no weights needed
                weights = dict.fromkeys(per, 1.0)
            else:
                weights = {c: float(pops[c]) for c in known}
            if not known:
                continue
            total = sum(weights.values())
            values[dimension] = sum(weights[c] * v for c, v in known.items()) / total
            used |= set(known)
            all_pop = sum(p for p in pops.values() if p)
            coverage = max(
                coverage, sum(pops.get(c) or 0 for c in known) / all_pop if all_pop else 1.0
            )
        if values:
            legacy = sorted(names[c] for c in used)
            return {"year": year, "values": values, "legacy": legacy, "coverage": coverage}
    return None


def list_baselines(db: Database) -> list[dict]:
    """Return every stored baseline row, newest year first, then by former province's name."""
    rows = db.query("SELECT * FROM baselines ORDER BY year DESC, dimension")
    return sorted(rows, key=lambda r: (-r["year"], collation.sort_key(r["legacy_province"])))
