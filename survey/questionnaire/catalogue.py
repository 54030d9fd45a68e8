"""The questionnaires shipped with the app, found as package data (works from a wheel)."""

from __future__ import annotations

import functools
from importlib import resources

from .loader import loads
from .model import LoadError, Questionnaire, QuestionnaireError


@functools.cache
def _load_shipped() -> dict[tuple[str, int], Questionnaire]:
    """Load every files/*.toml once; a file must be named <id>-v<version>.toml."""
    found: dict[tuple[str, int], Questionnaire] = {}
    folder = resources.files(__package__).joinpath("files")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        questionnaire = loads(entry.read_text(encoding="utf-8"), source=entry.name)
        expected = f"{questionnaire.id}-v{questionnaire.version}.toml"
        if entry.name != expected or (questionnaire.id, questionnaire.version) in found:
            message = f"file {entry.name} should be named {expected} and be the only one"
            raise QuestionnaireError([LoadError(None, message)], entry.name)
        found[(questionnaire.id, questionnaire.version)] = questionnaire
    return found


def shipped() -> dict[tuple[str, int], Questionnaire]:
    """Return every shipped questionnaire by (id, version), loaded once."""
    return dict(_load_shipped())


def get(qid: str, version: int) -> Questionnaire:
    """Return shipped questionnaire qid at version; KeyError if absent."""
    return _load_shipped()[(qid, version)]


def latest(qid: str) -> Questionnaire:
    """Return the highest shipped version of questionnaire qid; KeyError if none."""
    versions = [v for (i, v) in _load_shipped() if i == qid]
    if not versions:
        raise KeyError(qid)
    return _load_shipped()[(qid, max(versions))]
