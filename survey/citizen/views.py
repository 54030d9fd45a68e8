"""The citizen's pages: welcome at ``/s/<token>``, question pages, thank-you.

No JavaScript is needed. CSRF is checked here rather than by the app-wide hook, so that an
expired token (a phone locked for hours) keeps the answers and just asks to press again.
"""

import math
import time

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_wtf.csrf import ValidationError, validate_csrf

from survey import csrf, points, responses
from survey.citizen import draft as drafts
from survey.citizen import flow, guard, readback
from survey.citizen.forms import validate_page
from survey.i18n import current_locale, posted_lang
from survey.questionnaire import get as get_questionnaire
from survey.questionnaire import latest
from survey.questionnaire.logic import prune
from survey.questionnaire.timing import minutes_range
from survey.webdb import get_db

bp = Blueprint("citizen", __name__)
csrf.exempt(bp)

# Beyond this a cookie may be dropped by the browser (4 KB per cookie, name included).
COOKIE_LIMIT = 3800


def get_point_or_404(token: str) -> dict:
    """Return the active point of a token, or end with a friendly 404 page saying why."""
    point, status = points.find_by_token(get_db(), token)
    if status != "active":
        abort(make_response(render_template("citizen/unavailable.html", status=status), 404))
    return point


def active_questionnaire():
    """Return the questionnaire new respondents get."""
    return latest(current_app.config.get("QUESTIONNAIRE", "papi-pulse-core"))


def current_draft(token: str) -> drafts.Draft | None:
    """Return the newest draft among the cookie, the hidden field and the URL."""
    secret, age = current_app.config["SECRET_KEY"], current_app.config["DRAFT_MAX_AGE_SECONDS"]
    found = [
        drafts.load(source, secret, token, age)
        for source in (
            request.cookies.get(drafts.cookie_name(token)),
            request.form.get("state"),
            request.args.get("d"),
        )
    ]
    return drafts.newest(*found)


@bp.get("/S/<token>")
def welcome_upper(token):
    """Accept the all-capitals URL that QR codes encode compactly."""
    return redirect(url_for("citizen.welcome", token=token, **_lang_arg()), 301)


@bp.get("/s/<token>")
def welcome(token):
    """Show who asks, why, how long, the anonymity promise, and the start button."""
    point = get_point_or_404(token)
    if token != point["token"]:
        return redirect(url_for("citizen.welcome", token=point["token"], **_lang_arg()), 301)
    questionnaire = active_questionnaire()
    draft = current_draft(point["token"])
    resume = None
    if draft and draft.answers:
        resume = flow.first_incomplete(*_route_args(draft))
    return render_template(
        "citizen/welcome.html",
        point=point,
        questionnaire=questionnaire,
        minutes=minutes_range(questionnaire),
        resume=resume,
        lost=request.args.get("lost") == "1",
        answered=guard.answered_here(point),
    )


@bp.post("/s/<token>/start")
def start(token):
    """Begin a new questionnaire: draw the modules and go to the first page."""
    point = get_point_or_404(token)
    if not _csrf_ok() or (guard.answered_here(point) and not request.form.get("someone_else")):
        return redirect(url_for("citizen.welcome", token=point["token"], **_lang_arg()), 303)
    verdict = guard.allowed("start", point)
    if not verdict.allowed:
        return _busy(point, verdict, back=None)
    questionnaire = active_questionnaire()
    modules = responses.assign_modules(get_db(), questionnaire)
    draft = drafts.Draft.start(questionnaire.id, questionnaire.version, modules)
    first = flow.route(questionnaire, modules, {})[0]
    return _go(point, draft, first.id)


@bp.route("/s/<token>/p/<page_id>", methods=["GET", "POST"])
def answer(token, page_id):
    """Show one page of questions, or take its answers and move on."""
    point = get_point_or_404(token)
    draft = current_draft(point["token"])
    if draft is None:
        if request.method == "POST":
            return render_template(
                "citizen/welcome.html",
                point=point,
                questionnaire=active_questionnaire(),
                lost=True,
                minutes=minutes_range(active_questionnaire()),
            ), 400
        return redirect(
            url_for("citizen.welcome", token=point["token"], lost=1, **_lang_arg()), 303
        )
    questionnaire, modules = _route_args(draft)[:2]
    pages = flow.route(questionnaire, modules, draft.answers, page_id)
    page = next((p for p in pages if p.id == page_id), None)
    if page is None:
        abort(404)
    if request.method == "GET":
        return _render_page(point, draft, pages, page, values=draft.answers, errors={})
    return _take_answers(point, draft, questionnaire, pages, page)


def _take_answers(point, draft, questionnaire, pages, page):
    """Validate the posted page; save and move on, or show the errors with answers kept."""
    visible = [item for item in page.items if flow.is_shown(item, draft.answers)]
    answers, errors, raw = validate_page(page, visible, request.form)
    action = request.form.get("action", "next")
    if action.startswith("lang:"):
        _merge(draft, questionnaire, visible, answers, keep_missing=True)
        return _go(point, draft, page.id, lang=action[5:])
    if not _csrf_ok():
        message = _(
            "This page was open for a long time. Your answers are kept: "
            "please check them and press the button again."
        )
        return _render_page(
            point, draft, pages, page, values=raw, errors={}, notice=message, status=400
        )
    if errors:
        return _render_page(point, draft, pages, page, values=raw, errors=errors, status=400)
    _merge(draft, questionnaire, visible, answers)
    following = flow.next_page(questionnaire, draft.modules, draft.answers, page.id)
    if following is not None:
        return _go(point, draft, following.id)
    missing = flow.first_incomplete(questionnaire, draft.modules, draft.answers)
    if missing is not None:
        return _go(point, draft, missing.id)
    return _finish(point, draft, questionnaire, page)


def _merge(draft, questionnaire, visible, answers, keep_missing=False):
    """Put a page's valid answers into the draft and drop answers that are now hidden."""
    for item in visible:
        if item.id in answers:
            draft.answers[item.id] = answers[item.id]
        elif not keep_missing:
            draft.answers.pop(item.id, None)
    draft.answers = prune(questionnaire, draft.answers)
    draft.saves += 1


def _finish(point, draft, questionnaire, page):
    """Store the finished response (masked, flagged) in one transaction; thank the citizen."""
    verdict = guard.allowed("finish", point)
    if not verdict.allowed:
        return _too_many(point, draft, page, verdict)
    now = time.time()
    record = {
        "id": draft.response_id,
        "point_id": point["id"],
        "ward_code": point["ward_code"],
        "province_code": point["province_code"],
        "questionnaire_id": draft.questionnaire_id,
        "questionnaire_version": draft.version,
        "modules": draft.modules,
        "answers": draft.answers,
        "locale": current_locale(),
        "started_at": responses.iso_from_epoch(draft.started_at),
        "submitted_at": responses.iso_from_epoch(now),
        "duration_seconds": max(0, round(now - draft.started_at)),
    }
    responses.store_response(get_db(), guard.checked_record(questionnaire, point, record))
    response = redirect(url_for("citizen.thanks", token=point["token"], **_lang_arg()), 303)
    response.delete_cookie(drafts.cookie_name(point["token"]), path="/")
    guard.mark_answered(response, point)
    return response


def _too_many(point, draft, page, verdict):
    """Say politely that too many answers came from this network; keep the draft to resend."""
    signed = drafts.dump(draft, current_app.config["SECRET_KEY"], point["token"])
    back = url_for("citizen.answer", token=point["token"], page_id=page.id, d=signed, **_lang_arg())
    response = _busy(point, verdict, back)
    _keep_draft(response, point["token"], signed)
    return response


def _busy(point, verdict, back):
    """Return the 429 page saying how long to wait before trying again."""
    minutes = max(1, math.ceil(verdict.retry_after / 60))
    body = render_template("citizen/busy.html", point=point, back=back, minutes=minutes)
    response = make_response(body, 429)
    response.headers["Retry-After"] = str(verdict.retry_after)
    return response


def _keep_draft(response, token, signed):
    """Put the signed draft in its cookie, unless it is too big for one."""
    if len(signed) <= COOKIE_LIMIT:
        response.set_cookie(
            drafts.cookie_name(token),
            signed,
            path="/",
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
            max_age=current_app.config["DRAFT_MAX_AGE_SECONDS"],
        )


@bp.get("/s/<token>/thanks")
def thanks(token):
    """Thank the citizen and say when and where results are published."""
    point = get_point_or_404(token)
    return render_template("citizen/thanks.html", point=point)


@bp.get("/privacy")
def privacy():
    """Show the privacy notice in plain words (naming the organiser when reached from a point)."""
    token = request.args.get("from", "")
    point, status = points.find_by_token(get_db(), token) if token else (None, "unknown")
    return render_template(
        "citizen/privacy.html", token=token, point=point if status == "active" else None
    )


def _go(point, draft, page_id, lang=None):
    """Save the draft and redirect to a page; carry the draft in the URL if cookies fail."""
    token = point["token"]
    signed = drafts.dump(draft, current_app.config["SECRET_KEY"], token)
    args = {"lang": lang} if lang else _lang_arg()
    # Before the first page we cannot know whether cookies work, so the draft rides along.
    cookie_works = request.cookies.get(drafts.cookie_name(token)) is not None
    if not cookie_works or len(signed) > COOKIE_LIMIT:
        args["d"] = signed
    response = redirect(url_for("citizen.answer", token=token, page_id=page_id, **args), 303)
    _keep_draft(response, token, signed)
    return response


def _render_page(point, draft, pages, page, values, errors, notice=None, status=200):
    """Render one question page with its values, errors and progress."""
    questionnaire, modules = _route_args(draft)[:2]
    visible = [item for item in page.items if flow.is_shown(item, draft.answers)]
    previous = flow.previous_page(questionnaire, modules, draft.answers, page.id)
    signed = drafts.dump(draft, current_app.config["SECRET_KEY"], point["token"])
    # The summary names each question: three identical "Choose an answer." links say nothing.
    lang = current_locale()
    error_list = [
        (_anchor(item), f"{item.text(lang)} {errors[item.id]}")
        for item in visible
        if item.id in errors
    ]
    body = render_template(
        "citizen/page.html",
        point=point,
        page=page,
        items=visible,
        values=values,
        errors=errors,
        error_list=error_list,
        notice=notice,
        number=pages.index(page) + 1,
        total=len(pages),
        previous=previous,
        state=signed,
        is_last=page is pages[-1],
        honeypot_field=guard.HONEYPOT_FIELD,
        readbacks=readback.previous_page(previous, draft.answers),
    )
    return body, status


def _anchor(item) -> str:
    """Return the id of the first control of an item, the target of its error link."""
    if item.type in ("integer", "text"):
        return item.id
    first = "1" if item.type == "likert5" else "0" if item.type == "rating10" else None
    return f"{item.id}-{first or item.options[0].code}"


def _route_args(draft):
    """Return (questionnaire, modules, answers) of a draft; a retired version restarts."""
    try:
        questionnaire = get_questionnaire(draft.questionnaire_id, draft.version)
    except KeyError:
        abort(404)
    return questionnaire, draft.modules, draft.answers


def _csrf_ok() -> bool:
    """Tell whether the posted CSRF token is valid (always, when CSRF is switched off)."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return True
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return False
    return True


def _lang_arg() -> dict:
    """Return ``{"lang": ...}`` when the language was chosen explicitly in the URL."""
    lang = request.args.get("lang") or posted_lang()
    return {"lang": lang} if lang in ("vi", "en") else {}
