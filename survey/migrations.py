"""Schema changes, named and append-only: never edit a migration that has shipped, add one.

``apply(db)`` runs every pending migration inside one BEGIN IMMEDIATE transaction, so that
several server workers starting at once queue on SQLite's write lock instead of failing, and
an upgrade that fails half-way leaves the schema as it was.
"""

from sqlite_utils import Database, Migrations

from survey import exports
from survey.db import immediate
from survey.estimation import stored
from survey.units import LEGACY_PROVINCES

migrations = Migrations("papi_pulse")


@migrations()
def m001_places(db: Database):
    """Provinces, wards and the legacy provinces each current province was formed from."""
    db.execute("""
        CREATE TABLE provinces (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            name_ascii TEXT NOT NULL,
            kind TEXT NOT NULL,
            population INTEGER
        )""")
    db.execute("""
        CREATE TABLE wards (
            code TEXT PRIMARY KEY,
            province_code TEXT NOT NULL REFERENCES provinces(code),
            name TEXT NOT NULL,
            name_ascii TEXT NOT NULL,
            kind TEXT NOT NULL,
            population INTEGER
        )""")
    db.execute("CREATE INDEX wards_province ON wards(province_code)")
    db.execute("""
        CREATE TABLE legacy_provinces (
            province_code TEXT NOT NULL REFERENCES provinces(code),
            legacy_name TEXT NOT NULL,
            legacy_code TEXT,
            population INTEGER,
            PRIMARY KEY (province_code, legacy_name)
        )""")


@migrations()
def m002_points(db: Database):
    """Collection points with their public tokens, and tokens retired by rotation."""
    db.execute("""
        CREATE TABLE points (
            id INTEGER PRIMARY KEY,
            ward_code TEXT NOT NULL REFERENCES wards(code),
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            address TEXT NOT NULL DEFAULT '',
            active INTEGER NOT NULL DEFAULT 1,
            token TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX points_ward ON points(ward_code)")
    db.execute("""
        CREATE TABLE retired_tokens (
            token TEXT PRIMARY KEY,
            point_id INTEGER NOT NULL REFERENCES points(id),
            retired_at TEXT NOT NULL
        )""")


@migrations()
def m003_responses(db: Database):
    """Finished responses, one row each, answers as JSON; and module rotation counters."""
    db.execute("""
        CREATE TABLE responses (
            id TEXT PRIMARY KEY,
            point_id INTEGER NOT NULL REFERENCES points(id),
            ward_code TEXT NOT NULL,
            province_code TEXT NOT NULL,
            questionnaire_id TEXT NOT NULL,
            questionnaire_version INTEGER NOT NULL,
            modules TEXT NOT NULL,
            answers TEXT NOT NULL,
            locale TEXT NOT NULL,
            started_at TEXT NOT NULL,
            submitted_at TEXT NOT NULL,
            duration_seconds INTEGER,
            flags TEXT NOT NULL DEFAULT '[]',
            review_status TEXT NOT NULL DEFAULT 'included',
            review_reason TEXT,
            reviewed_by TEXT,
            reviewed_at TEXT,
            source TEXT NOT NULL DEFAULT 'web'
        )""")
    db.execute("CREATE INDEX responses_ward_time ON responses(ward_code, submitted_at)")
    db.execute("CREATE INDEX responses_point_time ON responses(point_id, submitted_at)")
    db.execute("CREATE INDEX responses_province_time ON responses(province_code, submitted_at)")
    db.execute("""
        CREATE TABLE module_counts (
            questionnaire_id TEXT NOT NULL,
            questionnaire_version INTEGER NOT NULL,
            module_id TEXT NOT NULL,
            shown INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (questionnaire_id, questionnaire_version, module_id)
        )""")


@migrations()
def m004_staff(db: Database):
    """Staff accounts, the units each may act on, login throttling and the audit log."""
    db.execute("""
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE COLLATE NOCASE,
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL,
            display_name TEXT NOT NULL DEFAULT '',
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            last_login_at TEXT,
            password_changed_at TEXT
        )""")
    db.execute("""
        CREATE TABLE user_scopes (
            user_id INTEGER NOT NULL REFERENCES users(id),
            unit_code TEXT NOT NULL,
            PRIMARY KEY (user_id, unit_code)
        )""")
    db.execute("""
        CREATE TABLE login_attempts (
            key TEXT NOT NULL,
            at REAL NOT NULL
        )""")
    db.execute("CREATE INDEX login_attempts_key ON login_attempts(key, at)")
    db.execute("""
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            user_id INTEGER,
            username TEXT NOT NULL,
            action TEXT NOT NULL,
            object_type TEXT NOT NULL,
            object_id TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '{}'
        )""")


@migrations()
def m005_analysis(db: Database):
    """Population margins (with history) and official PAPI baselines."""
    db.execute("""
        CREATE TABLE margin_sets (
            id INTEGER PRIMARY KEY,
            loaded_at TEXT NOT NULL,
            loaded_by TEXT NOT NULL,
            filename TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            row_count INTEGER NOT NULL,
            superseded_at TEXT
        )""")
    db.execute("""
        CREATE TABLE margins (
            set_id INTEGER NOT NULL REFERENCES margin_sets(id),
            unit_code TEXT NOT NULL,
            variable TEXT NOT NULL,
            category TEXT NOT NULL,
            population INTEGER NOT NULL,
            PRIMARY KEY (set_id, unit_code, variable, category)
        )""")
    db.execute("""
        CREATE TABLE baselines (
            id INTEGER PRIMARY KEY,
            year INTEGER NOT NULL,
            legacy_province TEXT NOT NULL,
            province_code TEXT,
            dimension TEXT NOT NULL,
            value REAL NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            loaded_at TEXT NOT NULL,
            UNIQUE (year, legacy_province, dimension)
        )""")


@migrations()
def m006_quality_and_retention(db: Database):
    """Submission counters per hashed address, review index, and aggregates kept after deletion."""
    db.execute("""
        CREATE TABLE rate_limits (
            key TEXT NOT NULL,
            action TEXT NOT NULL,
            window_start INTEGER NOT NULL,
            hits INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (key, action, window_start)
        ) WITHOUT ROWID""")
    db.execute("CREATE INDEX rate_limits_window ON rate_limits(window_start)")
    db.execute("CREATE INDEX responses_review ON responses(review_status, flags)")
    db.execute("""
        CREATE TABLE aggregates (
            questionnaire_id TEXT NOT NULL,
            questionnaire_version INTEGER NOT NULL,
            ward_code TEXT NOT NULL,
            province_code TEXT NOT NULL,
            period TEXT NOT NULL,
            item_id TEXT NOT NULL,
            code TEXT NOT NULL,
            n INTEGER NOT NULL DEFAULT 0,
            n_flagged INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (questionnaire_id, questionnaire_version, ward_code, period, item_id, code)
        )""")


@migrations()
def m007_flagged_index(db: Database):
    """Index only flagged responses for review; the full (review_status, flags) index misled
    the planner of other queries and cost a write on every insert."""
    db.execute("DROP INDEX IF EXISTS responses_review")
    db.execute("CREATE INDEX responses_flagged ON responses(submitted_at) WHERE flags <> '[]'")


# "PAPI" in ASCII, in the file header: a backup or a restore can tell our files from any other
# SQLite database before reading a table (https://www.sqlite.org/fileformat.html#application_id).
APPLICATION_ID = 0x50415049


@migrations()
def m008_application_id(db: Database):
    """Mark the file as a PAPI Pulse database in the SQLite header."""
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")


@migrations()
def m009_session_generation(db: Database):
    """Count each account's sign-outs, so that signing out ends its sessions on the server."""
    db.execute("ALTER TABLE users ADD COLUMN session_generation INTEGER NOT NULL DEFAULT 0")


@migrations()
def m010_baseline_legacy_code(db: Database):
    """Match baselines on the legacy province's code, not on how a file spelt its name."""
    db.execute("ALTER TABLE baselines ADD COLUMN legacy_code TEXT")
    # The crosswalk is law: rows need no units table.
    for _, code, name in LEGACY_PROVINCES:
        db.execute("UPDATE baselines SET legacy_code = ? WHERE legacy_province = ?", [code, name])


# Tables whose changes change an estimate: answers and their review, margins, official
# scores and the populations of units.
_ESTIMATE_INPUTS = ("responses", "margin_sets", "margins", "baselines", "wards", "legacy_provinces")


@migrations()
def m011_data_version(db: Database):
    """Mark every change to what estimates are made of, so cached estimates know they are old.

    The mark is random, not a count: a database restored from a backup and changed again must
    not reach a mark that a worker has cached results for.
    """
    db.execute(
        "CREATE TABLE data_version (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL)"
    )
    db.execute("INSERT INTO data_version (id, n) VALUES (1, 0)")
    for table in _ESTIMATE_INPUTS:
        for event in ("INSERT", "UPDATE", "DELETE"):
            db.execute(
                f"CREATE TRIGGER {table}_{event.lower()}_data_version AFTER {event} ON {table}"
                " BEGIN UPDATE data_version SET n = random() WHERE id = 1; END"
            )


@migrations()
def m012_paper_forms(db: Database):
    """Say how each response was given (``mode``: web or paper; every existing row is web), and
    keep the paper forms printed for a point: form number, modules printed, who entered it.

    ``mode`` is how the respondent answered; ``source`` stays how the row reached the database
    (web pages, import, demo). ``response_id`` has no foreign key: retention may delete the
    response, and the form must still count as entered so it cannot be entered twice.
    """
    db.execute(
        "ALTER TABLE responses ADD COLUMN mode TEXT NOT NULL DEFAULT 'web'"
        " CHECK (mode IN ('web', 'paper'))"
    )
    db.execute("""
        CREATE TABLE paper_forms (
            point_id INTEGER NOT NULL REFERENCES points(id),
            form_number INTEGER NOT NULL CHECK (form_number > 0),
            questionnaire_id TEXT NOT NULL,
            questionnaire_version INTEGER NOT NULL,
            modules TEXT NOT NULL,
            drawn INTEGER NOT NULL,
            printed_at TEXT,
            printed_by INTEGER,
            response_id TEXT UNIQUE,
            entered_by INTEGER,
            entered_at TEXT,
            PRIMARY KEY (point_id, form_number)
        )""")


@migrations()
def m013_plan_targets(db: Database):
    """Provinces' PAPI plan targets per year and dimension; a new load supersedes, history stays."""
    db.execute("""
        CREATE TABLE target_sets (
            id INTEGER PRIMARY KEY,
            filename TEXT NOT NULL,
            loaded_at TEXT NOT NULL,
            loaded_by TEXT NOT NULL,
            rows INTEGER NOT NULL
        )""")
    db.execute("""
        CREATE TABLE plan_targets (
            id INTEGER PRIMARY KEY,
            set_id INTEGER NOT NULL REFERENCES target_sets(id),
            province_code TEXT NOT NULL REFERENCES provinces(code),
            year INTEGER NOT NULL,
            dimension TEXT NOT NULL,
            target REAL NOT NULL,
            superseded_at TEXT
        )""")
    db.execute(
        "CREATE INDEX plan_targets_current ON plan_targets(province_code, year, dimension)"
        " WHERE superseded_at IS NULL"
    )


@migrations()
def m014_publications(db: Database):
    """Record each decision to publish a province's results of a period, with its figures.

    The figures are a snapshot taken at the decision, so that a published page stays the same
    however the data change later; publishing the same period again is a correction and names
    the publication it corrects.
    """
    db.execute(
        """
        CREATE TABLE publications (
            id INTEGER PRIMARY KEY,
            province_code TEXT NOT NULL REFERENCES provinces(code),
            period TEXT NOT NULL,
            period_start TEXT NOT NULL,
            period_end TEXT NOT NULL,
            published_at TEXT NOT NULL,
            published_by TEXT NOT NULL,
            corrects INTEGER REFERENCES publications(id),
            snapshot TEXT NOT NULL
        )"""
    )
    db.execute(
        "CREATE INDEX publications_by_province ON publications (province_code, period_start)"
    )


@migrations()
def m015_ward_notes(db: Database):
    """Keep ward staff's "we asked, you said, we did" notes and the province's approval."""
    db.execute(
        """
        CREATE TABLE ward_notes (
            id INTEGER PRIMARY KEY,
            ward_code TEXT NOT NULL REFERENCES wards(code),
            dimension TEXT NOT NULL,
            said TEXT NOT NULL,
            did TEXT NOT NULL,
            acted_on TEXT NOT NULL,
            acting_unit TEXT NOT NULL,
            written_by TEXT NOT NULL,
            written_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'approved', 'rejected')),
            decided_by TEXT,
            decided_at TEXT
        )"""
    )
    db.execute("CREATE INDEX ward_notes_by_ward ON ward_notes (ward_code, status)")


@migrations()
def m016_ward_note_photos(db: Database):
    """Keep an optional photo per ward note, re-encoded on the server without its metadata."""
    db.execute("ALTER TABLE ward_notes ADD COLUMN photo BLOB")


# Not in a savepoint of its own: this SQLite keeps savepoint journals in memory, and one
# holding the old copy of every page of the responses table took 0.9 GB for a million rows.
# apply() runs it inside its one BEGIN IMMEDIATE transaction, which rolls it back on failure.
@migrations(transactional=False)
def m017_response_cells(db: Database):
    """Store each response's cells of the codes export, so that exports copy them (#10.7).

    Every row is kept; the answers stay the record. A change to a row's answers or
    questionnaire clears its cells, and the export decodes such rows as before.
    """
    db.execute("ALTER TABLE responses ADD COLUMN cells TEXT")
    db.execute("ALTER TABLE responses ADD COLUMN cells_key TEXT")
    db.execute(
        "CREATE TRIGGER responses_cells_stale"
        " AFTER UPDATE OF answers, questionnaire_id, questionnaire_version ON responses"
        " BEGIN UPDATE responses SET cells = NULL, cells_key = NULL WHERE rowid = NEW.rowid; END"
    )
    exports.fill_cells(db)


# Not in a savepoint of its own, for m017's reason (the responses table's every page).
@migrations(transactional=False)
def m018_response_decoded(db: Database):
    """Store each response's decoded form, so that estimates read it instead of decoding (#10).

    Every row is kept; the answers stay the record. A change to a row's answers or
    questionnaire clears its form, and the engine decodes such rows as before.
    """
    db.execute("ALTER TABLE responses ADD COLUMN decoded TEXT")
    db.execute("ALTER TABLE responses ADD COLUMN decoded_key TEXT")
    db.execute(
        "CREATE TRIGGER responses_decoded_stale"
        " AFTER UPDATE OF answers, questionnaire_id, questionnaire_version ON responses"
        " BEGIN UPDATE responses SET decoded = NULL, decoded_key = NULL"
        " WHERE rowid = NEW.rowid; END"
    )
    stored.fill(db)


@migrations()
def m019_ward_data_version(db: Database):
    """Mark each ward's answers apart from the rest of what estimates are made of (#10.3).

    data_version (m011) moves on any change anywhere, so a result about one ward or a few was
    made anew whenever anyone in the country answered. ward_data_version holds a random mark
    per ward, set anew by any change to one of its responses (both wards' when a response
    moves), input_data_version one mark for every other table of _ESTIMATE_INPUTS: a result
    made of some wards keys on the input mark and those wards' marks. Random, as m011's.
    """
    db.execute(
        "CREATE TABLE ward_data_version (ward_code TEXT PRIMARY KEY, n INTEGER NOT NULL)"
        " WITHOUT ROWID"
    )
    db.execute("INSERT INTO ward_data_version (ward_code, n) SELECT code, random() FROM wards")
    db.execute(
        "CREATE TABLE input_data_version"
        " (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL)"
    )
    db.execute("INSERT INTO input_data_version (id, n) VALUES (1, random())")
    mark = (
        "INSERT OR REPLACE INTO ward_data_version (ward_code, n) VALUES ({}.ward_code, random());"
    )
    moved = (
        "INSERT OR REPLACE INTO ward_data_version (ward_code, n)"
        " SELECT OLD.ward_code, random() WHERE OLD.ward_code IS NOT NEW.ward_code;"
    )
    for event, body in (
        ("INSERT", mark.format("NEW")),
        ("UPDATE", mark.format("NEW") + " " + moved),
        ("DELETE", mark.format("OLD")),
    ):
        db.execute(
            f"CREATE TRIGGER responses_{event.lower()}_ward_data_version"
            f" AFTER {event} ON responses BEGIN {body} END"
        )
    for table in _ESTIMATE_INPUTS:
        if table == "responses":
            continue
        for event in ("INSERT", "UPDATE", "DELETE"):
            db.execute(
                f"CREATE TRIGGER {table}_{event.lower()}_input_data_version"
                f" AFTER {event} ON {table}"
                " BEGIN UPDATE input_data_version SET n = random() WHERE id = 1; END"
            )


def pending(db: Database) -> list[str]:
    """Return the names of migrations not yet applied."""
    return [m.name for m in migrations.pending(db)]


def apply(db: Database, before_upgrade=None) -> list[str]:
    """Apply every pending migration in one write-locked transaction; return their names.

    ``before_upgrade(db)`` runs first, inside that transaction, when a database that already
    has migrations applied gets more: ``survey.backup.migrate`` passes its pre-migration backup.
    """
    with immediate(db):
        names = pending(db)
        if names:
            if before_upgrade is not None and migrations.applied(db):
                before_upgrade(db)
            migrations.apply(db)
    return names


def reference(applied_count: int) -> Database:
    """Return an in-memory database migrated by the first applied_count migrations."""
    db = Database(memory=True)
    names = [m.name for m in migrations._migrations]
    stop = names[applied_count] if applied_count < len(names) else None
    migrations.apply(db, stop_before=stop)
    return db
