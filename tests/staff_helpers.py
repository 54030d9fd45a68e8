"""Staff test helpers: a small world of units, points and one account per role, and sign-in.

Accounts are inserted with a password hash computed once, because scrypt takes a noticeable
fraction of a second and the role x route matrix signs in hundreds of times.
"""

import time

import pytest

from survey import accounts, points

PASSWORD = "correct horse battery"
PASSWORD_HASH = accounts.hash_password(PASSWORD)
HCMC, HANOI = "79", "01"
BEN_THANH, SAI_GON, HOAN_KIEM = "26743", "26734", "00070"
SECRET_POINT = "Điểm Bến Thành bí mật"
OTHER_POINT = "Điểm Sài Gòn khác"
# Roles of the matrix, in the order they are tried.
ROLES = ("anonymous", "other_ward", "ward_staff", "province_manager", "analyst", "administrator")


def seed_units(db) -> None:
    """Insert two provinces and three wards (enough for scope checks, fast to set up)."""
    with db.atomic():
        for code, name in ((HCMC, "Thành phố Hồ Chí Minh"), (HANOI, "Thành phố Hà Nội")):
            db.execute(
                "INSERT INTO provinces (code, name, name_ascii, kind) VALUES (?, ?, ?, ?)",
                [code, name, name.lower(), "thành phố trung ương"],
            )
        for code, province, name, ascii_name in (
            (BEN_THANH, HCMC, "Phường Bến Thành", "phuong ben thanh"),
            (SAI_GON, HCMC, "Phường Sài Gòn", "phuong sai gon"),
            (HOAN_KIEM, HANOI, "Phường Hoàn Kiếm", "phuong hoan kiem"),
        ):
            db.execute(
                "INSERT INTO wards (code, province_code, name, name_ascii, kind)"
                " VALUES (?, ?, ?, ?, 'phường')",
                [code, province, name, ascii_name],
            )


def make_user(db, username: str, role: str, scopes=(), active: bool = True) -> dict:
    """Insert an account with the shared test password and return it."""
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO users (username, password_hash, role, active, created_at)"
            " VALUES (?, ?, ?, ?, '2025-01-01T00:00:00+00:00')",
            [username, PASSWORD_HASH, role, int(active)],
        )
        for code in scopes:
            db.execute(
                "INSERT INTO user_scopes (user_id, unit_code) VALUES (?, ?)",
                [cursor.lastrowid, code],
            )
    return accounts.get_user(db, cursor.lastrowid)


def sign_in(client, user: dict) -> None:
    """Put a signed-in session for the user into the test client's cookie."""
    with client.session_transaction() as session:
        session.update(
            user_id=user["id"], version=accounts.session_version(user), login_at=time.time()
        )


@pytest.fixture(name="world")
def world_fixture(db):
    """Return the ids of a small world: points in two HCMC wards and one account per role."""
    return make_world(db)


def make_world(db) -> dict:
    """Seed the small world of ``world_fixture`` into db and return it."""
    seed_units(db)
    users = {
        "other_ward": make_user(db, "other.ward", "ward_staff", [SAI_GON]),
        "ward_staff": make_user(db, "ward.staff", "ward_staff", [BEN_THANH]),
        "province_manager": make_user(db, "manager", "province_manager", [HCMC]),
        "analyst": make_user(db, "analyst", "analyst"),
        "administrator": make_user(db, "admin", "administrator"),
        "hanoi_manager": make_user(db, "hanoi", "province_manager", [HANOI]),
    }
    point = points.create_point(db, BEN_THANH, SECRET_POINT, "one_stop", "Số 1 Lê Lợi")
    other = points.create_point(db, SAI_GON, OTHER_POINT, "reception")
    return {"users": users, "point": point, "other_point": other}


def english(client):
    """Make the client ask for English, so that assertions can quote the msgids."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def client_as(app, world, role: str):
    """Return a test client signed in as the role (or anonymous)."""
    client = english(app.test_client())
    if role != "anonymous":
        sign_in(client, world["users"][role])
    return client
