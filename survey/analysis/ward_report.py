"""The one-page ward report: an A4 portrait PDF of at most two pages (fpdf2, DejaVu fonts).

One renderer for the command line and the web download. ``gather`` reads the engine's rows
(survey.estimation.cache, the same as the pages) and makes every text in the requested language
(Vietnamese by default); ``render`` draws it. Numbers come from present.Line, which hides
everything the engine suppressed: a suppressed value is never drawn, only its reliability words.
"""

from __future__ import annotations

from datetime import date

from flask_babel import force_locale, format_decimal, format_percent, ngettext
from flask_babel import gettext as _
from fpdf import FPDF

from survey import baselines, fix_first, indicators, overview, targets, units
from survey import estimation as estimates
from survey.analysis import present
from survey.estimation import cache as estimate_cache
from survey.posters import FONT, font_paths
from survey.questionnaire import catalogue

MAX_PAGES = 2
MARGIN = 14  # mm: most office printers cannot print closer than about 5 mm; 14 reads calmly
WIDTH = 210 - 2 * MARGIN
INK, GREY = (0, 0, 0), (110, 110, 110)


def shown_questionnaire(db, config, period, province, wards=None):
    """Return the version of the current questionnaire most answered in the period and scope."""
    current = catalogue.current_questionnaire(config["QUESTIONNAIRE"])
    return overview.answered_version(db, period, current, province, wards)


def rows_for(db, config, unit_type, code, period, questionnaire=None):
    """Return the engine rows of a ward or province with the configured method (cached).

    ``questionnaire``: the version to estimate (none: the one the pages show for the period).
    """
    if unit_type == "ward":
        ward = units.get_ward(db, code)
        provinces, scope = [ward["province_code"]], {code}
    else:
        provinces, scope = [code], None
    return estimate_cache.unit_rows(
        db,
        questionnaire or shown_questionnaire(db, config, period, provinces[0], scope),
        period,
        unit_type,
        code,
        scope,
        provinces,
        config["WEIGHT_TRIM_CAP"],
        float(config["SMOOTHING_PRIOR_N"]),
    )


def _num(value, line=None, signed=False):
    """Return a number as the page shows it (Babel, active locale), a dash for None."""
    if value is None:
        return "—"
    if line is not None and line.percent:
        return format_percent(value, "+#,##0.0%;-#,##0.0%" if signed else "#,##0.0%")
    return format_decimal(value, "+#,##0.00;-#,##0.00" if signed else "#,##0.00")


def province_rows(db, config, province, period, questionnaire) -> dict[tuple[str, str], list]:
    """Return {(unit type, code): rows} of a province and all its wards from one engine run."""
    found: dict = {}
    for values in estimates.run(
        db,
        questionnaire,
        [period],
        ("ward", "province"),
        cap=config["WEIGHT_TRIM_CAP"],
        prior_m=float(config["SMOOTHING_PRIOR_N"]),
        provinces=[province],
    ):
        row = dict(zip(estimates.COLUMNS, values, strict=True))
        found.setdefault((row["unit_type"], row["unit_code"]), []).append(row)
    return found


def gather(db, config, unit_type, code, period, lang="vi", rows=None, questionnaire=None) -> dict:
    """Return everything the report prints, texts in ``lang``.

    ``rows`` are the unit's if known, made with ``questionnaire`` (none: the version most
    answered in the unit and period, as the pages show).
    """
    if unit_type == "ward":
        ward = units.get_ward(db, code)
        name, province = f"{ward['name']}, {ward['province_name']}", ward["province_code"]
    else:
        name, province = units.get_province(db, code)["name"], code
    wards = {code} if unit_type == "ward" else None
    if questionnaire is None:
        questionnaire = shown_questionnaire(db, config, period, province, wards)
    if rows is None:
        rows = rows_for(db, config, unit_type, code, period, questionnaire)
    before = overview.version_before(db, period, questionnaire, province, wards)
    with force_locale(lang):
        report = present.build(rows, questionnaire, lang)
        blend = baselines.blend(db, province)
        plan = targets.current(db, province, period.last_day.year)
        lines = list(report.lines())
        table = [_summary_line(line, plan) for line in lines]
        subs = [line for _, group in report.subdimensions for line in group if line.shown]
        ranked = sorted(subs, key=lambda line: _sub_gap(line, blend))
        n = report.unit.get("n_item") or report.unit.get("n") or 0
        reliable = sum(1 for line in lines if line.shown)
        return {
            "lang": lang,
            "title": _("Ward report: %(unit)s", unit=name)
            if unit_type == "ward"
            else _("Province report: %(unit)s", unit=name),
            "period": _("Period: %(period)s", period=period.label),
            "version": _(
                "Questionnaire: %(id)s, version %(version)s",
                id=questionnaire.id,
                version=questionnaire.version,
            ),
            "headline": _headline(report.total, blend, plan),
            "table_head": [
                _("Dimension"),
                _("Estimate"),
                _("95 percent interval"),
                _("Answers"),
                _("Effective answers"),
                _("Reliability"),
                _("Official PAPI"),
                _("Plan target %(year)s", year=period.last_day.year),
            ],
            "table": table,
            "chart": [
                (line.detail or _("Total"), line.estimate, line.interval, line.baseline)
                for line in report.dimensions
            ],
            "chart_title": _("The eight dimensions on the PAPI scale of 1 to 10"),
            "chart_key": _(
                "● estimate, |—| 95 percent interval, ◇ official PAPI score. A dimension that is "
                "not reliable enough is not drawn."
            ),
            "strongest_title": _("Three strongest sub-dimensions"),
            "weakest_title": _("Three weakest sub-dimensions"),
            "strongest": [_sub_text(line) for line in ranked[::-1][:3]],
            "weakest": [_sub_text(line) for line in ranked[:3]],
            "no_subs": _("No sub-dimension is reliable enough to name."),
            "change_title": _("Change since the previous period"),
            "changes": [_change_text(line) for line in lines if line.change],
            "no_change": _no_change(before, questionnaire, period),
            "count_title": _("Answers and reliability"),
            "count": ngettext(
                "%(num)d person answered in this period.",
                "%(num)d people answered in this period.",
                n,
            )
            + " "
            + _(
                "%(reliable)s of %(all)s figures in the table are reliable enough to show.",
                reliable=reliable,
                all=len(lines),
            )
            + (
                " "
                + _(
                    "The total is reliable although no dimension is: the total counts everyone "
                    "who answered any of its questions, while each dimension rests only on those "
                    "who answered that dimension's questions (each person answers some of the "
                    "modules), so each dimension has fewer answers and a wider interval."
                )
                if report.total_without_parts
                else ""
            ),
            "method_title": _("How the figures are made"),
            "method": _(
                "PAPI-style estimates, not PAPI scores. They come from people who chose to "
                "answer on the PAPI Pulse questionnaire (an opt-in sample), weighted by sex and "
                "age to the ward's population. Each figure has a 95 percent interval and is shown "
                "only when at least 30 effective answers support it and the interval is narrow "
                "enough; the official PAPI score is the province's last published one. Likely "
                "met / likely not met: the whole interval is above / below the plan target."
            ),
            "cite_title": _("How to cite"),
            "cite": _(
                "PAPI Pulse, %(unit)s, %(period)s: PAPI-style estimates made on %(date)s.",
                unit=name,
                period=period.label,
                date=date.today().isoformat(),
            ),
        }


def _no_change(before, questionnaire, period) -> str:
    """Return why no change is listed: too few answers before, or another questionnaire."""
    if before is None:
        return _("No reliable change can be given: the previous period has too few answers.")
    if period.kind == "quarter":
        text = _("The questionnaire changed: no comparison with the previous quarter is possible.")
    else:
        text = _("The questionnaire changed: no comparison with the previous period is possible.")
    return (
        text
        + " "
        + _(
            "The answers before were given to version %(before)s, these to version "
            "%(version)s, and the figures are made from different questions.",
            before=before,
            version=questionnaire.version,
        )
    )


def _summary_line(line, plan) -> list[str]:
    """Return the table cells of a summary line (suppressed values as a dash)."""
    interval = line.interval
    target = plan.get(line.row["key"])
    verdict = ""
    if target is not None:
        verdict = f"{_num(target)}: {present.PROGRESS_WORDS[targets.progress(line.row, target)]}"
    return [
        f"{line.detail} {line.label}".strip() if line.detail else line.label,
        _num(line.estimate, line),
        f"{_num(interval[0], line)} – {_num(interval[1], line)}" if interval else "—",
        format_decimal(line.n),
        format_decimal(line.n_eff, "#,##0.0") if line.n_eff is not None else "—",
        line.reliability,
        f"{_num(line.baseline[0])} ({line.baseline[1]})" if line.baseline else "—",
        verdict or "—",
    ]


def _headline(total, blend, plan) -> str:
    """Return the headline sentence of the total."""
    if total is None or total.estimate is None:
        return _("The total cannot be given: too few answers or too imprecise.")
    text = _(
        "PAPI-style total: %(value)s on the scale 10 to 80 (95 percent interval %(lower)s to "
        "%(upper)s).",
        value=_num(total.estimate),
        lower=_num(total.interval[0]),
        upper=_num(total.interval[1]),
    )
    if total.baseline:
        text += " " + _(
            "The province's official PAPI total of %(year)s: %(value)s.",
            year=total.baseline[1],
            value=_num(total.baseline[0]),
        )
    target = plan.get("total")
    if target is not None:
        text += " " + _(
            "Plan target: %(target)s, %(verdict)s.",
            target=_num(target),
            verdict=str(present.PROGRESS_WORDS[targets.progress(total.row, target)]).lower(),
        )
    return text


def _sub_gap(line, blend):
    """Return how far a sub-dimension sits below its dimension's official score (or its value)."""
    value = fix_first.on_dimension_scale(line.row, line.estimate)
    official = (blend or {}).get("values", {}).get(indicators.sub_dimension(line.row["key"]))
    return value - official if official is not None else value


def _sub_text(line) -> str:
    """Return a sub-dimension with its estimate and n."""
    return _(
        "%(code)s %(name)s: %(value)s (n = %(n)s)",
        code=line.detail,
        name=line.label,
        value=_num(line.estimate),
        n=format_decimal(line.n),
    )


def _change_text(line) -> str:
    """Return a change in words with its value."""
    change = line.change
    value = _num(change["value"], line, signed=True)
    return f"{line.detail or _('Total')}: {value} — {line.change_words}"


def document(title: str, lang: str, page_break: bool = True) -> FPDF:
    """Return an A4 portrait report in mm with its margins, title, language, fonts and page one.

    ``page_break=False`` leaves breaking pages to the caller.
    """
    doc = FPDF(unit="mm", format="A4")
    doc.set_margins(MARGIN, MARGIN, MARGIN)
    if page_break:
        doc.set_auto_page_break(True, MARGIN)
    else:
        doc.set_auto_page_break(False)
    doc.set_title(title)
    doc.set_creator("PAPI Pulse")
    doc.set_lang(lang)
    for style, path in font_paths().items():
        doc.add_font(FONT, style, str(path))
    doc.add_page()
    return doc


def render(data: dict) -> bytes:
    """Return the report as an A4 portrait PDF."""
    doc = document(data["title"], data["lang"])
    doc.set_font(FONT, "B", 15)
    doc.multi_cell(WIDTH, 7, data["title"], new_x="LMARGIN", new_y="NEXT")
    doc.set_font(FONT, "", 10)
    doc.cell(WIDTH, 6, data["period"], new_x="LMARGIN", new_y="NEXT")
    doc.cell(WIDTH, 5, data["version"], new_x="LMARGIN", new_y="NEXT")
    doc.ln(1)
    doc.set_font(FONT, "B", 10.5)
    doc.multi_cell(WIDTH, 5.2, data["headline"], new_x="LMARGIN", new_y="NEXT")
    doc.ln(2)
    _table(doc, data["table_head"], data["table"])
    doc.ln(2)
    _chart(doc, data["chart_title"], data["chart"], data["chart_key"])
    _list(doc, data["strongest_title"], data["strongest"] or [data["no_subs"]])
    _list(doc, data["weakest_title"], data["weakest"] or [data["no_subs"]])
    _list(doc, data["change_title"], data["changes"] or [data["no_change"]])
    _paragraph(doc, data["count_title"], data["count"])
    _paragraph(doc, data["method_title"], data["method"])
    _paragraph(doc, data["cite_title"], data["cite"])
    return bytes(doc.output())


COLUMNS = (52, 15, 25, 14, 15, 25, 18, 18)  # mm; sums to WIDTH


def _table(doc, head, rows):
    """Draw the summary table, its header repeated in bold."""
    doc.set_font(FONT, "B", 7)
    y = doc.get_y()
    # The header is as tall as its longest heading (Vietnamese ones wrap to three lines).
    lines = max(len(doc.multi_cell(w, 3.2, t, dry_run=True, output="LINES"))
                for w, t in zip(COLUMNS, head, strict=True))  # fmt: skip
    for i, text in enumerate(head):
        doc.set_xy(MARGIN + sum(COLUMNS[:i]), y)
        doc.multi_cell(COLUMNS[i], 3.2, text, align="L")
    doc.set_y(y + 3.2 * lines + 0.6)
    doc.line(MARGIN, doc.get_y() - 0.3, MARGIN + WIDTH, doc.get_y() - 0.3)
    doc.set_font(FONT, "", 7)
    for row in rows:
        y = doc.get_y()
        height = 3.4 * max(len(doc.multi_cell(w, 3.4, t, dry_run=True, output="LINES"))
                           for w, t in zip(COLUMNS, row, strict=True))  # fmt: skip
        for i, text in enumerate(row):
            doc.set_xy(MARGIN + sum(COLUMNS[:i]), y)
            doc.multi_cell(COLUMNS[i], 3.4, text, align="R" if 0 < i < 5 else "L")
        doc.set_y(y + height + 0.8)
        doc.set_draw_color(*GREY)
        doc.line(MARGIN, doc.get_y() - 0.4, MARGIN + WIDTH, doc.get_y() - 0.4)
        doc.set_draw_color(*INK)


def _chart(doc, title, items, key):
    """Draw the dimensions on the 1-10 scale: dot, interval whiskers, baseline diamond."""
    doc.set_font(FONT, "B", 9)
    doc.cell(WIDTH, 5, title, new_x="LMARGIN", new_y="NEXT")
    left, right, row = MARGIN + 14, MARGIN + WIDTH - 4, 5.0
    top = doc.get_y() + 3

    def x(value):
        return left + (min(10, max(1, value)) - 1) / 9 * (right - left)

    doc.set_font(FONT, "", 6.5)
    bottom = top + row * len(items)
    for tick in range(1, 11):
        doc.set_draw_color(200, 200, 200)
        doc.line(x(tick), top - 1, x(tick), bottom)
        doc.set_xy(x(tick) - 3, top - 4)
        doc.cell(6, 3, format_decimal(tick), align="C")
    doc.set_draw_color(*INK)
    for index, (label, estimate, interval, baseline) in enumerate(items):
        y = top + row * index + row / 2
        doc.set_xy(MARGIN, y - 1.5)
        doc.cell(13, 3, label)
        if interval:
            doc.set_line_width(0.4)
            doc.line(x(interval[0]), y, x(interval[1]), y)
            doc.line(x(interval[0]), y - 1, x(interval[0]), y + 1)
            doc.line(x(interval[1]), y - 1, x(interval[1]), y + 1)
            doc.set_line_width(0.2)
        if baseline:
            bx = x(baseline[0])
            doc.polygon([(bx, y - 1.6), (bx + 1.6, y), (bx, y + 1.6), (bx - 1.6, y)], style="D")
        if estimate is not None:
            doc.set_fill_color(*INK)
            doc.circle(x(estimate), y, 1.1, style="F")
    doc.set_y(bottom + 1)
    doc.set_font(FONT, "", 6.5)
    doc.multi_cell(WIDTH, 3.2, key, new_x="LMARGIN", new_y="NEXT")
    doc.ln(1)


def _list(doc, title, entries):
    """Draw a short titled list."""
    doc.set_font(FONT, "B", 9)
    doc.cell(WIDTH, 5, title, new_x="LMARGIN", new_y="NEXT")
    doc.set_font(FONT, "", 8)
    for entry in entries:
        doc.multi_cell(WIDTH, 3.8, f"• {entry}", new_x="LMARGIN", new_y="NEXT")
    doc.ln(1)


def _paragraph(doc, title, text):
    """Draw a titled paragraph."""
    doc.set_font(FONT, "B", 9)
    doc.cell(WIDTH, 5, title, new_x="LMARGIN", new_y="NEXT")
    doc.set_font(FONT, "", 7.5)
    doc.multi_cell(WIDTH, 3.5, text, new_x="LMARGIN", new_y="NEXT")
    doc.ln(1)
