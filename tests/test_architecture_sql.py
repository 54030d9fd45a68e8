"""No web module runs SQL: views ask survey.access and the domain modules, which own the tables.

A web module is any module of the packages that serve pages (citizen, public, staff,
analysis), their commands included: what they need from the database is a function of the
module that owns the table, so that a scope rule or a query is written once.
"""

import ast
import re
from pathlib import Path

import pytest

import survey

WEB_PACKAGES = ("citizen", "public", "staff", "analysis")
DB_METHODS = {"execute", "executemany", "executescript", "query"}
# Statements, clauses, and conditions such as "p.active = 1" or "w.code IN (...)".
SQL = re.compile(
    r"\b(SELECT|INSERT|UPDATE|DELETE|PRAGMA|CREATE|DROP|WHERE|JOIN|AND|OR|IN|LIKE|"
    r"ORDER BY|GROUP BY|LIMIT)\b|\b[a-z_]+\.[a-z_]+ *(=|<>|<|>|IN\b|LIKE\b|IS\b)"
)


def web_modules() -> list[Path]:
    """Return every Python file of the web packages."""
    root = Path(survey.__file__).parent
    return sorted(path for name in WEB_PACKAGES for path in (root / name).rglob("*.py"))


def sql_uses(source: str) -> list[str]:
    """Return where the source runs SQL itself: database calls, table indexing, SQL text."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in DB_METHODS
        ):
            found.append(f"line {node.lineno}: .{node.func.attr}()")
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and node.value.id == "db"
        ):
            found.append(f"line {node.lineno}: db[...]")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if SQL.search(node.value):
                found.append(f"line {node.lineno}: SQL text {node.value[:40]!r}")
    return found


@pytest.mark.parametrize("path", web_modules(), ids=lambda path: path.name)
def test_web_module_runs_no_sql(path):
    """Each web module leaves SQL to the domain modules (see survey/access.py for scopes)."""
    assert sql_uses(path.read_text(encoding="utf-8")) == []


def test_the_web_packages_are_all_scanned():
    names = {f"{path.parent.name}/{path.name}" for path in web_modules()}
    expected = {"staff/auth.py", "analysis/downloads.py", "citizen/views.py", "public/views.py"}
    assert expected <= names


@pytest.mark.parametrize(
    "source",
    [
        'db.execute("UPDATE points SET active = 0")',
        "get_db().query(sql, params)",
        'db.conn.executemany("x", rows)',
        'db["points"].insert({})',
        'where = f"({where}) AND w.code = ?"',
        'points.list_points(db, "p.active = 1")',
        'SQL = "SELECT 1 FROM wards"',
        'get_db().execute("PRAGMA database_list")',
    ],
)
def test_the_scan_finds_sql(source):
    assert sql_uses(source)


@pytest.mark.parametrize(
    "source",
    [
        'flash(_("The note is saved. It is shown to the public once approved."))',
        'url_for("points.show", point_id=1)',
        'access.can(user, "edit_points")',
        "rows = notes.list_in_scope(db, access.scope_clause(user))",
        'headers["Content-Type"] = "image/jpeg"',
    ],
)
def test_the_scan_leaves_ordinary_code(source):
    assert sql_uses(source) == []
