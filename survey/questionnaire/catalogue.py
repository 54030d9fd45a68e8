"""The questionnaires: shipped with the app (package data, works from a wheel) and an instance's.

``use_instance(folder)`` loads the questionnaires an installation keeps in its instance folder
(``instance/questionnaires/``, see ``instance``); the app calls it once at start-up, so that
``get`` and ``current_questionnaire`` find them beside the shipped ones.

``current_questionnaire`` is the one answer to "which questionnaire is current": citizens
answer it, posters and paper forms print it, the analysis pages and exports report it unless
asked for another version. Web code reaches it through ``survey.questionnaires``.
"""

from __future__ import annotations

import copy
import functools
import tomllib
from importlib import resources
from pathlib import Path

from . import instance
from .loader import from_raw
from .model import LoadError, Questionnaire, QuestionnaireError

# The instance folder in use and its questionnaires with their full tables (one app per
# process in production; tests create their apps one after another).
_INSTANCE: dict = {"folder": None, "loaded": {}}
# The version citizens get, while a newer shipped one is still being tested (docs: "Adding or
# changing a version"). A questionnaire not listed gets its highest version. v2 is current
# since #14; v1 stays loadable, and its answers stay v1 (an installation may pin it with
# QUESTIONNAIRE = "papi-pulse-core:1" to finish a year on it).
CURRENT = {"papi-pulse-core": 2}


@functools.cache
def _load_shipped() -> dict[tuple[str, int], tuple[Questionnaire, dict]]:
    """Load every files/*.toml once; a file must be named <id>-v<version>.toml."""
    found: dict[tuple[str, int], tuple[Questionnaire, dict]] = {}
    folder = resources.files(__package__).joinpath("files")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        text = entry.read_text(encoding="utf-8")
        try:
            table = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            error = LoadError(None, f"TOML syntax error: {exc}")
            raise QuestionnaireError([error], entry.name) from exc
        questionnaire = from_raw(table, source=entry.name)
        expected = f"{questionnaire.id}-v{questionnaire.version}.toml"
        if entry.name != expected or (questionnaire.id, questionnaire.version) in found:
            message = f"file {entry.name} should be named {expected} and be the only one"
            raise QuestionnaireError([LoadError(None, message)], entry.name)
        found[(questionnaire.id, questionnaire.version)] = (questionnaire, table)
    return found


def _available() -> dict[tuple[str, int], tuple[Questionnaire, dict]]:
    """Return the shipped and instance questionnaires with their tables."""
    return _load_shipped() | _INSTANCE["loaded"]


def shipped() -> dict[tuple[str, int], Questionnaire]:
    """Return every shipped questionnaire by (id, version), loaded once."""
    return {key: pair[0] for key, pair in _load_shipped().items()}


def available() -> dict[tuple[str, int], Questionnaire]:
    """Return every questionnaire, shipped and the instance's, by (id, version)."""
    return {key: pair[0] for key, pair in _available().items()}


def use_instance(folder: Path | None) -> None:
    """Load the instance's questionnaires from folder (None: none), replacing earlier ones."""
    bases = {f"{qid}:{version}": table for (qid, version), (_, table) in _load_shipped().items()}
    shipped_ids = {qid for qid, _ in _load_shipped()}
    loaded = instance.load_folder(Path(folder), bases, shipped_ids) if folder else {}
    _INSTANCE.update(folder=Path(folder) if folder else None, loaded=loaded)


def instance_folder() -> Path | None:
    """Return the instance questionnaire folder in use, or None."""
    return _INSTANCE["folder"]


def is_shipped(qid: str, version: int) -> bool:
    """Tell whether a questionnaire version ships with the app."""
    return (qid, version) in _load_shipped()


def table(qid: str, version: int) -> dict:
    """Return a copy of the full table of questionnaire qid at version; KeyError if absent."""
    return copy.deepcopy(_available()[(qid, version)][1])


def get(qid: str, version: int) -> Questionnaire:
    """Return questionnaire qid at version, shipped or the instance's; KeyError if absent."""
    return _available()[(qid, version)][0]


def current_questionnaire(setting: str) -> Questionnaire:
    """Return the current questionnaire of a QUESTIONNAIRE setting; KeyError if it names none.

    The setting is an id, whose current version is CURRENT's (else its highest), or
    ``id:version``, which pins that version (a province finishing a year on the old one).
    """
    qid, _, version = str(setting).partition(":")
    if version:
        if not (version.isascii() and version.isdigit()):  # "²" is a digit int() refuses
            raise KeyError(setting)
        return get(qid, int(version))
    if qid in CURRENT and (qid, CURRENT[qid]) in _available():
        return get(qid, CURRENT[qid])
    return newest(qid)


# The name modules and tests used before there was one answer; it is the same function.
latest = current_questionnaire


def newest(qid: str) -> Questionnaire:
    """Return the highest version of questionnaire qid; KeyError if none."""
    versions = [v for (i, v) in _available() if i == qid]
    if not versions:
        raise KeyError(qid)
    return get(qid, max(versions))
