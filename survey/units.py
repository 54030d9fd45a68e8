"""Administrative units: the 34 provinces and 3,321 communes, wards and special zones since
1 July 2025, and the 63 legacy provinces each current province was formed from.

Storage functions take ``db`` first and never import Flask. Codes are the official ones,
zero-padded text: provinces "79", wards "26743".
"""

import csv
import functools
import io
import re
import unicodedata
from importlib import resources

from sqlite_utils import Database
from vietnam_provinces import Province, Ward

from survey import audit
from survey.collation import sorted_by
from survey.db import immediate

# Moved wards named in the audit entry of a load; beyond that it counts them.
MOVED_LISTED = 200
# Resolution 202/2025/QH15 (in force 1 July 2025): current province code -> (legacy GSO code,
# legacy name as PAPI publishes it). Centrally-run cities carry "Thành phố", as in
# /work/shared/reference/papi_official_scores.csv; Huế was "Thừa Thiên Huế" in PAPI up to 2024.
LEGACY_PROVINCES = (
    ("01", "01", "Thành phố Hà Nội"),
    ("04", "04", "Cao Bằng"),
    ("08", "08", "Tuyên Quang"),
    ("08", "02", "Hà Giang"),
    ("11", "11", "Điện Biên"),
    ("12", "12", "Lai Châu"),
    ("14", "14", "Sơn La"),
    ("15", "10", "Lào Cai"),
    ("15", "15", "Yên Bái"),
    ("19", "19", "Thái Nguyên"),
    ("19", "06", "Bắc Kạn"),
    ("20", "20", "Lạng Sơn"),
    ("22", "22", "Quảng Ninh"),
    ("24", "27", "Bắc Ninh"),
    ("24", "24", "Bắc Giang"),
    ("25", "25", "Phú Thọ"),
    ("25", "26", "Vĩnh Phúc"),
    ("25", "17", "Hòa Bình"),
    ("31", "31", "Thành phố Hải Phòng"),
    ("31", "30", "Hải Dương"),
    ("33", "33", "Hưng Yên"),
    ("33", "34", "Thái Bình"),
    ("37", "37", "Ninh Bình"),
    ("37", "35", "Hà Nam"),
    ("37", "36", "Nam Định"),
    ("38", "38", "Thanh Hóa"),
    ("40", "40", "Nghệ An"),
    ("42", "42", "Hà Tĩnh"),
    ("44", "45", "Quảng Trị"),
    ("44", "44", "Quảng Bình"),
    ("46", "46", "Thừa Thiên Huế"),
    ("48", "48", "Thành phố Đà Nẵng"),
    ("48", "49", "Quảng Nam"),
    ("51", "51", "Quảng Ngãi"),
    ("51", "62", "Kon Tum"),
    ("52", "64", "Gia Lai"),
    ("52", "52", "Bình Định"),
    ("56", "56", "Khánh Hòa"),
    ("56", "58", "Ninh Thuận"),
    ("66", "66", "Đắk Lắk"),
    ("66", "54", "Phú Yên"),
    ("68", "68", "Lâm Đồng"),
    ("68", "67", "Đắk Nông"),
    ("68", "60", "Bình Thuận"),
    ("75", "75", "Đồng Nai"),
    ("75", "70", "Bình Phước"),
    ("79", "79", "Thành phố Hồ Chí Minh"),
    ("79", "74", "Bình Dương"),
    ("79", "77", "Bà Rịa - Vũng Tàu"),
    ("80", "72", "Tây Ninh"),
    ("80", "80", "Long An"),
    ("82", "87", "Đồng Tháp"),
    ("82", "82", "Tiền Giang"),
    ("86", "86", "Vĩnh Long"),
    ("86", "83", "Bến Tre"),
    ("86", "84", "Trà Vinh"),
    ("91", "89", "An Giang"),
    ("91", "91", "Kiên Giang"),
    ("92", "92", "Thành phố Cần Thơ"),
    ("92", "94", "Sóc Trăng"),
    ("92", "93", "Hậu Giang"),
    ("96", "96", "Cà Mau"),
    ("96", "95", "Bạc Liêu"),
)


# What each basis of survey/data/province_population.csv is (docs/METHODOLOGY.md, section 6).
POPULATION_BASES = ("nq202_2025_qh15", "gso_yearbook_2024")


def fold(text: str) -> str:
    """Return text lower-case without diacritics (đ -> d) and with single spaces, for search."""
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", text).strip()


def province_code(code) -> str:
    """Return the official two-digit text form of a province code."""
    return f"{int(code):02d}"


def ward_code(code) -> str:
    """Return the official five-digit text form of a ward code."""
    return f"{int(code):05d}"


def load_units(db: Database, actor: dict | None = None) -> dict:
    """Insert or refresh every province, ward and legacy province; return the counts.

    Idempotent: names, kinds and search keys are refreshed, populations are kept. A ward the
    map moved to another province takes its answers (and their kept aggregates) with it, so
    that they are estimated and reviewed where the ward is now. A load that adds or changes
    anything is audit-logged in the same transaction (``actor`` None: the command line), with
    the rows added, the rows changed (a name, kind, province or legacy code) and the moved wards.
    """
    provinces = [
        (province_code(p.code), p.name, p.division_type.value) for p in Province.iter_all()
    ]
    wards = [
        (ward_code(w.code), province_code(w.province_code), w.name, w.division_type.value)
        for w in Ward.iter_all()
    ]
    with immediate(db):
        before = _snapshot(db)
        for code, name, kind in provinces:
            name = " ".join(unicodedata.normalize("NFC", name).split())
            db.execute(
                "INSERT INTO provinces (code, name, name_ascii, kind) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (code) DO UPDATE SET name = excluded.name,"
                " name_ascii = excluded.name_ascii, kind = excluded.kind",
                [code, name, fold(name), kind],
            )
        for code, province, name, kind in wards:
            name = " ".join(unicodedata.normalize("NFC", name).split())
            db.execute(
                "INSERT INTO wards (code, province_code, name, name_ascii, kind)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET"
                " province_code = excluded.province_code, name = excluded.name,"
                " name_ascii = excluded.name_ascii, kind = excluded.kind",
                [code, province, name, fold(name), kind],
            )
        for province, legacy_code, legacy_name in LEGACY_PROVINCES:
            db.execute(
                "INSERT INTO legacy_provinces (province_code, legacy_name, legacy_code)"
                " VALUES (?, ?, ?) ON CONFLICT (province_code, legacy_name)"
                " DO UPDATE SET legacy_code = excluded.legacy_code",
                [province, unicodedata.normalize("NFC", legacy_name), legacy_code],
            )
        after = _snapshot(db)
        added = sum(len(after[t]) - len(before[t]) for t in after)
        changed = sum(
            1 for t in after for key, row in after[t].items() if before[t].get(key, row) != row
        )
        moved = sorted(
            code for code, row in after["wards"].items()
            if code in before["wards"] and before["wards"][code][0] != row[0]
        )  # fmt: skip
        for code in moved:
            for table in ("responses", "aggregates"):
                db.execute(
                    f"UPDATE {table} SET province_code = ? WHERE ward_code = ?"  # noqa: S608
                    " AND province_code <> ?",
                    [after["wards"][code][0], code, after["wards"][code][0]],
                )
        if added or changed:
            detail = {"added": added, "changed": changed, "moved": moved[:MOVED_LISTED]}
            if len(moved) > MOVED_LISTED:
                detail["moved_more"] = len(moved) - MOVED_LISTED
            audit.record(db, actor, "load_units", "units", "vietnam-provinces", detail)
    counts = {table: len(rows) for table, rows in after.items()}
    return {**counts, "added": added, "changed": changed, "moved": len(moved)}


def _snapshot(db: Database) -> dict:
    """Return {table: {key: the columns a load sets}} of the units tables."""
    return {
        "provinces": {r[0]: r[1:] for r in db.execute("SELECT code, name, kind FROM provinces")},
        "wards": {
            r[0]: r[1:] for r in db.execute("SELECT code, province_code, name, kind FROM wards")
        },
        "legacy_provinces": {
            r[:2]: r[2:]
            for r in db.execute(
                "SELECT province_code, legacy_name, legacy_code FROM legacy_provinces"
            )
        },
    }


def list_provinces(db: Database, codes=None) -> list[dict]:
    """Return provinces (all, or those with the given codes) in Vietnamese order of name."""
    if codes is None:
        return sorted_by(db.query("SELECT * FROM provinces"), "name", "code")
    marks = ",".join("?" * len(codes))
    rows = db.query(f"SELECT * FROM provinces WHERE code IN ({marks})", list(codes))
    return sorted_by(rows, "name", "code")


def get_province(db: Database, code: str) -> dict | None:
    """Return a province by code, or None."""
    rows = list(db.query("SELECT * FROM provinces WHERE code = ?", [code]))
    return rows[0] if rows else None


def get_ward(db: Database, code: str) -> dict | None:
    """Return a ward with its province name, or None."""
    rows = list(db.query(_WARD_SELECT + " WHERE w.code = ?", [code]))
    return rows[0] if rows else None


def legacy_provinces(db: Database, province: str) -> list[dict]:
    """Return the legacy provinces a current province was formed from."""
    return list(
        db.query(
            "SELECT * FROM legacy_provinces WHERE province_code = ? ORDER BY legacy_code",
            [province],
        )
    )


def search_wards(db: Database, text: str = "", where: str = "1", params=(), limit: int = 50):
    """Return wards whose name matches text with or without diacritics, within a scope.

    In Vietnamese order of province name, then ward name.

    ``where``/``params`` is an SQL condition on ``w`` (see ``access.scope_clause``).
    """
    words = fold(text).split()
    conditions = [f"({where})"] + ["w.name_ascii LIKE ? ESCAPE '\\'"] * len(words)
    args = list(params) + [f"%{_escape_like(word)}%" for word in words]
    sql = _WARD_SELECT + " WHERE " + " AND ".join(conditions)
    return sorted_by(db.query(sql, args), "province_name", "name", "code")[:limit]


def _escape_like(text: str) -> str:
    """Escape LIKE wildcards so that a search for "50%" means the characters."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


_WARD_SELECT = """
    SELECT w.*, p.name AS province_name FROM wards w
    JOIN provinces p ON p.code = w.province_code"""


def province_population(code: str) -> dict | None:
    """Return a current province's shipped population row (population, basis, source), or None.

    The figures are survey/data/province_population.csv: what the app knows of a province's
    population when its wards' populations are not all known (docs/METHODOLOGY.md).
    """
    return _province_populations().get(code)


@functools.cache
def _province_populations() -> dict[str, dict]:
    """Return {province code: row} of the shipped file, read once."""
    text = resources.files("survey").joinpath("data/province_population.csv").read_text("utf-8")
    found = {}
    for row in csv.DictReader(io.StringIO(text)):
        row = {k: unicodedata.normalize("NFC", v) for k, v in row.items()}
        found[row["province_code"]] = row | {"population": int(row["population"])}
    return found
