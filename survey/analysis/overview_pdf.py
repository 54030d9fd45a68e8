"""The province overview as an A4 PDF: every ward with answers beside the province.

The printed twin of templates/analysis/province.html, for `papi-pulse report province`: the
same rows (survey.overview.ward_table on the engine's rows), the same Bristol rule and the
same markers (▲ above, ▼ below, so that black-and-white print keeps the meaning of the light
fill). A suppressed cell prints "suppressed" and its n, never a number.
"""

from __future__ import annotations

from flask_babel import force_locale, format_decimal, format_percent, ngettext
from flask_babel import gettext as _

from survey import overview, units
from survey.analysis import ward_report
from survey.posters import FONT

MARGIN = ward_report.MARGIN
NAME_WIDTH = 43  # mm: "Phường Bình Hưng Hòa" and its like on one line at 7 pt
CELL = (210 - 2 * MARGIN - NAME_WIDTH) / len(overview.SUMMARY_KEYS)
# Light fills that print as two different greys; the marker carries the meaning anyway.
FILLS = {overview.HIGHER: (214, 230, 245), overview.LOWER: (253, 224, 196)}
# A share is given to one decimal (one ward of 168 holds well under 1 %); below 0.1 % the
# words say "less than 0.1 %" rather than a misleading 0 %.
SHARE_FORMAT = "#,##0.#%"
SMALLEST_SHARE = 0.001


def gather(db, province: str, period, rows: list[dict], lang: str = "vi") -> dict:
    """Return the texts and cells of the overview in ``lang`` (rows: the engine's, all units)."""
    summary = [r for r in rows if r["level"] in ("total", "dimension")]
    table = overview.ward_table(db, province, summary)
    area = overview.by_unit(summary).get(("province", province), {})
    cover = overview.coverage(db, province, table)
    name = units.get_province(db, province)["name"]
    with force_locale(lang):
        head = [_("Ward or commune"), _("Total")] + [f"D{i}" for i in range(1, 9)]
        lines = [[_("The province")] + [_cell(area.get(k), None) for k in overview.SUMMARY_KEYS]]
        lines += [
            [entry["name"]] + [_cell(*entry["cells"][k]) for k in overview.SUMMARY_KEYS]
            for entry in table
        ]
        return {
            "lang": lang,
            "title": _(
                "Province overview: %(province)s, %(period)s", province=name, period=period.label
            ),  # fmt: skip
            "coverage": " ".join(
                [
                    ngettext(
                        "%(num)d ward or commune of %(wards)d has answers in this period.",
                        "%(num)d wards and communes of %(wards)d have answers in this period.",
                        cover["with_answers"],
                        wards=cover["wards"],
                    ),
                    *population_words(cover),
                ]
            ),
            "legend": _(
                "A coloured cell with ▲ means the ward's whole 95 percent interval is above the "
                "province's estimate; ▼ means it is wholly below. Other differences may be chance. "
                "Cells give the estimate, then the answers (n) and the effective answers (n*)."
            ),
            "note": _(
                "* shown, read with care. “suppressed”: too few answers or too imprecise to show."
            ),
            "head": head,
            "lines": lines,
            "version": _version(rows),
        }


def population_words(cover: dict) -> list[str]:
    """Return the sentences on the population share of overview.coverage, in the active locale.

    The share, which population it is of (the wards' sum, Resolution 202/2025/QH15 or the GSO
    Statistical Yearbook 2024), a cap at 100 %, and wards with answers but no population.
    """
    if not cover["with_answers"]:
        return []
    share = cover["population_share"]
    if share is None:
        return [
            _(
                "The share of the province's population living in wards with answers is "
                "unknown: some wards' populations are not known."
            )
        ]
    if 0 < share < SMALLEST_SHARE:
        words = [
            _(
                "Wards with answers hold less than %(share)s of the province's population.",
                share=format_percent(SMALLEST_SHARE, SHARE_FORMAT),
            )
        ]
    else:
        words = [
            _(
                "Wards with answers hold %(share)s of the province's population.",
                share=format_percent(share, SHARE_FORMAT),
            )
        ]
    people = format_decimal(cover["population"]) if cover["population"] else ""
    if cover["basis"] == "wards":
        words.append(_("This population is the sum of the populations of all its wards."))
    elif cover["basis"] == "nq202_2025_qh15" and people:
        words.append(
            _(
                "This population is %(people)s people, the figure in Resolution "
                "202/2025/QH15 of the National Assembly (it counts more people than the "
                "statistics office does, so the share may read low).",
                people=people,
            )
        )
    elif cover["basis"] == "gso_yearbook_2024" and people:
        words.append(
            _(
                "This population is %(people)s people, the average population in 2024 "
                "(Statistical Yearbook 2024, General Statistics Office).",
                people=people,
            )
        )
    if cover["capped"]:
        words.append(
            _(
                "The populations of the wards with answers add up to more than this, "
                "so the share is shown as %(share)s.",
                share=format_percent(1, SHARE_FORMAT),
            )
        )
    if cover["without_population"]:
        words.append(
            ngettext(
                "%(num)d ward with answers has no known population: its answers are not "
                "in the province's estimates nor in this share.",
                "%(num)d wards with answers have no known population: their answers are not "
                "in the province's estimates nor in this share.",
                cover["without_population"],
            )
        )
    return words


def _version(rows) -> str:
    """Return the line naming the questionnaire version behind the rows (none without rows)."""
    if not rows:
        return ""
    return _(
        "Questionnaire: %(id)s, version %(version)s",
        id=rows[0]["questionnaire_id"],
        version=rows[0]["questionnaire_version"],
    )


def _cell(row, side) -> tuple[str, str, str | None]:
    """Return (first line, second line, comparison) of one cell; no number when suppressed."""
    if row is None:
        return ("—", "", None)
    n = f"n {format_decimal(row['n_item'])}"
    if not row["shown"] or row["estimate"] in ("", None):
        return (_("suppressed"), n, None)
    marker = {overview.HIGHER: "▲ ", overview.LOWER: "▼ "}.get(side, "")
    care = "" if row["flag"] == "ok" else "*"
    value = format_decimal(row["estimate"], "#,##0.00")
    n_eff = format_decimal(row["n_eff"], "#,##0") if row["n_eff"] not in ("", None) else "—"
    return (f"{marker}{value}{care}", f"{n} · n* {n_eff}", side)


def render(data: dict) -> bytes:
    """Return the overview as an A4 portrait PDF, the heading repeated on every page."""
    doc = ward_report.document(data["title"], data["lang"], page_break=False)
    doc.set_font(FONT, "B", 14)
    doc.multi_cell(0, 7, data["title"], new_x="LMARGIN", new_y="NEXT")
    doc.set_font(FONT, "", 8.5)
    for text in (data["version"], data["coverage"], data["legend"], data["note"]):
        doc.multi_cell(0, 4, text, new_x="LMARGIN", new_y="NEXT")
    doc.ln(2)
    _head(doc, data["head"])
    for line in data["lines"]:
        if doc.get_y() + 8 > 297 - MARGIN:
            doc.add_page()
            _head(doc, data["head"])
        _line(doc, line)
    return bytes(doc.output())


def _head(doc, head):
    """Draw the table heading."""
    doc.set_font(FONT, "B", 7.5)
    doc.cell(NAME_WIDTH, 5, head[0], border="B")
    for text in head[1:]:
        doc.cell(CELL, 5, text, border="B", align="R")
    doc.ln(5)


def _line(doc, line):
    """Draw one unit: its name and a two-line cell per key."""
    y = doc.get_y()
    doc.set_font(FONT, "", 7)
    doc.set_xy(MARGIN, y)
    doc.cell(NAME_WIDTH, 8, line[0][:40])
    for i, (first, second, side) in enumerate(line[1:]):
        x = MARGIN + NAME_WIDTH + i * CELL
        if side in FILLS:
            doc.set_fill_color(*FILLS[side])
            doc.rect(x, y + 0.3, CELL, 7.4, style="F")
        doc.set_xy(x, y + 0.5)
        doc.set_font(FONT, "", 7)
        doc.cell(CELL, 3.6, first, align="R")
        doc.set_xy(x, y + 4.1)
        doc.set_font(FONT, "", 5.5)
        doc.cell(CELL, 3.4, second, align="R")
    doc.set_draw_color(190, 190, 190)
    doc.line(MARGIN, y + 8, 210 - MARGIN, y + 8)
    doc.set_draw_color(0, 0, 0)
    doc.set_y(y + 8)
