"""Draw paper forms as an A4 PDF with fpdf2, in type large enough for readers over 60.

Pure rendering of ``sheet.Sheet`` objects (texts already chosen). The fonts are the posters'
DejaVu Sans (full Vietnamese coverage, embedded). No text is under 12 pt: questions and
answers are 14 pt, English on a bilingual form 12 pt (large-print guidance asks for 12 to 14
pt at the least; most readers over 60 need about 1.5 times the 9 to 10 pt of ordinary forms).
Each form starts on a new page and is laid out block by block (a question is never split
across pages), so that every page can say "page 2 of 5" of its own form. Black on white.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fpdf import FPDF

from survey.posters import FONT, font_paths

from .sheet import PrintedQuestion, Sheet

PAGE_W, PAGE_H = 210, 297
LEFT, RIGHT, TOP, BOTTOM = 18, 15, 22, 15
WIDTH = PAGE_W - LEFT - RIGHT
TITLE, SECTION, BODY, SECOND, SMALLEST = 20, 16, 14, 12, 12
INDENT = 11  # the question text starts after its number
BOX = 6.5  # side of a tick box in mm: big enough for a shaky cross
GAP = 5  # space after a question, mm


def _leading(points: float) -> float:
    """Return a line height in mm for a font size (1.3: room for stacked diacritics)."""
    return points * 0.3528 * 1.3


@dataclass
class _Block:
    """Drawing steps with y offsets from the block's top, and its height."""

    steps: list = field(default_factory=list)
    height: float = 0.0
    keep_with_next: bool = False


class _Writer:
    """Break paragraphs into lines on the document (once each: fpdf2's breaking is slow)."""

    def __init__(self, doc: FPDF):
        self.doc = doc
        self.splits: dict = {}

    def lines(self, text: str, points: float, bold: bool, width: float) -> tuple[str, ...]:
        """Return text broken into lines of width at a font size."""
        key = (text, points, bold, round(width, 2))
        if key not in self.splits:
            self.doc.set_font(FONT, "B" if bold else "", points)
            self.splits[key] = tuple(
                self.doc.multi_cell(width, text=text, dry_run=True, output="LINES")
            )
        return self.splits[key]

    def para(self, block: _Block, text: str, points, bold=False, x=0.0, width=WIDTH, after=0.0):
        """Add a wrapped paragraph at the block's bottom."""
        for line in self.lines(text, points, bold, width):
            block.steps.append(("text", x, block.height, width, line, points, bold))
            block.height += _leading(points)
        block.height += after

    def texts(self, block: _Block, texts, points, bold=False, x=0.0, width=WIDTH, after=1.0):
        """Add a text in each language: the first at points, the others at SECOND, regular."""
        for index, text in enumerate(texts):
            first = index == 0
            self.para(block, text, points if first else SECOND, bold and first, x, width)
        if texts:
            block.height += after


def pdf(sheets: list[Sheet], title: str = "") -> bytes:
    """Return one PDF holding every sheet, each from a new page."""
    doc = _document()
    doc.set_title(title)
    doc.set_creator("PAPI Pulse")
    doc.set_lang("vi")
    writer = _Writer(doc)
    doc.add_page()  # fpdf2 measures text on a page: the first page is there before layout
    for index, sheet in enumerate(sheets):
        pages = _paginate(_blocks(writer, sheet))
        for number, page in enumerate(pages, start=1):
            if index or number > 1:
                doc.add_page()
            _header(doc, sheet.page_label.format(page=number, pages=len(pages)))
            y = TOP
            for block in page:
                _draw(doc, block, y)
                y += block.height
    return bytes(doc.output())


def _document() -> FPDF:
    """Return an empty A4 document with the fonts, no margins and no automatic page breaks."""
    doc = FPDF(unit="mm", format="A4")
    doc.set_auto_page_break(False)
    doc.set_margin(0)
    for style, path in font_paths().items():
        doc.add_font(FONT, style, str(path))
    return doc


def _blocks(writer: _Writer, sheet: Sheet) -> list[_Block]:
    """Return the sheet as blocks: first page words, sections and questions, closing words."""
    head = _Block()
    writer.texts(head, sheet.title, TITLE, bold=True, after=2)
    writer.texts(head, sheet.intro, BODY, after=3)
    writer.texts(head, sheet.place, BODY, bold=True, after=1)
    top = head.height
    writer.texts(head, sheet.form_label, SECTION, bold=True, x=3, width=WIDTH - 6, after=0)
    head.steps.insert(0, ("rect", 0, top - 1.5, WIDTH, head.height - top + 3))
    head.height += 4
    writer.texts(head, sheet.date_line, BODY, bold=True, after=3)
    writer.texts(head, sheet.modules_note, BODY, after=2)
    writer.texts(head, sheet.how_to, BODY, after=4)
    blocks = [head]
    for section in sheet.sections:
        title = _Block(keep_with_next=True)
        title.steps.append(("rule", 0, 0, WIDTH))
        title.height = 2.5
        writer.texts(title, section.title, SECTION, bold=True, after=3)
        blocks.append(title)
        blocks += [_question(writer, q) for q in section.questions]
    closing = _Block()
    closing.height = 3
    writer.texts(closing, sheet.thanks, BODY, bold=True, after=2)
    writer.texts(closing, sheet.organiser, SMALLEST)
    blocks.append(closing)
    return blocks


def _question(writer: _Writer, q: PrintedQuestion) -> _Block:
    """Return one question's block: condition, number and text, boxes, jumps."""
    block = _Block()
    text_width = WIDTH - INDENT
    writer.texts(block, q.only_if, BODY, bold=True, x=INDENT, width=text_width, after=1)
    block.steps.append(("text", 0, block.height, INDENT, f"{q.number}.", BODY, True))
    writer.texts(block, q.text, BODY, bold=True, x=INDENT, width=text_width, after=0.5)
    writer.texts(block, q.hint, BODY, x=INDENT, width=text_width, after=0.5)
    writer.texts(block, q.note, BODY, x=INDENT, width=text_width, after=0.5)
    block.height += 1
    if q.kind == "row":
        _row(writer, block, q)
    elif q.kind == "number":
        _number_box(writer, block, q)
    elif q.kind == "decimal":
        _decimal_boxes(block, q)
    elif q.kind == "text":
        for _line in range(q.lines):
            block.height += 9
            block.steps.append(("dots", INDENT, block.height, text_width))
        block.height += 2
    boxes = list(q.boxes if q.kind == "choice" else ()) + list(q.specials)
    if q.kind == "choice" and _fits_across(writer, boxes):
        _boxes_across(writer, block, boxes)
    else:
        for box in boxes:
            _box_line(writer, block, box)
    for jump in q.jumps:
        writer.texts(block, tuple(f"→ {t}" for t in jump), BODY, bold=True, x=INDENT,
                     width=text_width, after=0.5)  # fmt: skip
    block.height += GAP
    block.steps.append(("thin", 0, block.height - GAP / 2, WIDTH))
    return block


def _box_line(writer: _Writer, block: _Block, box) -> None:
    """Add one answer: its number, the box to tick, its label."""
    x_label = INDENT + 22
    top = block.height
    block.steps.append(("text", INDENT, top + 0.3, 10, str(box.number), BODY, False, "R"))
    block.steps.append(("box", INDENT + 12, top + 0.6, BOX))
    mark = _Block()
    writer.texts(mark, box.label, BODY, x=x_label, width=WIDTH - x_label, after=0)
    block.steps += [(s[0], s[1], top + 0.3 + s[2], *s[3:]) for s in mark.steps]
    block.height = top + max(mark.height, BOX + 1.2) + 1.5


# Short answers (Có, Không, Không biết) go side by side: a yes/no question then takes one line.
ACROSS_MAX = 4
ACROSS_GAP = 9  # mm between one answer's label and the next answer's number


def _across_width(writer: _Writer, box) -> float:
    """Return the width one answer takes side by side: number, box, widest label."""
    writer.doc.set_font(FONT, "", BODY)
    label = max(writer.doc.get_string_width(text) for text in box.label)
    return 9 + BOX + 3 + label


def _fits_across(writer: _Writer, boxes) -> bool:
    """Tell whether the answers fit side by side on one line."""
    if not 1 < len(boxes) <= ACROSS_MAX:
        return False
    widths = [_across_width(writer, box) for box in boxes]
    return sum(widths) + ACROSS_GAP * (len(boxes) - 1) <= WIDTH - INDENT - 4


def _boxes_across(writer: _Writer, block: _Block, boxes) -> None:
    """Add the answers side by side on one line (each label in every language, stacked)."""
    top, x, tallest = block.height, INDENT, BOX + 1.2
    for box in boxes:
        block.steps.append(("text", x, top + 0.3, 7, str(box.number), BODY, False, "R"))
        block.steps.append(("box", x + 8, top + 0.6, BOX))
        y = top + 0.3
        for index, text in enumerate(box.label):
            points = BODY if index == 0 else SECOND
            block.steps.append(("text", x + 9 + BOX + 3, y, 80, text, points, False))
            y += _leading(points)
        tallest = max(tallest, y - top)
        x += _across_width(writer, box) + ACROSS_GAP
    block.height = top + tallest + 1.5


def _row(writer: _Writer, block: _Block, q: PrintedQuestion) -> None:
    """Add a 0 to 10 scale across: each number above its box; then what the ends mean."""
    cell = min(13.5, (WIDTH - INDENT) / max(len(q.boxes), 1))
    top = block.height
    for index, box in enumerate(q.boxes):
        x = INDENT + index * cell
        block.steps.append(("text", x, top, cell, str(box.number), BODY, True, "C"))
        block.steps.append(("box", x + (cell - BOX) / 2, top + _leading(BODY) + 0.5, BOX))
    block.height = top + _leading(BODY) + BOX + 3
    writer.texts(block, q.ends, BODY, x=INDENT, width=WIDTH - INDENT, after=1.5)


def _number_box(writer: _Writer, block: _Block, q: PrintedQuestion) -> None:
    """Add the box to write a number in, with its unit after it."""
    top = block.height
    block.steps.append(("box", INDENT + 12, top, 58, 12))
    unit = " / ".join(q.unit)
    if unit:
        block.steps.append(("text", INDENT + 73, top + 2.5, WIDTH - INDENT - 73, unit, BODY, True))
    block.height = top + 15


DIGIT = 8  # mm, one box per digit of a decimal: wide enough for a figure written large


def _decimal_boxes(block: _Block, q: PrintedQuestion) -> None:
    """Add one box per digit, a printed decimal comma between whole part and decimals, the unit."""
    top, x = block.height, INDENT + 12
    for _digit in range(q.digits):
        block.steps.append(("box", x, top, DIGIT, 10))
        x += DIGIT
    block.steps.append(("text", x, top + 2, 5, ",", SECTION, True, "C"))
    x += 5
    for _digit in range(q.places):
        block.steps.append(("box", x, top, DIGIT, 10))
        x += DIGIT
    unit = " / ".join(q.unit)
    if unit:
        block.steps.append(("text", x + 3, top + 2.5, WIDTH - x - 3, unit, BODY, True))
    block.height = top + 13


def _paginate(blocks: list[_Block]) -> list[list[_Block]]:
    """Return the blocks grouped into pages; a block and one it keeps with stay together."""
    room = PAGE_H - TOP - BOTTOM
    pages: list[list[_Block]] = [[]]
    used = 0.0
    for index, block in enumerate(blocks):
        need = block.height
        if block.keep_with_next and index + 1 < len(blocks):
            need += blocks[index + 1].height
        if pages[-1] and used + need > room:
            pages.append([])
            used = 0.0
        pages[-1].append(block)
        used += block.height
    return pages


def _header(doc: FPDF, label: str) -> None:
    """Write the page's form number and page count at its top right."""
    doc.set_text_color(0)
    doc.set_font(FONT, "B", SMALLEST)
    doc.set_xy(LEFT, 9)
    doc.cell(WIDTH, _leading(SMALLEST), label, align="R")
    doc.set_draw_color(0)
    doc.set_line_width(0.3)
    doc.line(LEFT, 15.5, LEFT + WIDTH, 15.5)


def _draw(doc: FPDF, block: _Block, y: float) -> None:
    """Draw a block's steps with its top at y."""
    doc.set_text_color(0)
    doc.set_draw_color(0)
    for step in block.steps:
        kind = step[0]
        if kind == "text":
            _, x, dy, width, text, points, bold, *align = step
            doc.set_font(FONT, "B" if bold else "", points)
            doc.set_xy(LEFT + x, y + dy)
            doc.cell(width, _leading(points), text, align=align[0] if align else "L")
        elif kind == "box":
            _, x, dy, w, *h = step
            doc.set_line_width(0.45)
            doc.rect(LEFT + x, y + dy, w, h[0] if h else w)
        elif kind == "rect":
            _, x, dy, w, h = step
            doc.set_line_width(0.6)
            doc.rect(LEFT + x, y + dy, w, h)
        elif kind == "rule":
            doc.set_line_width(0.6)
            doc.line(LEFT + step[1], y + step[2], LEFT + step[1] + step[3], y + step[2])
        elif kind == "thin":
            doc.set_line_width(0.15)
            doc.line(LEFT + step[1], y + step[2], LEFT + step[1] + step[3], y + step[2])
        elif kind == "dots":
            doc.set_line_width(0.25)
            doc.set_dash_pattern(dash=0.6, gap=1.2)
            doc.line(LEFT + step[1], y + step[2], LEFT + step[1] + step[3], y + step[2])
            doc.set_dash_pattern()
