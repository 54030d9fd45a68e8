"""Skip instructions for paper, derived from the items' show_if conditions (never hand-written).

On paper nothing hides a question, so the form says where to go. Two kinds, both derived here:

- a *jump* after a one-answer question: "if you chose No, go to question 12", when that answer
  hides the questions right after it (a run of follow-ups that read only this question);
- an *only-if* line on a conditional question that no jump already skips: "answer only if at
  question 4 you chose ...". Conditions combining several questions are always only-if lines.

Pure functions over the questionnaire model; the words are chosen by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from survey.questionnaire.logic import evaluate
from survey.questionnaire.model import Condition, Item

# Items whose single answer can decide a jump (a checklist or a number cannot).
CHOICE_TYPES = ("yes_no", "single", "likert5", "rating10")


@dataclass(frozen=True)
class Jump:
    """After a question: for these answers go to question ``target`` (None: the form ends)."""

    codes: tuple[str, ...]
    target: int | None


def hidden_by(item: Item, controller: Item, code: str) -> bool:
    """Tell whether answering code at controller surely hides item (its condition reads only it)."""
    if item.show_if is None or item.show_if.item_ids() != {controller.id}:
        return False
    return not evaluate(_detached(item.show_if), {controller.id: code})


def _detached(condition: Condition) -> Condition:
    """Return the condition with its questions' own conditions dropped (assume them answered)."""
    if condition.children:
        return replace(condition, children=tuple(_detached(c) for c in condition.children))
    return replace(condition, item=replace(condition.item, show_if=None))


def jumps(items: list[Item], index: int) -> tuple[Jump, ...]:
    """Return the jumps after items[index]; question numbers are list positions plus one."""
    controller = items[index]
    if controller.type not in CHOICE_TYPES:
        return ()
    targets: dict[int | None, list[str]] = {}
    for code in controller.all_codes():
        after = index + 1
        while after < len(items) and hidden_by(items[after], controller, code):
            after += 1
        if after == index + 1:
            continue  # the next question is for everyone who gave this answer
        targets.setdefault(after + 1 if after < len(items) else None, []).append(code)
    return tuple(Jump(tuple(codes), target) for target, codes in targets.items())


def skipped_by_jumps(items: list[Item]) -> set[str]:
    """Return the ids of conditional items that every answer hiding them jumps over.

    Their only-if line would say again what the jump said; other conditional items get one.
    """
    covered = set()
    for index in range(len(items)):
        for jump in jumps(items, index):
            end = len(items) if jump.target is None else jump.target - 1
            for item in items[index + 1 : end]:
                covered.add((item.id, jump.codes))
    found = set()
    for index, item in enumerate(items):
        refs = item.show_if.item_ids() if item.show_if else set()
        if len(refs) != 1:
            continue
        controller = next((c for c in items[:index] if c.id in refs), None)
        if controller is None or controller.type not in CHOICE_TYPES:
            continue
        hiding = [c for c in controller.all_codes() if hidden_by(item, controller, c)]
        jumped = {code for (item_id, codes) in covered if item_id == item.id for code in codes}
        if hiding and set(hiding) <= jumped:
            found.add(item.id)
    return found
