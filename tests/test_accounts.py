"""Accounts: hashing, rules, scopes, throttling and the ``users`` commands."""

import pytest

from survey import accounts
from tests.factories import BEN_THANH, HCMC, make_units


@pytest.fixture
def units_db(db):
    make_units(db)
    return db


def test_create_hashes_with_scrypt_and_authenticates(units_db):
    user = accounts.create_user(
        units_db, " Lan.Nguyen ", "mật khẩu đủ dài", "ward_staff", "Nguyễn Thị Lan", [BEN_THANH]
    )
    assert user["username"] == "lan.nguyen" and user["scopes"] == [BEN_THANH]
    assert user["password_hash"].startswith("scrypt:")
    assert accounts.authenticate(units_db, "LAN.NGUYEN", "mật khẩu đủ dài")["id"] == user["id"]
    assert accounts.authenticate(units_db, "lan.nguyen", "wrong password") is None
    assert accounts.authenticate(units_db, "nobody", "mật khẩu đủ dài") is None


@pytest.mark.parametrize(
    ("role", "scopes", "code"),
    [
        ("ward_staff", [], "scope_required"),
        ("ward_staff", [HCMC], "unknown_scope"),
        ("province_manager", [BEN_THANH], "unknown_scope"),
        ("chief", [], "bad_role"),
    ],
)
def test_scopes_must_fit_the_role(units_db, role, scopes, code):
    with pytest.raises(accounts.AccountError) as info:
        accounts.create_user(units_db, "someone", "long enough pw", role, scopes=scopes)
    assert info.value.code == code
    assert units_db.execute("SELECT count(*) FROM users").fetchone()[0] == 0


def test_password_rules_and_duplicate_username(units_db):
    with pytest.raises(accounts.AccountError, match="password_too_short"):
        accounts.create_user(units_db, "short", "123456789", "analyst")
    accounts.create_user(units_db, "dup", "long enough pw", "analyst")
    with pytest.raises(accounts.AccountError, match="username_taken"):
        accounts.create_user(units_db, "DUP", "long enough pw", "analyst")


def test_inactive_user_cannot_authenticate(units_db):
    user = accounts.create_user(units_db, "gone", "long enough pw", "analyst")
    accounts.update_user(units_db, user["id"], "analyst", "", False)
    assert accounts.authenticate(units_db, "gone", "long enough pw") is None


def test_throttle_keys_hide_address_and_block_after_five(units_db):
    keys = accounts.throttle_keys("Admin", "203.0.113.7", "s" * 40)
    assert not any("203.0.113.7" in key or "admin" in key.split(":", 1)[1] for key in keys)
    for _ in range(accounts.MAX_FAILURES_PER_USERNAME):
        assert accounts.take_attempt(units_db, keys, now=1000.0) == 0
    assert accounts.take_attempt(units_db, keys, now=1001.0) == accounts.THROTTLE_WINDOW_SECONDS
    stored = [row[0] for row in units_db.execute("SELECT key FROM login_attempts")]
    assert len(stored) == 2 * accounts.MAX_FAILURES_PER_USERNAME
    assert not any("203.0.113.7" in key for key in stored)
    later = 1000.0 + accounts.THROTTLE_WINDOW_SECONDS + 1
    assert accounts.take_attempt(units_db, keys, now=later) == 0


def test_a_right_password_forgets_the_username_and_its_own_attempt(units_db):
    keys = accounts.throttle_keys("lan", "203.0.113.7", "s" * 40)
    other = accounts.throttle_keys("lan", "198.51.100.1", "s" * 40)
    accounts.take_attempt(units_db, other, now=1000.0)
    accounts.take_attempt(units_db, keys, now=1001.0)
    accounts.take_attempt(units_db, keys, now=1002.0)
    accounts.forgive_attempt(units_db, keys)
    left = [row[0] for row in units_db.execute("SELECT key FROM login_attempts ORDER BY at")]
    assert left == [other[1], keys[1]]


def test_cli_creates_first_administrator(runner, db, tmp_path):
    secret = tmp_path / "pw.txt"
    secret.write_text("an admin password\n", encoding="utf-8")
    result = runner.invoke(args=["users", "create", "root", "--password-file", str(secret)])
    assert result.exit_code == 0, result.output
    assert "Created administrator root." in result.output
    assert accounts.authenticate(db, "root", "an admin password")["role"] == "administrator"
    listed = runner.invoke(args=["users", "list"])
    assert "root\tadministrator\tactive" in listed.output
    audit = db.execute("SELECT username, action, object_type FROM audit_log").fetchall()
    assert audit == [("(cli)", "create", "user")]


def test_cli_prompts_twice_and_refuses_short_or_mismatched(runner, db):
    result = runner.invoke(args=["users", "create", "root"], input="short\nshort\n")
    assert result.exit_code != 0 and "at least 10 characters" in result.output
    result = runner.invoke(
        args=["users", "create", "root"],
        input="long enough 1\nlong enough 2\nlong enough 1\nlong enough 1\n",
    )
    assert result.exit_code == 0 and "do not match" in result.output


def test_cli_ward_staff_needs_a_known_scope(runner, db):
    make_units(db)
    ok = runner.invoke(
        args=["users", "create", "lan", "--role", "ward_staff", "--scope", BEN_THANH],
        input="long enough pw\nlong enough pw\n",
    )
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(
        args=["users", "create", "minh", "--role", "ward_staff", "--scope", "99999"],
        input="long enough pw\nlong enough pw\n",
    )
    assert bad.exit_code != 0 and "99999" in bad.output
