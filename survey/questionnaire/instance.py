"""Questionnaires and modules an installation adds in its instance folder (not in the package).

Layout, under ``instance/questionnaires/``:

- ``modules/<id>.toml``: one module (``id``, titles, ``core``, ``[[pages]]`` with
  ``[[pages.items]]``), in the format of a ``[[modules]]`` table; ``papi-pulse questionnaire
  import`` writes them from XLSForm files.
- ``<id>-v<version>.toml``: a questionnaire. Either complete, or built on a shipped version:
  ``base = "papi-pulse-core:1"`` takes every field and module of that version, ``include``
  lists instance modules to add (before the base module named by ``insert_before``, else at
  the end), and any other top-level field (titles, ``rotating_modules_per_response``)
  replaces the base's. The id must not be a shipped id, so that a later release of the app
  can never ship the same id and version.

Everything is checked by the same loader as the shipped files; nothing here imports Flask.
"""

from __future__ import annotations

import copy
import os
import tomllib
from pathlib import Path

from .loader import from_raw
from .model import LoadError, Questionnaire, QuestionnaireError

COMPOSE_KEYS = {"base", "include", "insert_before"}


def modules_folder(folder: Path) -> Path:
    """Return the folder of the instance modules."""
    return folder / "modules"


def read_toml(path: Path) -> dict:
    """Return a TOML file's table; QuestionnaireError naming the file when it cannot be read."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise QuestionnaireError([LoadError(None, f"cannot be read: {exc}")], str(path)) from exc


def read_modules(folder: Path) -> dict[str, dict]:
    """Return every instance module's raw table by id (the file name without .toml)."""
    found = {}
    for path in sorted(modules_folder(folder).glob("*.toml")):
        raw = read_toml(path)
        if raw.get("id") != path.stem:
            message = f"the module's id must be its file name, {path.stem!r}"
            raise QuestionnaireError([LoadError(None, message)], str(path))
        found[path.stem] = raw
    return found


def compose(raw: dict, bases: dict, modules: dict[str, dict], source: str) -> dict:
    """Return the full questionnaire table of a file that may name a base and include modules."""
    problems = []
    composed = {k: v for k, v in raw.items() if k not in COMPOSE_KEYS}
    if "base" in raw:
        base = bases.get(raw["base"])
        if base is None:
            problems.append(f"base {raw['base']!r} is not a shipped questionnaire (id:version)")
            base = {}
        composed = copy.deepcopy(base) | composed
    include = raw.get("include", [])
    if not isinstance(include, list) or not all(isinstance(m, str) for m in include):
        problems.append("include must be a list of module ids")
        include = []
    added = []
    for module_id in include:
        if module_id not in modules:
            problems.append(f"include: there is no module {module_id!r} in modules/")
        else:
            added.append(copy.deepcopy(modules[module_id]))
    existing = list(composed.get("modules", []))
    before = raw.get("insert_before")
    ids = [m.get("id") for m in existing if isinstance(m, dict)]
    if before is not None and before not in ids:
        problems.append(f"insert_before: the base has no module {before!r}")
    at = ids.index(before) if before in ids else len(existing)
    composed["modules"] = existing[:at] + added + existing[at:]
    if problems:
        raise QuestionnaireError([LoadError(None, p) for p in problems], source)
    return composed


def load_folder(folder: Path, bases: dict, shipped_ids: set[str]) -> dict:
    """Load every questionnaire file of a folder: {(id, version): (questionnaire, full table)}."""
    found: dict[tuple[str, int], tuple[Questionnaire, dict]] = {}
    if not folder.is_dir():
        return found
    modules = read_modules(folder) if modules_folder(folder).is_dir() else {}
    for path in sorted(folder.glob("*.toml")):
        source = str(path)
        table = compose(read_toml(path), bases, modules, source)
        questionnaire = from_raw(table, source)
        expected = f"{questionnaire.id}-v{questionnaire.version}.toml"
        if questionnaire.id in shipped_ids:
            message = (
                f"id {questionnaire.id!r} is a shipped questionnaire's: give this one its own"
                " id (for example the province's name) and keep base = to build on it"
            )
            raise QuestionnaireError([LoadError(None, message)], source)
        if path.name != expected:
            message = f"file {path.name} should be named {expected}"
            raise QuestionnaireError([LoadError(None, message)], source)
        found[(questionnaire.id, questionnaire.version)] = (questionnaire, table)
    return found


def including(folder: Path, module_id: str) -> list[str]:
    """Return the names of the questionnaire files that include a module."""
    if not folder.is_dir():
        return []
    return [
        path.name
        for path in sorted(folder.glob("*.toml"))
        if module_id in (read_toml(path).get("include") or [])
    ]


def write_module(folder: Path, module_id: str, text: str) -> Path:
    """Write a module file atomically (a crash leaves the old file or the new, never half)."""
    target = modules_folder(folder)
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"{module_id}.toml"
    temporary = path.with_suffix(".toml.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    return path
