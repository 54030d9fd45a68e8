"""Only survey/access.py decides by a user's role: everyone else asks it (``access.can`` ...).

A role compared anywhere else (``user["role"] == ...`` in Python, ``current_user().role``
in a template) is a second copy of the policy, which the next change to the table misses.
"""

import ast
import re
from pathlib import Path

import pytest

import survey
from survey.paths import TEMPLATES_DIR

PACKAGE = Path(survey.__file__).parent
# A template testing the role of the signed-in user or of a listed account.
TEMPLATE_ROLE_TEST = re.compile(r"\b(current_user\(\)|signed_in|user|u)\.role\s*(==|!=|in\b|not\b)")


def role_tests(source: str) -> list[int]:
    """Return the lines where Python source compares a ``["role"]`` item."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            for side in (node.left, *node.comparators):
                if (
                    isinstance(side, ast.Subscript)
                    and isinstance(side.slice, ast.Constant)
                    and side.slice.value == "role"
                ):
                    found.append(node.lineno)
    return found


def python_modules() -> list[Path]:
    """Return every module of the package except the policy itself."""
    return sorted(path for path in PACKAGE.rglob("*.py") if path != PACKAGE / "access.py")


def test_no_module_but_access_compares_a_role():
    found = {
        str(path.relative_to(PACKAGE)): lines
        for path in python_modules()
        if (lines := role_tests(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_no_template_compares_a_role():
    found = [
        f"{path.name}: {match.group(0)}"
        for path in sorted(Path(TEMPLATES_DIR).rglob("*.html"))
        for match in TEMPLATE_ROLE_TEST.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


@pytest.mark.parametrize(
    "source",
    [
        'if user["role"] in (ADMINISTRATOR, ANALYST): pass',
        'ok = actor is None or actor["role"] == accounts.ADMINISTRATOR',
        'x = "analyst" != current_user()["role"]',
    ],
)
def test_the_scan_finds_a_role_test(source):
    assert role_tests(source)


def test_the_scan_leaves_other_roles_and_reads_alone():
    assert role_tests('label = role_label(user["role"])\nok = item.role == "weighting"') == []
    assert TEMPLATE_ROLE_TEST.search('{%- if current_user().role != "analyst" %}')
    assert not TEMPLATE_ROLE_TEST.search("{{ role_label(u.role) }}")
