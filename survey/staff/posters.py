"""Staff pages for QR codes and posters: one point, a whole ward, a whole province.

Every route needs a login and checks scope on the server through the auth helpers; a
document of a ward or province holds only the active points the user may see.
"""

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest, NotFound
from werkzeug.routing import RequestRedirect

from survey import access, points, posters, qr, unit_names
from survey.i18n import config_text
from survey.locales import DEFAULT_LOCALE, LOCALES
from survey.questionnaire.timing import minutes_range
from survey.questionnaires import current_questionnaire
from survey.staff.auth import (
    current_user,
    get_point_or_404,
    get_ward_or_404,
    login_required,
    permission_required,
)
from survey.units import get_province
from survey.webdb import get_db

bp = Blueprint("posters", __name__, url_prefix="/staff")

# Fallback when no questionnaire timing is available: PAPI Pulse's core module is short.
DEFAULT_MINUTES = (5, 5)


@bp.get("/points/<int:point_id>/qr")
@login_required
def point_qr(point_id):
    """Download the point's QR code as SVG, or PNG with ?format=png."""
    point = get_point_or_404(point_id)
    payload = qr.survey_url(
        current_app.config["BASE_URL"], point["token"], upper_path=_upper_path()
    )
    stem = f"qr-{point['ward_code']}-{point['id']}"
    if request.args.get("format", "svg") == "png":
        return _download(qr.png(payload), "image/png", f"{stem}.png")
    if request.args.get("format", "svg") != "svg":
        raise _bad(_("Choose SVG or PNG."))
    return _download(qr.svg(payload, title=payload).encode(), "image/svg+xml", f"{stem}.svg")


@bp.get("/points/<int:point_id>/poster")
@login_required
def point_poster(point_id):
    """Show (or with ?format=pdf download) one point's poster."""
    point = get_point_or_404(point_id)
    if not point["active"]:
        raise _bad(
            _("This collection point is inactive: reactivate it before printing its poster.")
        )
    title = _("Poster: %(point)s, %(ward)s", point=point["name"], ward=point["ward_name"])
    return _document(
        [point],
        title,
        f"poster-{point['ward_code']}-{point['id']}",
        url_for("posters.point_poster", point_id=point_id),
    )


@bp.get("/wards/<code>/posters")
@login_required
def ward_posters(code):
    """Show (or download as PDF) the posters of every active point of a ward."""
    ward = get_ward_or_404(code)
    found = _active(points.list_points(get_db(), ward_code=ward["code"]))
    title = _("Posters: %(ward)s", ward=ward["name"])
    return _document(
        found, title, f"posters-{ward['code']}", url_for("posters.ward_posters", code=ward["code"])
    )


@bp.get("/provinces/<code>/posters")
@permission_required("print_province_posters")
def province_posters(code):
    """Show (or download as PDF) the posters of every active point of a province."""
    province = get_province_or_404(code)
    found = _active(points.list_points(get_db(), province_code=province["code"]))
    title = _("Posters: %(province)s", province=province["name"])
    return _document(
        found,
        title,
        f"posters-{province['code']}",
        url_for("posters.province_posters", code=province["code"]),
    )


def get_province_or_404(code: str) -> dict:
    """Return the province if the user's scope covers all of it; 404 otherwise."""
    province = get_province(get_db(), code)
    if province is None or not access.can_see_province(current_user(), code):
        raise NotFound()
    return province


def _active(found: list[dict]) -> list[dict]:
    """Keep the active points: a deactivated point's code no longer opens the survey."""
    return [point for point in found if point["active"]]


def _document(found: list[dict], title: str, stem: str, here: str):
    """Render points' posters as a print page, or a PDF with ?format=pdf."""
    size, lang, fmt, results = _options()
    second = results == "qr" and size.key in posters.RESULTS_QR_SIZES
    built = [_poster(point, lang, second) for point in found]
    if fmt == "pdf":
        return _download(
            posters.pdf(built, size, title), "application/pdf", f"{stem}-{size.key}.pdf"
        )
    pages = [
        {
            "poster": p,
            "path": qr.svg_path(p.modules),
            "n": len(p.modules),
            "results_path": qr.svg_path(p.results_modules) if second else "",
            "results_n": len(p.results_modules) if second else 0,
        }
        for p in built
    ]
    count = ngettext("%(num)d poster", "%(num)d posters", len(pages))
    # The widest address of the document, for print.css to size it onto one line.
    urls = [p.typed_url for p in built] or [""]
    return render_template(
        "staff/posters/document.html",
        pages=pages,
        url_em=max(posters.text_em(url) for url in urls),
        url_chars=max(len(url) for url in urls),
        size=size,
        lang=lang,
        title=title,
        count=count,
        here=here,
        sizes=_size_labels(),
        langs=_lang_labels(),
        results=results,
        results_choices=_results_labels() if size.key in posters.RESULTS_QR_SIZES else [],
    )


def _options() -> tuple[posters.Size, str, str, str]:
    """Return the size, language, format and results choice asked for, or end with a 400."""
    try:
        size = posters.get_size(request.args.get("size"))
    except KeyError:
        raise _bad(_("Choose a poster size: A4, A5 or table tent.")) from None
    lang = request.args.get("lang") or "vi"
    if lang not in posters.LANGS:
        raise _bad(_("Choose Vietnamese or bilingual posters."))
    fmt = request.args.get("format") or "html"
    if fmt not in ("html", "pdf"):
        raise _bad(_("Choose the printable page or the PDF."))
    results = request.args.get("results") or "line"
    if results not in RESULTS_CHOICES:
        raise _bad(_("Choose whether the poster has a second QR code for the results."))
    return size, lang, fmt, results


def _poster(point: dict, lang: str, second: bool = False) -> posters.Poster:
    """Return a point's poster with its texts in Vietnamese (and English when bilingual)."""
    base = current_app.config["BASE_URL"]
    payload = qr.survey_url(base, point["token"], upper_path=_upper_path())
    locales = LOCALES if lang == "bilingual" else (DEFAULT_LOCALE,)
    results_url = f"{base}/ket-qua/{point['ward_code']}"
    return posters.Poster(
        point_name=point["name"],
        ward_name=point["ward_name"],
        province_name=point["province_name"],
        url=payload,
        typed_url=qr.typed_url(base, point["token"]),
        modules=qr.matrix(payload),
        texts=tuple(_texts(locale, point) for locale in locales),
        results_url=results_url,
        results_modules=qr.matrix(results_url) if second else None,
    )


# The heading names the point's own kind of unit: whole sentences, one per kind.
HEADINGS = {
    unit_names.WARD: _l("Tell us how your ward serves you"),
    unit_names.COMMUNE: _l("Tell us how your commune serves you"),
    unit_names.SPECIAL_ZONE: _l("Tell us how your special zone serves you"),
}
# For a unit whose kind is unknown (not loaded from vietnam-provinces).
HEADING_ANY_UNIT = _l("Tell us how your local government serves you")


def _texts(locale: str, point: dict) -> posters.Texts:
    """Return a point's poster words in one locale, whatever the page's own language."""
    unit = unit_names.Unit.of_point(point)
    low, high = _minutes()
    with force_locale(locale):
        if low == high:
            duration = ngettext(
                "It takes about %(num)s minute.", "It takes about %(num)s minutes.", high
            )
        else:
            duration = _("It takes about %(low)s to %(high)s minutes.", low=low, high=high)
        return posters.Texts(
            lang=locale,
            heading=str(HEADINGS.get(unit.type, HEADING_ANY_UNIT)),
            call=_("Scan the QR code with your phone camera to answer."),
            duration=duration,
            promise=_(
                "It is anonymous: we do not ask for your name, phone number or address, "
                "and we do not record who you are."
            ),
            typed_hint=_("Cannot scan? Type this address into your web browser:"),
            organiser=_(
                "This survey is run by %(organiser)s.", organiser=config_text("ORGANISER", point)
            ),
            results=_("See the results: %(address)s", address=_results_address(point)),
        )


def _results_address(point: dict) -> str:
    """Return the ward's public results address as typed, without the scheme."""
    base = current_app.config["BASE_URL"].split("://", 1)[-1]
    return f"{base}/ket-qua/{point['ward_code']}"


# "line": the "Xem kết quả" line only; "qr": on A4, a second, smaller QR code beside it.
RESULTS_CHOICES = ("line", "qr")


def _results_labels() -> list[tuple[str, str]]:
    """Return (key, label) of each results choice for the toolbar."""
    return [("line", _("Address only")), ("qr", _("Address and a QR code"))]


def _minutes() -> tuple[int, int]:
    """Return the questionnaire's shortest and longest expected minutes (as the welcome page).

    Whole minutes are the same for every unit: its place words change the reading time by
    a few seconds only (bench/questionnaire_timing.py).
    """
    try:
        questionnaire = current_questionnaire()
    except KeyError:
        return DEFAULT_MINUTES
    return minutes_range(questionnaire)


def _upper_path() -> bool:
    """Return True if the app answers ``/S/<TOKEN>`` (the all-capitals, shorter QR)."""
    adapter = current_app.url_map.bind("localhost")
    try:
        endpoint, _args = adapter.match("/S/" + "0" * points.TOKEN_LENGTH)
    except (NotFound, RequestRedirect):
        return False
    return endpoint.startswith("citizen.")


def _size_labels() -> list[tuple[str, str]]:
    """Return (key, label) of each poster size for the toolbar."""
    return [
        ("a4", _("A4 poster")),
        ("a5", _("A5 poster")),
        ("tent", _("A6 table tent (A5 sheet folded in half)")),
    ]


def _lang_labels() -> list[tuple[str, str]]:
    """Return (key, label) of each poster language choice for the toolbar."""
    return [("vi", _("Vietnamese")), ("bilingual", _("Vietnamese and English"))]


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    """Return body as a file download."""
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _bad(message: str) -> BadRequest:
    """Return a 400 error carrying a message for the friendly error page."""
    exc = BadRequest()
    exc.friendly = message
    return exc
