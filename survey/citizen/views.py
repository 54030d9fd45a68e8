"""The citizen's pages: welcome at ``/s/<token>``, question pages, thank-you.

No JavaScript is needed. CSRF is checked here (survey/citizen/forgery.py) rather than by the
app-wide hook, so that an expired token (a phone locked for hours) keeps the answers and just
asks to press again, and so that a browser that refuses cookies can still answer. Every POST
answers with a redirect (Post/Redirect/Get), mistakes included: Back and reload always fetch
a page, never a POST result.
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
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from survey import points, responses, unit_names
from survey.citizen import carry, flow, forgery, guard, readback
from survey.citizen import draft as drafts
from survey.citizen.forms import validate_page
from survey.db import immediate
from survey.i18n import current_locale
from survey.questionnaire import get as get_questionnaire
from survey.questionnaire import placewords
from survey.questionnaire.logic import prune
from survey.questionnaire.timing import minutes_range
from survey.questionnaires import current_questionnaire
from survey.security import csrf
from survey.webdb import get_db

bp = Blueprint("citizen", __name__)
csrf.exempt(bp)

# What a page sent without a valid CSRF token says (survey/citizen/forgery.py), by reason.
NOTICES = {
    "expired": _l(
        "This page was open for a long time. Your answers are kept: "
        "please check them and press the button again."
    ),
    "cookies": _l(
        "Your browser is blocking cookies, so this page could not be sent. Your answers are "
        "kept: please allow cookies for this site, then press the button again."
    ),
}


def get_point_or_404(token: str) -> dict:
    """Return the active point of a token, or end with a friendly 404 page saying why."""
    point, status = points.find_by_token(get_db(), token)
    if status != "active":
        abort(make_response(render_template("citizen/unavailable.html", status=status), 404))
    return point


@bp.get("/S/<token>")
def welcome_upper(token):
    """Accept the all-capitals URL that QR codes encode compactly."""
    return redirect(url_for("citizen.welcome", token=token, **carry.lang_arg()), 301)


@bp.get("/s/<token>")
def welcome(token):
    """Show who asks, why, how long, the anonymity promise, and the start button."""
    point = get_point_or_404(token)
    if token != point["token"]:
        return redirect(url_for("citizen.welcome", token=point["token"], **carry.lang_arg()), 301)
    questionnaire = current_questionnaire()
    draft = carry.current_draft(point["token"])
    resume = None
    if draft and draft.answers:
        resume = flow.first_incomplete(*_route_args(draft))
    answered = guard.answered_here(point)
    return render_template(
        "citizen/welcome.html",
        point=point,
        questionnaire=questionnaire,
        minutes=minutes_range(questionnaire),
        resume=resume,
        # After "this phone already answered", "your answers were lost" would contradict it.
        lost=request.args.get("lost") == "1" and not answered,
        problem=request.args.get("problem") if request.args.get("problem") in NOTICES else None,
        answered=answered,
        point_token=forgery.point_token(point["token"]),
    )


@bp.post("/s/<token>/start")
def start(token):
    """Begin a new questionnaire: draw the modules and go to the first page."""
    point = get_point_or_404(token)
    verdict = forgery.verdict(point["token"])
    if verdict != "ok":
        return redirect(
            url_for("citizen.welcome", token=point["token"], problem=verdict, **carry.lang_arg()),
            303,
        )
    if guard.answered_here(point) and not request.form.get("someone_else"):
        return redirect(url_for("citizen.welcome", token=point["token"], **carry.lang_arg()), 303)
    limit = guard.allowed("start", point)
    if not limit.allowed:
        return _busy(point, limit, back=None)
    questionnaire = current_questionnaire()
    modules = responses.assign_modules(get_db(), questionnaire)
    draft = drafts.Draft.start(questionnaire.id, questionnaire.version, modules)
    first = flow.route(questionnaire, modules, {})[0]
    return carry.go(point, draft, first.id)


@bp.route("/s/<token>/p/<page_id>", methods=["GET", "POST"])
def answer(token, page_id):
    """Show one page of questions, or take its answers and move on."""
    point = get_point_or_404(token)
    draft = carry.current_draft(point["token"])
    if _already_sent(point, draft):
        return redirect(
            url_for("citizen.thanks", token=point["token"], again=1, **carry.lang_arg()), 303
        )
    if draft is None:
        return redirect(
            url_for("citizen.welcome", token=point["token"], lost=1, **carry.lang_arg()), 303
        )
    questionnaire, modules = _route_args(draft)[:2]
    pages = flow.route(questionnaire, modules, draft.answers, page_id)
    page = next((p for p in pages if p.id == page_id), None)
    if page is None:
        abort(404)
    if request.method == "GET":
        return _show(point, draft, pages, page)
    return _take_answers(point, draft, questionnaire, pages, page)


def _already_sent(point, draft) -> bool:
    """Tell whether this questionnaire was sent already (Back or a reload after the end)."""
    if draft is None:
        # The draft cookie is deleted when the answers are sent; the answered mark stays.
        return guard.answered_here(point)
    return responses.exists(get_db(), draft.response_id)


def _show(point, draft, pages, page):
    """Show a page with the saved answers, or with what was typed and its mistakes."""
    held = drafts.held(draft, page.id)
    if held is None:
        return _render_page(point, draft, pages, page, values=draft.answers, errors={})
    visible = [item for item in page.items if flow.is_shown(item, draft.answers)]
    # Validated again here, not stored: the messages follow the language of this request.
    _answers, errors, raw = validate_page(page, visible, MultiDict(held["form"]))
    if held["why"] != "invalid":
        return _render_page(point, draft, pages, page, raw, {}, notice=str(NOTICES[held["why"]]))
    return _render_page(point, draft, pages, page, values=raw, errors=errors)


def _take_answers(point, draft, questionnaire, pages, page):
    """Validate the posted page; save and move on, or keep what was typed and show it again."""
    visible = [item for item in page.items if flow.is_shown(item, draft.answers)]
    answers, errors, raw = validate_page(page, visible, request.form)
    action = request.form.get("action", "next")
    verdict = forgery.verdict(point["token"])
    if action.startswith("lang:"):
        draft.pending = None
        _merge(draft, questionnaire, visible, answers, keep_missing=True)
        return carry.go(point, draft, page.id, lang=action[5:], cookie=verdict == "ok")
    if verdict != "ok":
        # Not trusted enough to overwrite the draft cookie: the typed values ride in the URL.
        return _hold(point, draft, pages, page, verdict, raw, cookie=False)
    if errors:
        return _hold(point, draft, pages, page, "invalid", raw, errors=errors)
    draft.pending = None
    _merge(draft, questionnaire, visible, answers)
    following = flow.next_page(questionnaire, draft.modules, draft.answers, page.id)
    if following is not None:
        return carry.go(point, draft, following.id)
    missing = flow.first_incomplete(questionnaire, draft.modules, draft.answers)
    if missing is not None:
        return carry.go(point, draft, missing.id)
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
    """Count, flag and store the finished response in one durable transaction; thank them."""
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
    # Flags, masking, JSON and export cells first: the write lock is held only for SQL.
    prepared = responses.prepare(guard.checked_record(questionnaire, point, record))
    db = get_db()
    # One commit, so one fsync, per answer: the rate-limit count, the burst count and the
    # response are one BEGIN IMMEDIATE transaction (a refused answer writes nothing; a
    # repeated one is stored once and, rolled back with it, not counted twice).
    with immediate(db):
        verdict = guard.allowed("finish", point)
        if verdict.allowed:
            if guard.is_burst(point):
                prepared = prepared.with_flag("burst")
            responses.store_response(db, prepared)
    if not verdict.allowed:
        return _too_many(point, draft, page, verdict)
    response = redirect(url_for("citizen.thanks", token=point["token"], **carry.lang_arg()), 303)
    response.delete_cookie(drafts.cookie_name(point["token"]), path="/")
    guard.mark_answered(response, point)
    return response


def _hold(point, draft, pages, page, why, raw, errors=None, cookie=True):
    """Keep what was typed with the draft and redirect to the page, which shows it again."""
    drafts.hold(draft, page.id, carry.typed(), why)
    signed = carry.sign(draft, point["token"])
    if len(signed) > drafts.MAX_SIGNED:
        # Only a forged post types this much: answer it directly, as bad input.
        notice = None if why == "invalid" else str(NOTICES[why])
        return _render_page(point, draft, pages, page, raw, errors or {}, notice, status=400)
    return carry.go(point, draft, page.id, cookie=cookie, signed=signed)


def _too_many(point, draft, page, verdict):
    """Say politely that too many answers came from this network; keep the draft to resend."""
    signed = carry.sign(draft, point["token"])
    back = url_for(
        "citizen.answer", token=point["token"], page_id=page.id, d=signed, **carry.lang_arg()
    )
    response = _busy(point, verdict, back)
    carry.keep_draft(response, point["token"], signed)
    return response


def _busy(point, verdict, back):
    """Return the 429 page saying how long to wait before trying again."""
    minutes = max(1, math.ceil(verdict.retry_after / 60))
    body = render_template("citizen/busy.html", point=point, back=back, minutes=minutes)
    response = make_response(body, 429)
    response.headers["Retry-After"] = str(verdict.retry_after)
    return response


@bp.get("/s/<token>/thanks")
def thanks(token):
    """Thank the citizen and say when and where results are published."""
    point = get_point_or_404(token)
    unit = unit_names.Unit.of_point(point).full_name(current_locale())
    again = request.args.get("again")
    return render_template(
        "citizen/thanks.html",
        point=point,
        unit=unit,
        again=again,
        switch_args={"again": "1" if again else ""},
    )


@bp.get("/privacy")
def privacy():
    """Show the privacy notice in plain words (naming the organiser when reached from a point)."""
    point, status = points.find_by_token(get_db(), request.args.get("from", ""))
    point = point if status == "active" else None
    return render_template("citizen/privacy.html", point=point, back=_way_back(point))


@bp.context_processor
def privacy_link() -> dict:
    """Give citizen pages a privacy link that knows the page to come back to."""
    view_args = request.view_args or {}
    back = {"from": view_args.get("token"), "page": view_args.get("page_id")}
    back.update({name: request.args.get(name) for name in ("d", "lang")})
    if request.endpoint == "citizen.privacy":
        back = {name: request.args.get(name) for name in ("from", "page", "d", "lang")}
    args = {name: value for name, value in back.items() if value}
    return {"privacy_url": url_for("citizen.privacy", **args)}


def _way_back(point) -> str | None:
    """Return the survey page the privacy notice was opened from, or None when unknown."""
    if point is None:
        return None
    args = {name: request.args[name] for name in ("d", "lang") if request.args.get(name)}
    page = request.args.get("page")
    if page in {p.id for module in current_questionnaire().modules for p in module.pages}:
        return url_for("citizen.answer", token=point["token"], page_id=page, **args)
    return url_for("citizen.welcome", token=point["token"], **args)


def _render_page(point, draft, pages, page, values, errors, notice=None, status=200):
    """Render one question page with its values, errors and progress."""
    questionnaire, modules = _route_args(draft)[:2]
    # v2's texts name the point's own unit and the province's word for its villages.
    kind = unit_names.Unit.of_point(point).type or ""
    words = placewords.province_words(current_app.config, point["province_code"])
    local = placewords.localise_page(page, kind, words)
    visible = [item for item in local.items if flow.is_shown(item, draft.answers)]
    previous = flow.previous_page(questionnaire, modules, draft.answers, page.id)
    signed = carry.sign(draft, point["token"])
    # The summary names each question: three identical "Choose an answer." links say nothing.
    lang = current_locale()
    error_list = [
        (_anchor(item), f"{item.text(lang)} {errors[item.id]}")
        for item in visible
        if item.id in errors
    ]
    # Without a draft cookie, the in-page Back link must carry the draft itself.
    has_cookie = carry.has_cookie(point["token"])
    body = render_template(
        "citizen/page.html",
        point=point,
        page=local,
        items=visible,
        values=values,
        errors=errors,
        error_list=error_list,
        notice=notice,
        number=pages.index(page) + 1,
        total=len(pages),
        previous=previous,
        state=signed,
        carry=None if has_cookie else signed,
        point_token=forgery.point_token(point["token"]),
        is_last=page is pages[-1],
        honeypot_field=guard.HONEYPOT_FIELD,
        readbacks=readback.previous_page(previous, draft.answers),
    )
    return body, status


def _anchor(item) -> str:
    """Return the id of the first control of an item, the target of its error link."""
    if item.type in ("integer", "decimal", "text"):
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
