"""Staff accounts: password hashing, roles, scopes and login throttling (storage, no Flask).

What a role may do and what a scope lets a user see is ``survey.access``'s; this module
stores accounts, their role and their scope codes (re-exporting the role names).
"""

import hashlib
import hmac
import re
import time
import unicodedata

from sqlite_utils import Database
from werkzeug.security import check_password_hash, generate_password_hash

from survey import access, audit

# The role names live with the policy; re-exported because accounts hold them.
from survey.access import (  # noqa: F401
    ADMINISTRATOR,
    ANALYST,
    COUNTRY_ROLES,
    PROVINCE_MANAGER,
    ROLES,
    SCOPE_TABLES,
    WARD_STAFF,
)
from survey.collation import sorted_by
from survey.db import IntegrityError, immediate
from survey.domain_errors import DomainError, require
from survey.responses import now_iso

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")
# Throttling in the spirit of OWASP's guidance: 5 wrong passwords for one username in 15
# minutes; a ward office often shares one address behind NAT, so a client gets 20.
THROTTLE_WINDOW_SECONDS = 15 * 60
MAX_FAILURES_PER_USERNAME = 5
MAX_FAILURES_PER_CLIENT = 20
# Checked when the username is unknown, so that a miss takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password-0000")


class AccountError(DomainError):
    """A user cannot be created or changed as asked; ``code`` names the reason."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code, detail=detail)
        self.args = (f"{code}: {detail}" if detail else code,)
        self.detail = detail


def hash_password(password: str) -> str:
    """Return the salted hash of a password, with werkzeug's current default (scrypt)."""
    return generate_password_hash(password)


def session_version(user: dict) -> str:
    """Return the fingerprint a session of the user must carry.

    It changes with every new password and every sign-out (``end_sessions``), which ends
    every session signed with the old one: one mechanism for both.
    """
    seed = f"{user['password_hash']}:{user['session_generation']}"
    return hashlib.sha256(seed.encode()).hexdigest()[:16]


def end_sessions(db: Database, user_id: int) -> None:
    """End every session of the account, on every device (a copied cookie included)."""
    with db.atomic():
        db.execute(
            "UPDATE users SET session_generation = session_generation + 1 WHERE id = ?",
            [user_id],
        )


def check_password_rules(password: str) -> None:
    """Raise AccountError if a new password is too short or too long."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("password_too_short")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError("password_too_long")


def normalise_username(raw: str) -> str:
    """Return the canonical (NFC, trimmed, lower-case) form of a username."""
    return unicodedata.normalize("NFC", raw).strip().lower()


def check_scopes(db: Database, role: str, codes) -> list[str]:
    """Return the scope codes cleaned for a role, raising AccountError for unknown ones."""
    if role not in ROLES:
        raise AccountError("bad_role", role)
    codes = sorted({code.strip() for code in codes if code.strip()})
    if role in COUNTRY_ROLES:
        if codes:  # the whole country is theirs: a stored scope would mean nothing
            raise AccountError("scope_not_allowed", role)
        return []
    if not codes:
        raise AccountError("scope_required")
    table = SCOPE_TABLES[role]
    marks = ",".join("?" * len(codes))
    known = {
        row[0]
        for row in db.execute(f"SELECT code FROM {table} WHERE code IN ({marks})", codes).fetchall()
    }
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise AccountError("unknown_scope", ", ".join(unknown))
    return codes


def create_user(
    db: Database, username: str, password: str, role: str, display_name: str = "", scopes=()
) -> dict:
    """Create an active user with a hashed password and its scopes; return it."""
    username = normalise_username(username)
    if not USERNAME_PATTERN.match(username):
        raise AccountError("bad_username", username)
    check_password_rules(password)
    stamp = now_iso()
    with immediate(db):
        codes = check_scopes(db, role, scopes)
        try:
            cursor = db.execute(
                "INSERT INTO users (username, password_hash, role, display_name, active,"
                " created_at, password_changed_at) VALUES (?, ?, ?, ?, 1, ?, ?)",
                [
                    username,
                    hash_password(password),
                    role,
                    unicodedata.normalize("NFC", display_name.strip()),
                    stamp,
                    stamp,
                ],
            )
        except IntegrityError as exc:
            raise AccountError("username_taken", username) from exc
        _write_scopes(db, cursor.lastrowid, codes)
    return get_user(db, cursor.lastrowid)


def update_user(
    db: Database, user_id: int, role: str, display_name: str, active: bool, scopes=()
) -> dict:
    """Change a user's role, name, active flag and scopes; return the user."""
    with immediate(db):
        codes = check_scopes(db, role, scopes)
        db.execute(
            "UPDATE users SET role = ?, display_name = ?, active = ? WHERE id = ?",
            [role, unicodedata.normalize("NFC", display_name.strip()), int(active), user_id],
        )
        db.execute("DELETE FROM user_scopes WHERE user_id = ?", [user_id])
        _write_scopes(db, user_id, codes)
    return get_user(db, user_id)


def _write_scopes(db: Database, user_id: int, codes) -> None:
    """Insert the scope rows of a user."""
    for code in codes:
        db.execute("INSERT INTO user_scopes (user_id, unit_code) VALUES (?, ?)", [user_id, code])


def set_password(db: Database, user_id: int, password: str) -> dict:
    """Give a user a new password (ending their other sessions); return the user."""
    check_password_rules(password)
    with db.atomic():
        db.execute(
            "UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?",
            [hash_password(password), now_iso(), user_id],
        )
    return get_user(db, user_id)


def may_manage_users(actor: dict | None) -> bool:
    """Tell whether the actor may create and change accounts (None: the command line)."""
    return access.can(actor, "manage_users")


def create(
    db: Database,
    actor: dict | None,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    scopes=(),
) -> dict:
    """Create an account as an administrator (or the command line), audit-logged; return it."""
    require(may_manage_users(actor))
    with immediate(db):
        user = create_user(db, username, password, role, display_name, scopes)
        audit.record(
            db,
            actor,
            "create",
            "user",
            user["id"],
            {"username": user["username"], "role": user["role"], "scopes": user["scopes"]},
        )
    return get_user(db, user["id"])


def update(
    db: Database,
    actor: dict | None,
    user_id: int,
    role: str,
    display_name: str,
    active: bool,
    scopes=(),
    password: str | None = None,
) -> dict:
    """Change an account's role, name, state, scopes and (if given) password, audit-logged."""
    require(may_manage_users(actor))
    if actor is not None and actor["id"] == user_id and (role != ADMINISTRATOR or not active):
        raise AccountError("own_access")
    with immediate(db):
        user = get_user(db, user_id)
        if user is None:
            raise AccountError("unknown_user", str(user_id))
        changed = update_user(db, user_id, role, display_name, active, scopes)
        detail = {
            key: [user[key], changed[key]]
            for key in ("role", "display_name", "active", "scopes")
            if user[key] != changed[key]
        }
        if password:
            set_password(db, user_id, password)
            detail["password_reset"] = True
        audit.record(db, actor, "update", "user", user_id, detail)
    return get_user(db, user_id)


def change_password(db: Database, actor: dict, current: str, new: str) -> dict:
    """Change the actor's own password once the current one is right, audit-logged; return it."""
    require(actor is not None)
    if not verify_password(db, actor["id"], current):
        raise AccountError("wrong_password")
    with immediate(db):
        set_password(db, actor["id"], new)
        audit.record(db, actor, "change_password", "user", actor["id"])
    return get_user(db, actor["id"])


def record_login(db: Database, user: dict, keys: list[str]) -> dict:
    """After a right password: forgive the attempt and log the sign-in, in one transaction."""
    with immediate(db):
        forgive_attempt(db, keys)
        audit.record(db, user, "login", "user", user["id"])
    return get_user(db, user["id"])


def get_user(db: Database, user_id) -> dict | None:
    """Return a user with a ``scopes`` list, or None."""
    rows = list(db.query("SELECT * FROM users WHERE id = ?", [user_id]))
    return _with_scopes(db, rows[0]) if rows else None


def find_user(db: Database, username: str) -> dict | None:
    """Return a user by username (case-insensitive), or None."""
    rows = list(db.query("SELECT * FROM users WHERE username = ?", [normalise_username(username)]))
    return _with_scopes(db, rows[0]) if rows else None


def list_users(db: Database) -> list[dict]:
    """Return every user with scopes, in Vietnamese order of username."""
    return [_with_scopes(db, row) for row in sorted_by(db.query("SELECT * FROM users"), "username")]


def _with_scopes(db: Database, user: dict) -> dict:
    """Attach the user's scope codes."""
    user["scopes"] = [
        row[0]
        for row in db.execute(
            "SELECT unit_code FROM user_scopes WHERE user_id = ? ORDER BY unit_code", [user["id"]]
        )
    ]
    return user


def authenticate(db: Database, username: str, password: str) -> dict | None:
    """Return the active user whose password matches, else None (same cost either way)."""
    user = find_user(db, username) if len(password) <= MAX_PASSWORD_LENGTH else None
    if user is None:
        check_password_hash(_DUMMY_HASH, password[:MAX_PASSWORD_LENGTH])
        return None
    if not check_password_hash(user["password_hash"], password) or not user["active"]:
        return None
    with db.atomic():
        db.execute("UPDATE users SET last_login_at = ? WHERE id = ?", [now_iso(), user["id"]])
    return user


def verify_password(db: Database, user_id: int, password: str) -> bool:
    """Return True if password is the user's current password."""
    user = get_user(db, user_id)
    return bool(user) and check_password_hash(user["password_hash"], password)


def throttle_keys(username: str, client: str, secret: str) -> list[str]:
    """Return the throttle keys of a login: salted hashes, never the raw username or address."""

    def digest(kind, value):
        mac = hmac.new(secret.encode(), f"{kind}:{value}".encode(), hashlib.sha256)
        return f"{kind}:{mac.hexdigest()[:32]}"

    return [digest("user", normalise_username(username)), digest("client", client or "-")]


def take_attempt(db: Database, keys: list[str], now: float | None = None) -> int:
    """Count a sign-in attempt against each key unless one is blocked; return the wait, or 0.

    The check and the count are one BEGIN IMMEDIATE transaction, so that concurrent guesses
    cannot all pass the check before any of them is counted (the password check between them
    takes a noticeable fraction of a second). The attempt counts as a failure until
    ``forgive_attempt`` says the password was right.
    """
    now = time.time() if now is None else now
    with immediate(db):
        wait = _seconds_blocked(db, keys, now)
        if wait:
            return wait
        db.execute("DELETE FROM login_attempts WHERE at < ?", [now - THROTTLE_WINDOW_SECONDS])
        for key in keys:
            db.execute("INSERT INTO login_attempts (key, at) VALUES (?, ?)", [key, now])
    return 0


def _seconds_blocked(db: Database, keys: list[str], now: float) -> int:
    """Return how long these keys must wait before another attempt, or 0."""
    since = now - THROTTLE_WINDOW_SECONDS
    wait = 0
    for key, limit in zip(keys, (MAX_FAILURES_PER_USERNAME, MAX_FAILURES_PER_CLIENT), strict=False):
        rows = db.execute(
            "SELECT at FROM login_attempts WHERE key = ? AND at > ? ORDER BY at DESC LIMIT ?",
            [key, since, limit],
        ).fetchall()
        if len(rows) >= limit:
            wait = max(wait, int(rows[-1][0] + THROTTLE_WINDOW_SECONDS - now) + 1)
    return wait


def forgive_attempt(db: Database, keys: list[str]) -> None:
    """After a right password: forget the username's failures and this attempt's client count."""
    username_key, client_key = keys
    with db.atomic():
        db.execute("DELETE FROM login_attempts WHERE key = ?", [username_key])
        db.execute(
            "DELETE FROM login_attempts WHERE rowid = (SELECT rowid FROM login_attempts"
            " WHERE key = ? ORDER BY at DESC LIMIT 1)",
            [client_key],
        )
