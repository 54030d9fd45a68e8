"""Questionnaire definitions: the model, the TOML loader and the shipped questionnaires.

Pure Python (no Flask, no database). Skip logic is in `logic`, module rotation in `rotation`,
time estimates in `timing`; the format is documented in docs/QUESTIONNAIRE_FORMAT.md.
"""

from .catalogue import current_questionnaire, get, latest, shipped
from .loader import load, loads
from .model import (
    DIMENSIONS,
    Condition,
    Item,
    LoadError,
    Module,
    Option,
    Page,
    PapiIndicator,
    Questionnaire,
    QuestionnaireError,
    Rules,
    Scoring,
)
from .scoring import normalise

__all__ = [
    "DIMENSIONS",
    "Condition",
    "Item",
    "LoadError",
    "Module",
    "Option",
    "Page",
    "PapiIndicator",
    "Questionnaire",
    "QuestionnaireError",
    "Rules",
    "Scoring",
    "current_questionnaire",
    "get",
    "latest",
    "load",
    "loads",
    "normalise",
    "shipped",
]
