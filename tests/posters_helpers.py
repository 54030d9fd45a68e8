"""Helpers for the poster tests: places, points and a signed-in client."""

import itertools
import time

from survey import accounts, points, units

PASSWORD = "a-long-enough-password"
HCMC = "79"
BEN_THANH = "26743"
HANOI = "01"
# Usernames made unique by a counter, not the clock: two calls can share a clock reading.
_SERIAL = itertools.count(1)


def load_places(db) -> None:
    """Load the administrative units once."""
    if not db.execute("SELECT count(*) FROM wards").fetchone()[0]:
        units.load_units(db)


def other_ward(db, province_code: str = HCMC, exclude: str = BEN_THANH) -> str:
    """Return the code of another ward of the province."""
    row = db.execute(
        "SELECT code FROM wards WHERE province_code = ? AND code != ? ORDER BY code LIMIT 1",
        [province_code, exclude],
    ).fetchone()
    return row[0]


def make_point(db, ward_code: str = BEN_THANH, name: str = "Bộ phận Một cửa", **kw) -> dict:
    """Create an active point in a ward."""
    load_places(db)
    return points.create_point(db, ward_code, name, kw.get("kind", "one_stop"))


def make_user(db, role: str, scopes=(), username: str | None = None) -> dict:
    """Create a user of a role with scopes."""
    load_places(db)
    name = username or f"{role.replace('_', '')}{len(scopes)}n{next(_SERIAL)}"
    return accounts.create_user(db, name, PASSWORD, role, scopes=scopes)


def sign_in(client, user: dict) -> None:
    """Put the user's sign-in into the client's session, as the login page does."""
    with client.session_transaction() as session:
        session.update(
            user_id=user["id"], version=accounts.session_version(user), login_at=time.time()
        )
