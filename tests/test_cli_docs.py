"""The docs keep up with the code: every command, every setting, every docs/ file cited.

As sqlite-utils checks its CLI: every command and subcommand of ``papi-pulse`` has help text
and a row in the README's command table; every setting ``papi-pulse config show`` lists has a
row, with what it does, in the settings table of docs/DEPLOY.md ("Every setting"); every
``*.md`` file that the code, the templates or the docs name exists.
"""

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from survey import ops
from survey.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DEPLOY = ROOT / "docs" / "DEPLOY.md"
# Where a file may name a Markdown document: the code, the templates, the docs.
CITING = (
    "survey/**/*.py",
    "templates/**/*.html",
    "*.md",
    "docs/*.md",
    "tests/**/*.py",
    "tests/**/*.R",
)
# Flask's own commands, explained by `--help` and Flask's documentation.
FLASK_COMMANDS = {"shell", "routes"}
MARKDOWN = re.compile(r"(?<![\w/.])((?:docs/)?[A-Z][A-Z_]*\.md)\b")


def commands(group: click.Group, ctx: click.Context, prefix=()):
    """Yield (full name, command) for every command and group under a group."""
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        full = (*prefix, name)
        yield " ".join(full), command
        if isinstance(command, click.Group):
            yield from commands(command, ctx, full)


def command_tree(group: click.Group = main) -> dict[str, click.Command]:
    """Return every command of the console script (the app's too), by full name."""
    ctx = group.make_context("papi-pulse", [], resilient_parsing=True)
    with ctx:
        return dict(commands(group, ctx))


def commands_section(text: str) -> str:
    """Return the text of the README's command table (the "## Commands" section)."""
    return text.split("## Commands", 1)[1].split("\n## ", 1)[0]


def undocumented_commands(tree: dict[str, click.Command], readme: str) -> list[str]:
    """Return the commands (groups aside) that the README's command table does not name."""
    documented = " ".join(re.findall(r"`([^`]+)`", commands_section(readme)))
    return sorted(
        name
        for name, command in tree.items()
        if not isinstance(command, click.Group)
        and name not in FLASK_COMMANDS
        and not re.search(rf"(^|\s|/){re.escape(name)}(\s|$)", documented)
    )


def commands_without_help(tree: dict[str, click.Command]) -> list[str]:
    """Return the commands and groups whose --help would print no description."""
    return sorted(name for name, command in tree.items() if not (command.help or "").strip())


def settings_shown(app) -> list[str]:
    """Return the names of the settings ``papi-pulse config show`` prints, in order."""
    result = CliRunner().invoke(ops.config_show_command)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Instance folder:")
    return [line.split()[0] for line in lines[1:] if line.strip()]


def settings_table(text: str) -> dict[str, str]:
    """Return {setting: what it does} from the rows of the "Every setting" table."""
    section = text.split("## 12. Every setting", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3:
            continue
        for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", cells[0]):
            rows[name] = cells[2]
    return rows


def undocumented_settings(names, text: str) -> list[str]:
    """Return the settings without a row that says what they do."""
    table = settings_table(text)
    return sorted(name for name in names if len(table.get(name, "")) < 10)


def missing_documents() -> list[str]:
    """Return "file: DOC.md" for every Markdown document named that does not exist."""
    missing = set()
    for pattern in CITING:
        for path in ROOT.glob(pattern):
            if ".venv" in path.parts or path == Path(__file__).resolve():
                continue
            for name in MARKDOWN.findall(path.read_text(encoding="utf-8")):
                if not ((ROOT / name).exists() or (ROOT / "docs" / name).exists()):
                    missing.add(f"{path.relative_to(ROOT)}: {name}")
    return sorted(missing)


def test_every_command_is_in_the_readme_table(app):
    missing = undocumented_commands(command_tree(), README.read_text(encoding="utf-8"))
    assert not missing, f"add these commands to the README's table: {missing}"


def test_every_command_and_group_has_help_text(app):
    tree = command_tree()
    assert {"points import", "config show", "units", "export responses"} <= set(tree)
    assert not commands_without_help(tree), "give these commands a docstring"


def test_a_command_without_help_or_readme_row_is_caught(app):
    """The checks above fail for a new command: a top-level one and a subcommand."""
    tree = command_tree() | {
        "frobnicate": click.Command("frobnicate"),
        "points frobnicate": click.Command("frobnicate", help="Frobnicate a point."),
    }
    readme = README.read_text(encoding="utf-8")
    assert undocumented_commands(tree, readme) == ["frobnicate", "points frobnicate"]
    assert commands_without_help(tree) == ["frobnicate"]


def test_every_setting_config_show_lists_is_documented(app):
    names = settings_shown(app)
    assert {"BASE_URL", "SECRET_KEY", "BACKUP_KEEP"} <= set(names)
    missing = undocumented_settings(names, DEPLOY.read_text(encoding="utf-8"))
    assert not missing, f"add these settings to docs/DEPLOY.md, 'Every setting': {missing}"


@pytest.mark.parametrize(
    ("row", "missing"),
    [
        ("", ["FROBNICATE_LEVEL"]),
        ("| `FROBNICATE_LEVEL` | `3` |  |\n", ["FROBNICATE_LEVEL"]),
        ("| `FROBNICATE_LEVEL` | `3` | how hard points are frobnicated |\n", []),
    ],
    ids=["no row", "no description", "documented"],
)
def test_a_setting_without_a_row_saying_what_it_does_is_caught(app, row, missing):
    text = DEPLOY.read_text(encoding="utf-8")
    marker = "| `BACKUP_KEEP` |"
    assert marker in text
    text = text.replace(marker, row + marker)
    assert undocumented_settings([*settings_shown(app), "FROBNICATE_LEVEL"], text) == missing


def test_every_document_named_exists():
    assert "docs/METHODOLOGY.md" in README.read_text(encoding="utf-8")
    assert not missing_documents(), "these files name documents that do not exist"


def test_a_document_named_but_absent_is_caught(tmp_path, monkeypatch):
    (tmp_path / "survey").mkdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "HERE.md").write_text("x", encoding="utf-8")
    (tmp_path / "survey" / "m.py").write_text(
        '"""See docs/HERE.md, HERE.md and STATISTICS.md."""\n', encoding="utf-8"
    )
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert missing_documents() == ["survey/m.py: STATISTICS.md"]


def survey_modules(package: Path) -> set[str]:
    """Return every module (``x.py``, ``pkg/x.py``) and subpackage (``pkg/``) of the package."""
    names = set()
    for path in package.rglob("*.py"):
        relative = path.relative_to(package)
        if "__pycache__" in relative.parts:
            continue
        if path.name == "__init__.py" and path.parent != package:
            names.add(f"{relative.parent.as_posix()}/")
        else:
            names.add(relative.as_posix())
    return names


def rooms(readme: str) -> list[str]:
    """Return the modules and packages the README's "How it is built" names, in order."""
    section = readme.split("## How it is built", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"`([\w/]+(?:\.py|/))`", section)


def unplaced_modules(modules: set[str], named: list[str]) -> list[str]:
    """Return what is wrong: modules never named or named twice, names of no module."""
    packages = {name for name in modules if name.endswith("/")}
    problems = [f"not named: {m}" for m in sorted(modules - set(named))]
    problems += [f"named twice: {m}" for m in sorted(m for m in modules if named.count(m) > 1)]
    problems += [
        f"no such module: {name}"
        for name in sorted(set(named) - modules)
        if name.endswith(".py") and ("/" not in name or name.split("/")[0] + "/" in packages)
    ]
    return problems


def test_every_survey_module_has_a_room_in_the_readme():
    modules = survey_modules(ROOT / "survey")
    assert {"__init__.py", "estimation/", "estimation/engine.py", "stats/weights.py"} <= modules
    problems = unplaced_modules(modules, rooms(README.read_text(encoding="utf-8")))
    assert not problems, "update the README's 'How it is built'"


def test_a_module_without_a_room_is_caught():
    real = survey_modules(ROOT / "survey")
    modules = real | {"frobnicate.py", "reckoning/", "reckoning/x.py"}
    named = sorted(real) + ["points.py", "gone.py"]
    assert unplaced_modules(modules, named) == [
        "not named: frobnicate.py",
        "not named: reckoning/",
        "not named: reckoning/x.py",
        "named twice: points.py",
        "no such module: gone.py",
    ]
