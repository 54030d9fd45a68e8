"""How a citizen's state travels between pages: the draft in a cookie, a hidden field and the URL.

Request-side glue around survey/citizen/draft.py, so that the views stay short. In-app browsers
sometimes drop cookies, so a draft is read from all three places (the newest wins) and, when
no draft cookie came back or the draft is too big for one, the redirect carries it in its URL.
An explicit language choice rides along in the same way.
"""

from flask import current_app, redirect, request, url_for

from survey.citizen import draft as drafts
from survey.citizen import forgery, guard
from survey.i18n import offered, posted_lang

# Beyond this a cookie may be dropped by the browser (4 KB per cookie, name included).
COOKIE_LIMIT = 3800
# Posted fields that are not answers, never kept as typed values.
CONTROL_FIELDS = ("csrf_token", forgery.FIELD, "state", "action", "lang", guard.HONEYPOT_FIELD)
# Typed values kept for a page sent with mistakes: far above what the page's inputs allow
# (text areas stop at 500 characters), so only a forged post is cut.
TYPED_FIELDS, TYPED_VALUES, TYPED_LENGTH = 40, 20, 2000


def current_draft(token: str) -> drafts.Draft | None:
    """Return the newest draft among the cookie, the hidden field and the URL."""
    secret, age = current_app.config["SECRET_KEY"], current_app.config["DRAFT_MAX_AGE_SECONDS"]
    sources = (
        request.cookies.get(drafts.cookie_name(token)),
        request.form.get("state"),
        request.args.get("d"),
    )
    # The cookie and the hidden field usually carry the same signed string: check it once.
    found = [drafts.load(source, secret, token, age) for source in dict.fromkeys(sources)]
    return drafts.newest(*found)


def sign(draft: drafts.Draft, token: str) -> str:
    """Return the signed draft of a point."""
    return drafts.dump(draft, current_app.config["SECRET_KEY"], token)


def has_cookie(token: str) -> bool:
    """Tell whether the browser sent the point's draft cookie back (so cookies work)."""
    return request.cookies.get(drafts.cookie_name(token)) is not None


def go(point, draft, page_id, lang=None, cookie=True, signed=None):
    """Save the draft and redirect to a page; carry the draft in the URL if cookies fail.

    ``cookie=False`` leaves the draft cookie as it is: the draft then rides in the URL only.
    """
    token = point["token"]
    signed = signed or sign(draft, token)
    args = {"lang": lang} if lang else lang_arg()
    # Before the first page we cannot know whether cookies work, so the draft rides along.
    if not (cookie and has_cookie(token)) or len(signed) > COOKIE_LIMIT:
        args["d"] = signed
    response = redirect(url_for("citizen.answer", token=token, page_id=page_id, **args), 303)
    if cookie:
        keep_draft(response, token, signed)
    return response


def keep_draft(response, token, signed):
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


def typed() -> dict[str, list[str]]:
    """Return the posted fields that are not control fields, cut to a sane size."""
    names = [name for name in request.form if name not in CONTROL_FIELDS][:TYPED_FIELDS]
    return {
        name: [value[:TYPED_LENGTH] for value in request.form.getlist(name)[:TYPED_VALUES]]
        for name in names
    }


def lang_arg() -> dict:
    """Return ``{"lang": ...}`` when the language was chosen explicitly in the URL or form."""
    lang = request.args.get("lang") or posted_lang()
    return {"lang": lang} if lang in offered() else {}
