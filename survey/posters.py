"""Print-ready posters: page sizes, the poster model, and a PDF writer (fpdf2).

Pure Python, no Flask: the web layer fills ``Poster`` objects (texts already translated) and
either renders them in HTML for the browser's print dialog or calls ``pdf(...)``. The PDF
embeds DejaVu Sans from ``survey/fonts`` (full Vietnamese coverage; fpdf2 keeps only the glyphs
used), so it prints the same on any computer. Everything is black on white: most ward offices
print on black-and-white laser printers.
"""

import functools
from dataclasses import dataclass, field, replace
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVu"


@dataclass(frozen=True)
class Size:
    """A poster format: the sheet in millimetres, and whether it folds into a table tent."""

    key: str
    width: float
    height: float
    tent: bool = False


SIZES = {
    "a4": Size("a4", 210, 297),
    "a5": Size("a5", 148, 210),
    # An A5 sheet folded across its middle: two A6 faces (148 x 105 mm), the upper one
    # printed upside down so that both read upright once the tent stands on a counter.
    "tent": Size("tent", 148, 210, tent=True),
}
LANGS = ("vi", "bilingual")
# The sizes with room for the results QR code. It is a third of the survey code's width or
# less, so that nobody scans it by mistake for the survey, and 30 mm still scans from 30 cm
# (a QR code reads from about ten times its width); on A5 or a tent it would be under 20 mm.
RESULTS_QR_SIZES = ("a4",)
RESULTS_QR = 30  # mm, on A4


@dataclass(frozen=True)
class Texts:
    """The words of one poster in one language, already translated and filled in."""

    lang: str
    heading: str
    call: str
    duration: str
    promise: str
    typed_hint: str
    organiser: str
    results: str = ""  # "Xem kết quả: <address>": the ward's public results page


@dataclass(frozen=True)
class Poster:
    """One collection point's poster: where, the QR payload and matrix, and its texts."""

    point_name: str
    ward_name: str
    province_name: str
    url: str
    typed_url: str
    modules: list = field(repr=False)
    texts: tuple  # one Texts per language, Vietnamese first
    # The ward's results page as a second, smaller QR code beside the "Xem kết quả" line:
    # chosen by staff, printed on A4 only (see RESULTS_QR_SIZES).
    results_url: str = ""
    results_modules: list | None = field(default=None, repr=False)

    @property
    def place(self) -> str:
        """Return the ward and point as printed under the heading."""
        return f"{self.ward_name} · {self.point_name}"


@dataclass(frozen=True)
class Line:
    """One paragraph of a PDF poster: text, weight, size in points, space after in mm.

    A line that must not wrap (fit, the typed address: a citizen copies it letter by letter,
    and a token broken across lines is mistyped) is set smaller until it fits on one line.
    """

    text: str
    bold: bool
    points: float
    after: float = 0.0
    link: str | None = None
    fit: bool = False


def text_em(text: str, bold: bool = True) -> float:
    """Return the width of text set in DejaVu Sans, in ems (letter-spacing not included).

    The printable page sizes its address line from this: DejaVu Sans is the first of its fonts
    and wider than the fallbacks (Noto Sans, Arial), so a line measured here fits in them too.
    """
    cmap, advances, units = _metrics(bold)
    missing = advances[".notdef"][0]
    return sum(advances.get(cmap.get(ord(ch), ".notdef"), (missing,))[0] for ch in text) / units


@functools.lru_cache(maxsize=2)
def _metrics(bold: bool) -> tuple[dict, dict, int]:
    """Return a font's character map, advance widths and units per em."""
    font = TTFont(font_paths()["B" if bold else ""])
    return font.getBestCmap(), font["hmtx"].metrics, font["head"].unitsPerEm


def get_size(key: str | None) -> Size:
    """Return the size named key (default A4); raise KeyError for an unknown one."""
    return SIZES[key or "a4"]


def font_paths() -> dict[str, Path]:
    """Return the regular and bold font files, by fpdf2 style."""
    return {"": FONT_DIR / "DejaVuSans.ttf", "B": FONT_DIR / "DejaVuSans-Bold.ttf"}


def pdf(posters: list[Poster], size: Size, title: str = "") -> bytes:
    """Return a PDF with one poster per page (one folded tent per sheet for tents)."""
    doc = FPDF(unit="mm", format=(size.width, size.height))
    doc.splits = {}  # paragraphs already broken into lines, see _split
    doc.set_auto_page_break(False)
    doc.set_margin(0)
    doc.set_title(title)
    doc.set_creator("PAPI Pulse")
    doc.set_lang("vi")
    for style, path in font_paths().items():
        doc.add_font(FONT, style, str(path))
    for poster in posters:
        doc.add_page()
        if size.tent:
            _draw_tent(doc, poster, size)
        else:
            second = (
                poster.results_modules is not None
                and size.key in RESULTS_QR_SIZES
                and bool(poster.texts[0].results)
            )
            _draw_panel(doc, poster, 0, 0, size.width, size.height, _scale(size), second)
    return bytes(doc.output())


def _scale(size: Size) -> float:
    """Return the type scale of a portrait size, relative to A4."""
    return size.width / SIZES["a4"].width


def _draw_tent(doc: FPDF, poster: Poster, size: Size) -> None:
    """Draw two landscape faces, the upper one rotated, and a dashed fold line."""
    half = size.height / 2
    lines = _face_lines(doc, poster, size.width, half)
    _draw_face(doc, poster, lines, 0, half, size.width, half)
    with doc.rotation(180, size.width / 2, half / 2):
        _draw_face(doc, poster, lines, 0, 0, size.width, half)
    doc.set_draw_color(128)
    doc.set_line_width(0.2)
    doc.set_dash_pattern(dash=2, gap=2)
    doc.line(0, half, size.width, half)
    doc.set_dash_pattern()


def _draw_panel(doc: FPDF, poster: Poster, x, y, w, h, scale, second=False) -> None:
    """Draw a portrait poster: heading, place, large QR, the instructions (and results QR)."""
    margin = 12 * scale
    inner = w - 2 * margin
    top, bottom = _top_lines(poster, scale), _bottom_lines(poster, scale, not second)
    floor = y + h - margin
    if second:
        floor -= RESULTS_QR * scale + 3 * scale
    below = floor - _height(doc, bottom, inner)
    above = _write(doc, top, x + margin, y + margin, inner)
    # The QR takes what the words leave, up to three quarters of the width, centred between.
    side = min(inner * 0.75, below - above - 10 * scale)
    _draw_qr(doc, poster.modules, x + (w - side) / 2, (above + below - side) / 2, side)
    _write(doc, bottom, x + margin, below, inner)
    if second:
        _draw_results(doc, poster, x + margin, floor + 3 * scale, inner, scale)


def _draw_results(doc: FPDF, poster: Poster, x, y, width, scale) -> None:
    """Draw the results QR code with the "Xem kết quả" line beside it."""
    side, gap = RESULTS_QR * scale, 5 * scale
    line = Line(poster.texts[0].results, False, 11 * scale, link=poster.results_url, fit=True)
    line = _fit(doc, line, width - side - gap)
    doc.set_font(FONT, "", line.points)
    # The code and its line side by side, centred together (+3 % spares _fit's rounding).
    column = min(width - side - gap, doc.get_string_width(line.text) * 1.03 + 2 * doc.c_margin)
    left = x + (width - side - gap - column) / 2
    _draw_qr(doc, poster.results_modules, left, y, side)
    top = y + (side - _height(doc, [line], column)) / 2
    _write(doc, [line], left + side + gap, top, column)


# A tent face: margin and QR side in mm (a 64 mm QR scans from a metre away).
FACE_MARGIN = 7
FACE_QR = 64


def _face_lines(doc: FPDF, poster: Poster, w, h) -> list[Line]:
    """Return the face's words at the largest type scale that fits its column."""
    column = w - FACE_QR - 3 * FACE_MARGIN
    room = h - 2 * FACE_MARGIN
    low, high = 0.25, 0.5
    if _height(doc, _all_lines(poster, high), column) <= room:
        return _all_lines(poster, high)
    for _step in range(6):  # bisection: the scale to within 0.004
        middle = (low + high) / 2
        if _height(doc, _all_lines(poster, middle), column) <= room:
            low = middle
        else:
            high = middle
    return _all_lines(poster, low)


def _all_lines(poster: Poster, scale: float) -> list[Line]:
    """Return every line of a poster at a type scale."""
    return _top_lines(poster, scale) + _bottom_lines(poster, scale)


def _draw_face(doc: FPDF, poster: Poster, lines: list[Line], x, y, w, h) -> None:
    """Draw a landscape tent face: QR on the left, the words on the right."""
    _draw_qr(doc, poster.modules, x + FACE_MARGIN, y + (h - FACE_QR) / 2, FACE_QR)
    column = w - FACE_QR - 3 * FACE_MARGIN
    top = y + (h - _height(doc, lines, column)) / 2
    _write(doc, lines, x + FACE_QR + 2 * FACE_MARGIN, top, column)


def _top_lines(poster: Poster, scale: float) -> list[Line]:
    """Return the heading (in each language) and the place."""
    lines = [
        Line(texts.heading, True, (30 if i == 0 else 18) * scale, 2 * scale)
        for i, texts in enumerate(poster.texts)
    ]
    lines.append(Line(poster.place, True, 16 * scale))
    return lines


def _bottom_lines(poster: Poster, scale: float, results: bool = True) -> list[Line]:
    """Return the instructions in each language, the typed URL, the organiser (and results)."""
    lines = []
    for key, bold, points in (
        ("call", True, 18),
        ("duration", False, 14),
        ("promise", False, 12),
        ("typed_hint", False, 11),
    ):
        for i, texts in enumerate(poster.texts):
            last = i == len(poster.texts) - 1
            lines.append(
                Line(
                    getattr(texts, key),
                    bold and i == 0,
                    points * scale * (1 if i == 0 else 0.8),
                    2.5 * scale if last else 0,
                )
            )
    lines.append(Line(poster.typed_url, True, 15 * scale, 3 * scale, link=poster.url, fit=True))
    lines += [
        Line(texts.organiser, False, 11 * scale * (1 if i == 0 else 0.85))
        for i, texts in enumerate(poster.texts)
    ]
    if results and poster.texts and poster.texts[0].results:
        # One language only: the address is the same, and the poster has little room left.
        lines.append(Line(poster.texts[0].results, False, 11 * scale, fit=True))
    return lines


def _height(doc: FPDF, lines: list[Line], width: float) -> float:
    """Return the height lines take when wrapped to width."""
    return sum(_line_height(doc, line, width) + line.after for line in _fitted(doc, lines, width))


def _fitted(doc: FPDF, lines: list[Line], width: float) -> list[Line]:
    """Return the lines with each line that must not wrap set small enough to fit width."""
    return [_fit(doc, line, width) if line.fit else line for line in lines]


def _fit(doc: FPDF, line: Line, width: float) -> Line:
    """Return the line at its own size if it fits on one line of width, else smaller."""
    doc.set_font(FONT, "B" if line.bold else "", line.points)
    # multi_cell keeps a cell margin each side; 2 % more spares rounding in its line breaker.
    room = (width - 2 * doc.c_margin) * 0.98
    needed = doc.get_string_width(line.text)
    if needed <= room:
        return line
    return replace(line, points=line.points * room / needed)


def _line_height(doc: FPDF, line: Line, width: float) -> float:
    """Return one line's wrapped height."""
    return len(_split(doc, line, width)) * _leading(line.points)


def _split(doc: FPDF, line: Line, width: float) -> tuple[str, ...]:
    """Return a paragraph's lines when wrapped to width, remembered for the document.

    fpdf2's line breaking is slow (it re-measures the line at every character), and every
    poster of a document shares most of its paragraphs, so each is broken once.
    """
    key = (line.text, line.bold, round(line.points, 3), round(width, 3))
    if key not in doc.splits:
        doc.set_font(FONT, "B" if line.bold else "", line.points)
        doc.splits[key] = tuple(doc.multi_cell(width, text=line.text, dry_run=True, output="LINES"))
    return doc.splits[key]


def _write(doc: FPDF, lines: list[Line], x, y, width) -> float:
    """Write lines centred in a column starting at (x, y); return the y below them."""
    doc.set_text_color(0)
    for line in _fitted(doc, lines, width):
        doc.set_font(FONT, "B" if line.bold else "", line.points)
        leading = _leading(line.points)
        for piece in _split(doc, line, width):
            doc.set_xy(x, y)
            doc.cell(width, leading, piece, align="C", link=line.link or "")
            y += leading
        y += line.after
    return y


def _leading(points: float) -> float:
    """Return a comfortable line height in mm for a font size in points."""
    # 1 pt = 0.3528 mm; 1.25 leaves room for Vietnamese stacked diacritics.
    return points * 0.3528 * 1.25


def _draw_qr(doc: FPDF, modules: list[list[bool]], x, y, side) -> None:
    """Draw the QR modules (quiet zone included) as black runs on a white square."""
    n = len(modules)
    unit = side / n
    doc.set_fill_color(255)
    doc.rect(x, y, side, side, style="F")
    doc.set_fill_color(0)
    for row_index, row in enumerate(modules):
        col = 0
        while col < n:
            if not row[col]:
                col += 1
                continue
            start = col
            while col < n and row[col]:
                col += 1
            doc.rect(x + start * unit, y + row_index * unit, (col - start) * unit, unit, style="F")
