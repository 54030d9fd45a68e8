"""A paper form in words: every text already chosen and translated, ready to draw.

``survey.paper.wording`` fills these from a ``layout.Form``; ``survey.paper.pdf`` and the print
page (templates/staff/paper/print.html) draw them. A text is a tuple with one string per
language printed: Vietnamese first, then English on a bilingual form.
"""

from __future__ import annotations

from dataclasses import dataclass

Texts = tuple[str, ...]


@dataclass(frozen=True)
class PrintedBox:
    """A box with the number the clerk types, and its label."""

    number: int
    label: Texts
    jump: bool = False  # this answer leads to a jump (the jump's sentence follows the boxes)


@dataclass(frozen=True)
class PrintedQuestion:
    """One question as printed; kind is choice, row (0 to 10 across), number, decimal or text."""

    number: int
    kind: str
    text: Texts
    boxes: tuple[PrintedBox, ...] = ()
    specials: tuple[PrintedBox, ...] = ()
    hint: Texts = ()
    only_if: Texts = ()
    note: Texts = ()
    unit: Texts = ()
    ends: Texts = ()
    jumps: tuple[Texts, ...] = ()
    lines: int = 0  # lines to write on, for a text answer
    digits: int = 0  # a decimal: boxes for the digits before the decimal comma...
    places: int = 0  # ...and after it, one digit per box


@dataclass(frozen=True)
class PrintedSection:
    """A module's title and its questions."""

    title: Texts
    questions: tuple[PrintedQuestion, ...]


@dataclass(frozen=True)
class Sheet:
    """One form: the words of its first page, its sections, and its closing words."""

    title: Texts
    intro: Texts
    place: Texts
    form_label: Texts
    date_line: Texts  # where the respondent writes the day: it decides the form's quarter
    modules_note: Texts
    how_to: Texts
    sections: tuple[PrintedSection, ...]
    thanks: Texts
    organiser: Texts
    page_label: str  # "... {page} ... {pages}": filled in by the drawing code
    number: int | None = None
