"""The public results pages under ``/ket-qua``: a ward's results, a province's wards, the method.

Unknown wards, provinces and periods answer a friendly 404 page. A known ward whose province
has published nothing yet says so (the thank-you page links here before anything is out).
"""

from datetime import date, datetime
from urllib.parse import urlencode

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    make_response,
    render_template,
    request,
    session,
)

from survey import access, notes, papi_names, periods, publishing, units
from survey.db import path_of
from survey.i18n import current_locale, default_locale
from survey.public import cache, present
from survey.stats.suppression import MIN_N_EFF
from survey.webdb import get_db

bp = Blueprint("public", __name__, url_prefix="/ket-qua")
SEARCH_MAX = 80  # characters of a ward search kept: longer than any ward name


def _serve(key, draw):
    """Return the rendered copy of a page for key (drawing and keeping it when missing).

    Sent with its ETag, and 304 with no body when the browser already holds it. Without a
    key (a search) the page is drawn for this request alone and not kept by anyone.
    """
    if key is None:
        return make_response(draw())
    copy = cache.get(key)
    if copy is None:
        g.csp_nonce = cache.NONCE_MARKER
        try:
            copy = cache.make(draw(), current_app.secret_key)
        finally:
            g.pop("csp_nonce", None)
        cache.put(key, copy)
    g.csp_nonce = copy.nonce  # the copy's own: a 304 must carry the nonce the browser kept
    response = make_response(copy.html)
    response.set_etag(copy.etag)
    # Kept, but asked again every time: a new publication shows at once (a 304 costs one
    # indexed query). The language follows the session cookie and Accept-Language too.
    # A response that (re)sets the session cookie is not for shared caches.
    shared = "private" if session.modified or session else "public"
    response.headers["Cache-Control"] = f"{shared}, no-cache"
    response.vary.update(("Accept-Language", "Cookie"))
    return response.make_conditional(request)


def _key(*parts):
    """Return a cache key for this page: the database, path, language and the given parts."""
    path = path_of(get_db())
    return (path, request.path, current_locale(), *parts)


def _page_url() -> str:
    """Return this page's stable address in its language (for Open Graph).

    The incoming query is dropped (a shared copy must not carry its first reader's), but a page
    in another language than the installation's default names it, so that a link shared from
    the English page opens in English for everyone, whatever their phone's language.
    """
    url = current_app.config["BASE_URL"] + request.path
    locale = current_locale()
    return url if locale == default_locale() else f"{url}?{urlencode({'lang': locale})}"


def local_day(moment: str) -> date:
    """Return the Vietnamese calendar day of a stored UTC time."""
    return datetime.fromisoformat(moment).astimezone(periods.LOCAL_TZ).date()


def _notes(ward: dict) -> list[dict]:
    """Return the ward's approved notes, each with its area's name and the next quarter's figure."""
    db, lang = get_db(), current_locale()
    shown = []
    for note in notes.approved(db, ward["code"]):
        after = publishing.first_after(db, ward["province_code"], note["acted_on"])
        quarter, line = present.note_figure(note, after, lang)
        shown.append(
            {
                "note": note,
                "area": papi_names.dimension_name(note["dimension"], lang),
                "acted_on": date.fromisoformat(note["acted_on"]),
                "quarter": quarter,
                "line": line,
            }
        )
    return shown


def get_ward_or_404(code: str) -> dict:
    """Return the ward of a code, or the friendly 404 page."""
    ward = units.get_ward(get_db(), code[:12])
    if ward is None:
        abort(404)
    return ward


@bp.get("/<ward_code>")
@bp.get("/<ward_code>/<period>")
def ward(ward_code, period=None):
    """Show a ward's results of the latest published quarter (or of the one asked for)."""
    db = get_db()
    found = get_ward_or_404(ward_code)
    current = publishing.in_force(db, found["province_code"], period[:12] if period else None)
    if current is None and period is not None:
        abort(404)
    if current is None:
        return _serve(
            _key(None, notes.version(db, found["code"])),
            lambda: render_template(
                "public/ward.html",
                ward=found,
                pub=None,
                notes=_notes(found),
                page_url=_page_url(),
            ),
        )

    def draw():
        publication = publishing.get_publication(db, current[0])
        before = publishing.previous(db, publication)
        return render_template(
            "public/ward.html",
            ward=found,
            notes=_notes(found),
            pub=publication,
            entry=publication["snapshot"]["wards"].get(found["code"]) or {},
            lines=present.lines(publication, found["code"], before, current_locale()),
            period_name=present.period_name(publication["period"]),
            baseline=publication["snapshot"].get("baseline"),
            published=local_day(publication["published_at"]),
            min_answers=publishing.MIN_WARD_ANSWERS,
            page_url=_page_url(),
        )

    # The page shows earlier quarters too (the change since the last one, a note's figure):
    # a correction of any quarter of the province must change the key, not only a new one.
    newest = publishing.last_id(db, found["province_code"])
    return _serve(_key(current[0], newest, notes.version(db, found["code"])), draw)


@bp.get("/anh/<int:note_id>.jpg")
def photo(note_id):
    """Send the photo of an approved note (re-encoded on upload, without metadata)."""
    data = notes.public_photo(get_db(), note_id)
    if data is None:
        abort(404)
    response = make_response(data)
    response.headers["Content-Type"] = "image/jpeg"
    # Asked again each time (304 while unchanged): a note withdrawn later takes its photo along.
    response.headers["Cache-Control"] = "public, no-cache"
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/")
def index():
    """List the provinces with published results, searchable without diacritics."""
    db = get_db()
    query = request.args.get("q", "")[:SEARCH_MAX].strip()

    def draw():
        words = units.fold(query).split()
        found = [
            {**p, "period_name": present.period_name(publishing.in_force(db, p["code"])[1])}
            for p in units.list_provinces(db, publishing.published_provinces(db))
            if all(word in units.fold(p["name"]) for word in words)
        ]
        return render_template(
            "public/index.html",
            provinces=found,
            query=query,
            page_url=_page_url(),
            switch_args={"q": query},
        )

    return _serve(None if query else _key(publishing.last_id(db)), draw)


@bp.get("/tinh/<province_code>")
def province(province_code):
    """List the wards of a province with published results, searchable without diacritics."""
    db = get_db()
    found = units.get_province(db, province_code[:4])
    if found is None:
        abort(404)
    current = publishing.in_force(db, found["code"])
    query = request.args.get("q", "")[:SEARCH_MAX].strip()

    def draw():
        wards = []
        if current is not None:
            publication = publishing.get_publication(db, current[0])
            shown = {
                code for code, w in publication["snapshot"]["wards"].items() if w.get("enough")
            }
            wards = [
                w
                for w in units.search_wards(db, query, *access.within_province(found["code"]), 5000)
                if w["code"] in shown
            ]
        return render_template(
            "public/province.html",
            province=found,
            wards=wards,
            query=query,
            period_name=present.period_name(current[1]) if current else None,
            page_url=_page_url(),
            switch_args={"q": query},
        )

    return _serve(None if query else _key(current[0] if current else None), draw)


@bp.get("/cach-tinh")
def method():
    """Explain in plain words how the published figures are made."""
    return _serve(
        _key(),
        lambda: render_template(
            "public/method.html",
            min_answers=publishing.MIN_WARD_ANSWERS,
            min_effective=int(MIN_N_EFF),
            page_url=_page_url(),
        ),
    )
