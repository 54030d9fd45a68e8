"""Module rotation: every response gets the core modules plus a balanced few rotating ones."""

from __future__ import annotations

import random

from .model import Page, Questionnaire


def pages_for(questionnaire: Questionnaire, module_ids) -> list[Page]:
    """Return the pages of the given modules, in questionnaire order."""
    wanted = set(module_ids)
    unknown = wanted - {m.id for m in questionnaire.modules}
    if unknown:
        raise KeyError(f"unknown module(s) {sorted(unknown)}")
    return [page for m in questionnaire.modules if m.id in wanted for page in m.pages]


def choose_modules(
    questionnaire: Questionnaire, shown_counts: dict[str, int], rng: random.Random | None = None
) -> list[str]:
    """Return the core modules plus the rotating modules shown least often (ties at random)."""
    rng = rng or random.Random()
    rotating = [m.id for m in questionnaire.rotating_modules]
    rng.shuffle(rotating)  # random order first, so the stable sort breaks ties at random
    rotating.sort(key=lambda module_id: shown_counts.get(module_id, 0))
    chosen = set(rotating[: questionnaire.rotating_modules_per_response])
    return [m.id for m in questionnaire.modules if m.core or m.id in chosen]
