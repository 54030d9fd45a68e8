"""Leadership pages under /staff/analysis: the province overview, trends, what to fix first.

Province managers see their provinces, analysts and administrators every province; ward staff
see no province (404), as on the estimates page. The page only adapts survey.overview.
"""

from flask import Response, abort, current_app, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from survey import (
    access,
    baselines,
    csvout,
    fix_first,
    indicators,
    overview,
    papi_names,
    trends,
    units,
)
from survey import estimation as estimates
from survey.analysis import overview_pdf, picker, present, trend_chart, ward_report
from survey.analysis.views import (
    _pinned,
    _plan,
    _questionnaire,
    _rows,
    _today,
    _unit_or_404,
    bp,
)
from survey.estimation import cache as estimate_cache
from survey.i18n import current_locale
from survey.periods import PeriodError
from survey.questionnaire import catalogue
from survey.questionnaires import current_questionnaire
from survey.staff.auth import current_user, login_required
from survey.webdb import get_db


def _province_or_404(code):
    """Return the province if the signed-in user may see it; 404 otherwise."""
    province = units.get_province(get_db(), code)
    if province is None or not access.can_see_province(current_user(), code):
        abort(404)
    return province


def _shown_questionnaire(period, province, wards=None):
    """Return the questionnaire a page shows for a period: asked for, else the most answered."""
    return _questionnaire(period, ([province], wards, ""))


def _area_rows(code, period, questionnaire=None):
    """Return the summary rows of the province and its wards with the configured method.

    ``questionnaire``: the version the page shows (none: the one shown for that period).
    """
    config = current_app.config
    return overview.area_rows(
        get_db(),
        questionnaire or _shown_questionnaire(period, code),
        period,
        code,
        config["WEIGHT_TRIM_CAP"],
        float(config["SMOOTHING_PRIOR_N"]),
    )


def _period(code, rows_of=None, wards=None):
    """Return (period, text) from ?period=, else the latest quarter with reliable estimates."""
    text = request.args.get("period", "").strip()
    if text:
        try:
            return estimates.parse_periods(text), text
        except PeriodError:
            exc = BadRequest()
            exc.friendly = _(
                "The period is not understood: use 2026-Q1, 2026-03, 2026 or a range "
                "such as 2026-01-01..2026-02-15."
            )
            raise exc from None
    pinned = _pinned()
    period = overview.default_period(
        get_db(),
        _today(),
        rows_of or (lambda p: overview.has_reliable(_area_rows(code, p), "province", code)),
        current_questionnaire() if pinned is None else pinned,
        province=code if wards is None else None,
        wards=wards,
        pinned=pinned is not None,
    )
    return period, period.label


@bp.get("/province/<code>")
@login_required
def province(code):
    """Show a province's total and dimensions and its wards beside it, for one period."""
    place = _province_or_404(code)
    period, text = _period(code)
    db = get_db()
    # Chosen once: an answer landing mid-request must not put one version's rows under
    # another version's labels.
    questionnaire = _shown_questionnaire(period, code)
    rows = _area_rows(code, period, questionnaire)
    units_rows = overview.by_unit(rows)
    area = units_rows.get(("province", code), {})
    report = present.build(list(area.values()), questionnaire, current_locale())
    blend = baselines.blend(db, code)
    table = overview.ward_table(db, code, rows)
    cover = overview.coverage(db, code, table)
    sort = request.args.get("sort", "name")
    return render_template(
        "analysis/province.html",
        place=place,
        period=period,
        period_text=text,
        report=report,
        blend=blend,
        official=overview.official(db, code, blend),
        plan=_plan(report, code, period) if report.total or report.dimensions else {},
        plan_year=period.last_day.year,
        wards=overview.sort_wards(table, sort),
        sort=sort if sort in overview.SUMMARY_KEYS else "name",
        keys=overview.SUMMARY_KEYS,
        names=_summary_names(),
        coverage=cover,
        coverage_words=overview_pdf.population_words(cover),
        periods=picker.suggested_periods(_today(), text),
        questionnaire=questionnaire,
    )


def _summary_names():
    """Return {summary key: short column heading}."""
    return {"total": _("Total")} | {f"d{i}": f"D{i}" for i in range(1, 9)}


@bp.get("/fix")
@login_required
def fix():
    """Show what to fix first in a ward or province: its weakest parts and what people said."""
    unit_type, code, scope = _unit_request()
    provinces, wards, name = scope
    period, text = _shown_period(unit_type, code, scope)
    db, questionnaire = get_db(), _shown_questionnaire(period, provinces[0], wards)
    rows = _rows(unit_type, code, period, scope, questionnaire)
    blend = baselines.blend(db, provinces[0])
    parts = fix_first.rank(
        rows, questionnaire, blend, fix_first.best_published(db), current_locale()
    )
    return render_template(
        "analysis/fix.html",
        unit_type=unit_type,
        code=code,
        unit_name=name,
        period=period,
        period_text=text,
        parts=parts,
        blend=blend,
        sub_name=lambda sub: papi_names.subdimension_name(sub, current_locale()),
        dim_name=lambda dim: papi_names.dimension_name(dim, current_locale()),
        comments=fix_first.comments(db, questionnaire, period, wards, provinces[0]),
        min_answers=fix_first.MIN_ANSWERS_FOR_COMMENTS,
        periods=picker.suggested_periods(_today(), text),
    )


@bp.get("/report.pdf")
@login_required
def report_pdf():
    """Download the one-page report of a ward or province (Vietnamese unless ?lang=en)."""
    unit_type, code, scope = _unit_request()
    period, text = _shown_period(unit_type, code, scope)
    lang = "en" if request.args.get("lang") == "en" else "vi"
    provinces, wards, _name = scope
    shown = _shown_questionnaire(period, provinces[0], wards)  # ?questionnaire= too
    data = ward_report.gather(
        get_db(), current_app.config, unit_type, code, period, lang, questionnaire=shown
    )
    name = f"report-{unit_type}-{code}-{period.label}.pdf".replace("..", "_")
    return Response(
        ward_report.render(data),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# A province's trend reads two years of its answers: keep a few per worker until the data change.
_trends = estimate_cache.Results(16)


def _unit_request():
    """Return (unit type, code, scope) of ?unit=&code=; 404 unless a ward or province in sight."""
    unit_type, code = request.args.get("unit", ""), request.args.get("code", "").strip()
    if unit_type not in ("ward", "province"):
        abort(404)
    return unit_type, code, _unit_or_404(unit_type, code)


def _shown_period(unit_type, code, scope):
    """Return (period, text) from ?period=, else the latest quarter the unit shows a value in."""
    provinces, wards, _name = scope
    return _period(
        provinces[0], lambda p: any(r["shown"] for r in _rows(unit_type, code, p, scope)), wards
    )


def _trend_request():
    """Return (unit type, code, scope, trend) from the query string; 404/400 on bad input."""
    unit_type, code, scope = _unit_request()
    provinces, wards, _name = scope
    by = request.args.get("by", "quarter")
    if by not in trends.POINTS:
        abort(400, _("Choose quarters or months."))
    if request.args.get("period", "").strip():
        last, _text = _period(provinces[0])
    else:
        quarter, _text = _shown_period(unit_type, code, scope)
        last = (
            quarter
            if by == "quarter"
            else estimates.parse_periods(quarter.last_day.strftime("%Y-%m"))
        )
    config, db = current_app.config, get_db()
    versions = [
        q
        for (qid, _v), q in sorted(catalogue.available().items())
        if qid == current_questionnaire().id
    ]
    cap, prior_m = config["WEIGHT_TRIM_CAP"], float(config["SMOOTHING_PRIOR_N"])
    key = (unit_type, code, last.label, cap, prior_m, tuple(q.version for q in versions))
    try:
        trend = _trends.get(
            db,
            key,
            lambda: trends.build(
                db, versions, unit_type, code, last, wards, provinces, cap, prior_m
            ),
        )
    except trends.TrendError:
        abort(400, _("A trend ends with a quarter such as 2026-Q1 or a month such as 2026-03."))
    return unit_type, code, scope, trend


def _series_names(trend, lang):
    """Return {series key: its title in the active language}."""
    names = {"total": _("PAPI-style total (10 to 80)")}
    names |= {f"d{i}": f"D{i} {papi_names.dimension_name(f'd{i}', lang)}" for i in range(1, 9)}
    for series in trend.comparable:
        version = next(v for v in reversed(trend.versions) if v is not None)
        questionnaire = catalogue.get(current_questionnaire().id, version)
        found = {ind.id: ind for ind in indicators.build(questionnaire).indicators}
        if series.key in found:
            names[series.key] = questionnaire.items[found[series.key].item_ids[0]].text(lang)
    return names


@bp.get("/trend")
@login_required
def trend():
    """Show a ward's or province's total and dimensions over quarters or months."""
    unit_type, code, scope, found = _trend_request()
    lang = current_locale()
    return render_template(
        "analysis/trend.html",
        unit_type=unit_type,
        code=code,
        unit_name=scope[2],
        trend=found,
        by=found.periods[-1].kind,
        panels=[trend_chart.panel(s) for s in found.series],
        comparable=[trend_chart.panel(s) for s in found.comparable],
        names=_series_names(found, lang),
        last=found.periods[-1].label,
        flag_words=present.FLAG_WORDS,
        change_words=present.change_words,
    )


@bp.get("/trend.csv")
@login_required
def trend_csv():
    """Download a ward's or province's trend as CSV (Excel preset with ?excel=1)."""
    unit_type, code, _scope, found = _trend_request()
    dialect = "excel" if request.args.get("excel") else "plain"
    name = f"trend-{unit_type}-{code}-{found.periods[-1].label}.csv"
    return Response(
        csvout.stream(trends.CSV_COLUMNS, trends.csv_rows(found, unit_type, code), dialect),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
