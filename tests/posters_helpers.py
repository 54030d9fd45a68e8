"""Helpers for the poster tests: find another real ward to put a point in."""

from tests.factories import BEN_THANH, HCMC


def other_ward(db, province_code: str = HCMC, exclude: str = BEN_THANH) -> str:
    """Return the code of another ward of the province."""
    row = db.execute(
        "SELECT code FROM wards WHERE province_code = ? AND code != ? ORDER BY code LIMIT 1",
        [province_code, exclude],
    ).fetchone()
    return row[0]
