"""Every command of ``papi-pulse`` is in the README's command table (as sqlite-utils checks)."""

import re
from pathlib import Path

import click

from survey import ops

README = Path(__file__).resolve().parents[1] / "README.md"
# Flask's own commands, explained by `--help` and Flask's documentation.
FLASK_COMMANDS = {"shell", "routes"}


def command_names(group: click.Group, prefix=()):
    """Yield the full name of every leaf command under a group."""
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from command_names(command, (*prefix, name))
        elif not prefix and name in FLASK_COMMANDS:
            continue
        else:
            yield " ".join((*prefix, name))


def test_every_command_is_in_the_readme_table(app):
    section = README.read_text(encoding="utf-8").split("## Commands", 1)[1].split("\n## ", 1)[0]
    documented = " ".join(re.findall(r"`([^`]+)`", section))
    names = set(command_names(app.cli)) | set(command_names(click.Group(commands=ops.COMMANDS)))
    missing = sorted(name for name in names if not re.search(rf"(^|\s){name}(\s|$)", documented))
    assert not missing, f"add these commands to the README's table: {missing}"
