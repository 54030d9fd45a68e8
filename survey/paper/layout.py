"""A printed form: the questions of the modules one form holds, numbered, with numbered boxes.

The number printed beside each box is what the clerk types when entering the form, so it is
defined here once: the options of a list are 1, 2, 3... in order; the points of a scale are
their own value (1 to 5, 0 to 10); "don't know" is 98 and "prefer not to say" 99 everywhere,
numbers that no list or scale reaches. Questions are numbered 1, 2, 3... over the whole form,
so a form whose rotating modules were drawn has its own numbering, printed and entered alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from survey.questionnaire.model import Item, Module, Option, Questionnaire

from . import skips

SPECIAL_NUMBERS = {"dont_know": 98, "refused": 99}


@dataclass(frozen=True)
class Box:
    """One box to tick (or, for a number's special answers, to tick instead of writing)."""

    number: int
    option: Option


@dataclass(frozen=True)
class Question:
    """One printed question: its number, boxes, the jumps after it and its only-if condition."""

    number: int
    item: Item
    boxes: tuple[Box, ...]
    jumps: tuple[skips.Jump, ...] = ()
    only_if: bool = False  # print "answer only if ..." (item.show_if) above the question

    @property
    def written(self) -> bool:
        """Tell whether the answer is written (a number or text) rather than ticked."""
        return self.item.type in ("integer", "decimal", "text")


@dataclass(frozen=True)
class Section:
    """The questions of one module, under its title."""

    module: Module
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Form:
    """One paper form: which modules it holds, whether they were drawn, and its questions."""

    questionnaire: Questionnaire
    modules: tuple[str, ...]
    drawn: bool
    sections: tuple[Section, ...]
    number: int | None = None

    @property
    def questions(self) -> tuple[Question, ...]:
        """Return every question of the form in printed order."""
        return tuple(q for section in self.sections for q in section.questions)

    def numbers(self) -> dict[str, int]:
        """Return {item id: printed question number}."""
        return {q.item.id: q.number for q in self.questions}


def box_numbers(item: Item) -> dict[str, int]:
    """Return {answer code: printed box number} for an item's options and special answers."""
    numbers = {}
    for index, option in enumerate(item.options, start=1):
        scale = item.type in ("likert5", "rating10")
        numbers[option.code] = int(option.code) if scale else index
    for option in item.special:
        numbers[option.code] = SPECIAL_NUMBERS[option.code]
    return numbers


def build(questionnaire: Questionnaire, modules, drawn: bool, number: int | None = None) -> Form:
    """Return the form holding the given modules (in questionnaire order), numbered from 1."""
    wanted = set(modules)
    chosen = [m for m in questionnaire.modules if m.id in wanted]
    if {m.id for m in chosen} != wanted or not all(
        m.id in wanted for m in questionnaire.core_modules
    ):
        raise ValueError(f"modules {sorted(wanted)} are not a valid choice of this questionnaire")
    items = [item for module in chosen for item in module.items]
    covered = skips.skipped_by_jumps(items)
    questions = {}
    for index, item in enumerate(items):
        boxes = tuple(
            Box(box_numbers(item)[option.code], option) for option in item.options + item.special
        )
        questions[item.id] = Question(
            index + 1,
            item,
            boxes,
            skips.jumps(items, index),
            only_if=item.show_if is not None and item.id not in covered,
        )
    sections = tuple(
        Section(module, tuple(questions[item.id] for item in module.items)) for module in chosen
    )
    return Form(questionnaire, tuple(m.id for m in chosen), drawn, sections, number)


def all_modules(questionnaire: Questionnaire) -> tuple[str, ...]:
    """Return the ids of every module: a form that holds them all."""
    return tuple(m.id for m in questionnaire.modules)
