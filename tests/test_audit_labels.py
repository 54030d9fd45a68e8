"""The audit log shows words, never the stored codes, for every action and kind of record."""

import ast
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import survey
from survey import audit
from survey.collation import sort_key
from survey.staff.audit import action_labels, object_labels
from tests.staff_helpers import client_as

PACKAGE = Path(survey.__file__).parent


def _literals(node) -> set[str]:
    """Return the strings an argument can take: a literal, or either side of ``a if c else b``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _literals(node.body) | _literals(node.orelse)
    raise AssertionError(f"write the audit code as a literal, not {ast.unparse(node)}")


def written_codes() -> tuple[set[str], set[str]]:
    """Return every (action, kind of record) that a call of audit.record in the package writes."""
    actions, kinds = set(), set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
            ):
                continue
            named = {keyword.arg: keyword.value for keyword in node.keywords}
            arguments = [*node.args, *(named.get(k) for k in ("action", "object_type"))]
            arguments = [a for a in arguments if a is not None]
            actions |= _literals(arguments[2])
            kinds |= _literals(arguments[3])
    return actions, kinds


def test_the_scan_finds_the_audit_calls():
    actions, kinds = written_codes()
    assert {"create", "rotate_token", "deactivate", "login", "exclude"} <= actions
    assert {"point", "user", "response"} <= kinds


def test_every_action_and_kind_the_code_writes_has_a_label(app):
    actions, kinds = written_codes()
    with app.test_request_context():
        assert sorted(actions - set(action_labels())) == []
        assert sorted(kinds - set(object_labels())) == []


def _store(db, action, kind):
    with db.atomic():
        audit.record(db, None, action, kind, 7)


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_audit_page_shows_words_in_rows_and_filters(app, db, world, locale):
    actions, kinds = written_codes()
    for action in sorted(actions):
        _store(db, action, "point")
    for kind in sorted(kinds):
        _store(db, "update", kind)
    client = client_as(app, world, "administrator")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = locale
    soup = BeautifulSoup(client.get("/staff/audit/").data, "html.parser")
    codes = actions | kinds | {audit.CLI_USER}
    assert not [code for code in codes if "_" in code and code in soup.main.get_text()]
    cells = [
        text
        for row in soup.select("tbody tr")
        for text in (
            row.select("td")[1].get_text(),  # person
            row.select("td")[2].get_text(),  # action
            row.select("td")[3].get_text().removesuffix(" 7"),  # kind of record and its number
        )
    ]
    options = [option.get_text() for option in soup.select(".filters option")]
    assert not codes & set(cells + options)
    with app.test_request_context(headers={"Accept-Language": locale}):
        labels = action_labels()
        menu = [(o["value"], o.get_text()) for o in soup.select("#f-action option") if o["value"]]
        assert menu == sorted(
            ((code, labels[code]) for code in actions), key=lambda pair: sort_key(pair[1])
        )
        rows = [row.select("td")[2].get_text() for row in soup.select("tbody tr")]
        assert labels["rotate_token"] in rows
        kinds_menu = {o["value"]: o.get_text() for o in soup.select("#f-object_type option")}
        assert kinds_menu["point"] == object_labels()["point"]
    if locale == "vi":
        assert "Thay mã mới" in rows and "Điểm khảo sát" in kinds_menu.values()


def test_filter_by_action_still_uses_the_code(app, db, world):
    _store(db, "rotate_token", "point")
    _store(db, "create", "point")
    client = client_as(app, world, "administrator")
    soup = BeautifulSoup(client.get("/staff/audit/?action=rotate_token").data, "html.parser")
    assert [row.select("td")[2].get_text() for row in soup.select("tbody tr")] == [
        "Replaced the code"
    ]
    assert soup.select_one("#f-action option[selected]")["value"] == "rotate_token"
