"""Backups, restores and integrity checks of the SQLite database; plain functions, no Flask.

A backup uses SQLite's online backup API in one step, so it is a consistent snapshot taken
while the server keeps answering (writers wait at most for the copy, a few hundred ms for a
province's database). The copy is switched to a single self-contained file (no -wal), checked
with ``PRAGMA integrity_check`` and only then given its final name. Backups are named
``papi-pulse-<UTC time to the microsecond>[-<n>][-<reason>].sqlite3``: the number is added
only when two backups share a microsecond, and the name is reserved with an exclusive create,
so two backups started at once never take the same name. Age is read from the parsed name
(time, then number), never from the name as a string or the file's mtime; scheduled backups
(no reason) are pruned to the newest N, the ones taken before a migration or a restore are kept.
"""

import contextlib
import logging
import os
import re
from datetime import UTC, datetime
from pathlib import Path

from survey import migrations
from survey.db import sqlite3

log = logging.getLogger(__name__)

PREFIX = "papi-pulse-"
SUFFIX = ".sqlite3"
# Names before 0.9 had whole seconds only; they still sort among the new ones.
_NAME = re.compile(r"papi-pulse-(\d{8}T\d{6})(?:\.(\d{6}))?Z(?:-(\d+))?(-[a-z-]+)?\.sqlite3")
SQLITE_HEADER = b"SQLite format 3\x00"


class BackupError(Exception):
    """A backup could not be written, or a file is not a sound PAPI Pulse database."""


def database_path(conn) -> str:
    """Return the file path of a connection's main database ('' for an in-memory one)."""
    return conn.execute("PRAGMA database_list").fetchone()[2]


def write_backup(
    conn, folder, reason: str = "", keep: int | None = None, now: datetime | None = None
) -> Path:
    """Copy the database of conn into folder as a checked, timestamped file; return its path."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target, partial = _reserve_name(folder, reason, now or datetime.now(UTC))
    except OSError as exc:
        raise BackupError(f"could not write the backup in {folder}: {exc}") from exc
    try:
        with contextlib.closing(sqlite3.connect(partial, isolation_level=None)) as copy:
            # pages=-1: one step, one read transaction, so the copy is a single snapshot.
            conn.backup(copy, pages=-1)
            copy.execute("PRAGMA journal_mode = DELETE")
            problems = integrity_problems(copy)
        if problems:
            raise BackupError(f"the copy failed its integrity check: {problems[0]}")
        os.replace(partial, target)
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    except (sqlite3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"could not write the backup in {folder}: {exc}") from exc
    if keep is not None and not reason:
        prune(folder, keep)
    return target


def migrate(db, backup_dir=None) -> list[str]:
    """Apply pending migrations (survey.migrations.apply); return their names.

    A database that already has migrations applied is first copied to backup_dir (default:
    ``backups/`` beside the database) as ``papi-pulse-<time>-before-migration.sqlite3``,
    so that a botched upgrade costs nothing. A failed backup stops the upgrade.
    """
    return migrations.apply(db, lambda db: _backup_before(db, backup_dir))


def _backup_before(db, backup_dir) -> None:
    """Write the pre-migration backup of a file database."""
    path = database_path(db.conn)
    if not path:
        return
    folder = backup_dir or os.path.join(os.path.dirname(path), "backups")
    # A second connection reads the snapshot: the backup API cannot read through a
    # connection that holds the write lock (it would retry for ever), and while this one
    # holds it nobody else can write, so the copy is exactly the pre-migration state.
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        written = write_backup(reader, folder, reason="before-migration")
    finally:
        reader.close()
    log.warning("backed up the database to %s before migrating", written)


def _reserve_name(folder: Path, reason: str, now: datetime) -> tuple[Path, Path]:
    """Return an unused backup name and its partial file, created empty so no one else takes it."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    label = f"-{reason}" if reason else ""
    # After the newest number of this time, never a lower one freed by pruning: it would sort
    # before the backups it follows.
    taken = [_age_key(p)[1] for p in list_backups(folder) if p.name.startswith(PREFIX + stamp)]
    number = max(taken, default=0) + 1
    while True:
        counter = f"-{number}" if number > 1 else ""
        target = folder / f"{PREFIX}{stamp}{counter}{label}{SUFFIX}"
        partial = target.with_name(target.name + ".partial")
        try:
            partial.open("xb").close()
        except FileExistsError:
            number += 1
            continue
        # Checked after the partial is ours: a backup that finished under this name first
        # removed its partial, so its file is already there.
        if not target.exists():
            return target, partial
        partial.unlink(missing_ok=True)
        number += 1


def list_backups(folder) -> list[Path]:
    """Return the backups in folder, oldest first."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if _NAME.fullmatch(p.name)]
    return sorted(found, key=_age_key)


def _age_key(path: Path) -> tuple[datetime, int]:
    """Sort key: the time in the name, then the number added when two share a time."""
    seconds, micro, number, _reason = _NAME.fullmatch(path.name).groups()
    moment = datetime.strptime(seconds, "%Y%m%dT%H%M%S").replace(microsecond=int(micro or 0))
    return moment, int(number or 1)


def prune(folder, keep: int) -> list[Path]:
    """Delete scheduled backups beyond the newest keep; return the deleted paths."""
    scheduled = [p for p in list_backups(folder) if not _NAME.fullmatch(p.name).group(4)]
    doomed = scheduled[: max(len(scheduled) - keep, 0)]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def integrity_problems(conn) -> list[str]:
    """Return what integrity_check and foreign_key_check find; empty when the file is sound."""
    rows = [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]
    problems = [] if rows == ["ok"] else rows
    for table, rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check").fetchall():
        problems.append(f"row {rowid} of {table} points to a missing row of {parent}")
    return problems


def verify(path) -> list[str]:
    """Return why the file at path cannot be restored; empty when it can.

    The file must be an SQLite file with this app's application id (once set), a migration
    history made of this code's first migrations, the tables, columns, indexes and foreign
    keys those migrations create (compared with a fresh database migrated to the same point),
    and pass the integrity and foreign-key checks. Table names alone prove nothing.
    """
    path = Path(path)
    if not path.is_file():
        return [f"{path} does not exist"]
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            return [f"{path.name} is not a readable SQLite database (not an SQLite file)"]
    try:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
            problems = _identity_problems(conn, path.name)
            if not problems:
                problems = integrity_problems(conn)[:1]
    except sqlite3.DatabaseError as exc:
        return [f"{path.name} is not a readable SQLite database ({exc})"]
    return problems


def _identity_problems(conn, name: str) -> list[str]:
    """Return why the open file is not a PAPI Pulse database this code can restore."""
    foreign = f"{name} is not a PAPI Pulse database"
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    if app_id not in (0, migrations.APPLICATION_ID):
        return [f"{foreign} (it belongs to another application)"]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if migrations.migrations.migrations_table not in tables:
        return [f"{foreign} (it has no migration history)"]
    applied = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid",
            [migrations.migrations.name],
        )
    ]
    known = [m.name for m in migrations.migrations._migrations]
    unknown = [n for n in applied if n not in known]
    if unknown:
        return [
            f"{name} comes from a newer PAPI Pulse (unknown migrations: "
            f"{', '.join(unknown)}); upgrade the app first"
        ]
    if (
        not applied
        or set(applied) != set(known[: len(applied)])
        or len(set(applied)) < len(applied)
    ):
        return [f"{foreign} (its migration history is empty or out of order)"]
    if "m008_application_id" in applied and app_id != migrations.APPLICATION_ID:
        return [f"{foreign} (its header lacks the PAPI Pulse application id)"]
    expected = schema(migrations.reference(len(applied)).conn)
    differences = schema_differences(expected, schema(conn))
    if differences:
        return [f"{foreign} of a known version: {'; '.join(differences[:3])}"]
    return []


def schema(conn) -> dict[tuple[str, str], tuple]:
    """Return every table, index, view and trigger with its columns, keys or SQL, comparably."""
    shape: dict[tuple[str, str], tuple] = {}
    rows = conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master"
        " WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND tbl_name <> ?",
        [migrations.migrations.migrations_table],
    ).fetchall()
    for kind, name, table, sql in rows:
        if kind == "table":
            columns = conn.execute("SELECT * FROM pragma_table_xinfo(?)", [name]).fetchall()
            keys = conn.execute("SELECT * FROM pragma_foreign_key_list(?)", [name]).fetchall()
            shape[kind, name] = (
                tuple(tuple(c[1:]) for c in columns),
                tuple(sorted(tuple(k[2:]) for k in keys)),
            )
        elif kind == "index":
            listed = conn.execute("SELECT * FROM pragma_index_list(?)", [table]).fetchall()
            flags = next((tuple(r[2:]) for r in listed if r[1] == name), ())
            columns = conn.execute("SELECT * FROM pragma_index_xinfo(?)", [name]).fetchall()
            shape[kind, name] = (table, flags, tuple(tuple(c[1:]) for c in columns))
        else:
            shape[kind, name] = (table, " ".join((sql or "").split()))
    return shape


def _tables_first(key: tuple[str, str]) -> tuple[bool, str]:
    """Sort key of a schema object: tables first, then by name."""
    return key[0] != "table", key[1]


def schema_differences(expected: dict, actual: dict) -> list[str]:
    """Return the objects missing, unexpected or different in actual, in words, tables first."""
    found = []
    for kind, name in sorted(expected.keys() | actual.keys(), key=_tables_first):
        if (kind, name) not in actual:
            found.append(f"no {kind} {name}")
        elif (kind, name) not in expected:
            found.append(f"an unknown {kind} {name}")
        elif actual[kind, name] != expected[kind, name]:
            found.append(f"{kind} {name} has other {'columns' if kind == 'table' else 'fields'}")
    return found


def restore(source, database, folder) -> Path | None:
    """Put the backup at source in place of database, saving the current one first.

    Returns the path of the saved copy of the replaced database (None when there was none).
    The copy goes through SQLite's backup API into the live file, so a failure half-way
    leaves the old database as it was. The server must be stopped: see docs/DEPLOY.md.
    """
    problems = verify(source)
    if problems:
        raise BackupError(problems[0])
    saved = None
    with contextlib.closing(sqlite3.connect(database, isolation_level=None)) as current:
        current.execute("PRAGMA busy_timeout = 5000")
        has_data = current.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if has_data:
            saved = write_backup(current, folder, reason="before-restore")
        with contextlib.closing(sqlite3.connect(source, isolation_level=None)) as backup:
            backup.backup(current, pages=-1)
        problems = integrity_problems(current)
    if problems:
        raise BackupError(f"the restored database failed its check: {problems[0]}")
    return saved
