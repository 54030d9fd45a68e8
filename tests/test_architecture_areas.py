"""Each area's ``init_app`` registers its own blueprints and commands, and no one else's (#9.4).

A reader who finds a page or a command by its module must find where it is registered in the
same module or its package: not in ``create_app``, not in a shared command module.
"""

import sys

import click
from flask import Flask

import survey


def origin(command: click.Command) -> str:
    """Return the module that defines a command, or a group's first defined subcommand."""
    if command.callback is not None:
        return command.callback.__module__
    return next(origin(sub) for sub in command.commands.values())


def belongs(defined_in: str, area: str) -> bool:
    """Tell whether a module is the area module itself or inside the area's package."""
    return defined_in == area or defined_in.startswith(area + ".")


def registrations(monkeypatch, tmp_path) -> tuple[Flask, list]:
    """Create the app, noting who registers each blueprint and each top-level command."""
    seen = []
    register_blueprint, add_command = Flask.register_blueprint, click.Group.add_command

    def noting_blueprint(self, blueprint, **options):
        """Note the registering function and module, then register."""
        caller = sys._getframe(1)
        seen.append((caller.f_globals["__name__"], caller.f_code.co_name, blueprint.import_name))
        return register_blueprint(self, blueprint, **options)

    def noting_command(self, command, name=None):
        """Note the registering function and module of a command, then add it."""
        caller = sys._getframe(1)
        seen.append((self, caller.f_globals["__name__"], caller.f_code.co_name, command))
        return add_command(self, command, name)

    monkeypatch.setattr(Flask, "register_blueprint", noting_blueprint)
    monkeypatch.setattr(click.Group, "add_command", noting_command)
    monkeypatch.setenv("PAPI_PULSE_INSTANCE", str(tmp_path / "instance"))
    app = survey.create_app({"TESTING": True})
    return app, seen


def test_blueprints_are_registered_by_their_own_areas_init_app(monkeypatch, tmp_path):
    app, seen = registrations(monkeypatch, tmp_path)
    blueprints = [entry for entry in seen if len(entry) == 3]
    assert {name for _, _, name in blueprints} == {bp.import_name for bp in app.blueprints.values()}
    wrong = [
        entry for entry in blueprints if entry[1] != "init_app" or not belongs(entry[2], entry[0])
    ]
    assert not wrong, f"(registered by, in function, blueprint of): {wrong}"


def test_commands_are_registered_by_their_own_areas_init_app(monkeypatch, tmp_path):
    app, seen = registrations(monkeypatch, tmp_path)
    commands = [entry[1:] for entry in seen if len(entry) == 4 and entry[0] is app.cli]
    assert {command.name for *_, command in commands} == set(app.cli.commands)
    wrong = [
        (module, function, command.name, origin(command))
        for module, function, command in commands
        if function != "init_app" or not belongs(origin(command), module)
    ]
    assert not wrong, f"(registered by, in function, command, defined in): {wrong}"


def test_create_app_calls_one_init_app_per_area():
    assert len(set(survey.AREAS)) == len(survey.AREAS)
    assert all(callable(area.init_app) for area in survey.AREAS)
