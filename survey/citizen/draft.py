"""A half-finished questionnaire, kept on the citizen's phone, never on the server.

The draft (response id, questionnaire version, modules shown, answers so far, start time)
is signed with the app's secret and bound to the collection point's token. It travels in a
cookie and, because in-app browsers sometimes drop cookies, also in a hidden field of every
page and, after a cookie-less submit, in the redirect URL. Nothing is stored until the last
page is sent.

A page sent with mistakes is not answered from the POST: what was typed goes into the draft
as ``pending`` and the browser is redirected to the page, which shows it again with the
errors. Back and reload then always fetch a page by GET, never a POST result that Chromium
can only offer to resubmit (Post/Redirect/Get).
"""

import time
import uuid
from dataclasses import asdict, dataclass, field

from itsdangerous import BadSignature, URLSafeTimedSerializer


@dataclass
class Draft:
    """The state of one citizen's questionnaire in progress."""

    response_id: str
    questionnaire_id: str
    version: int
    modules: list[str]
    started_at: float
    answers: dict = field(default_factory=dict)
    saves: int = 0
    # What was typed on a page sent with mistakes: {"page": id, "form": {name: [values]},
    # "why": "invalid" or "expired"}; None once the page is sent without mistakes.
    pending: dict | None = None

    @classmethod
    def start(cls, questionnaire_id: str, version: int, modules: list[str]) -> "Draft":
        """Return a fresh draft with a new unique response id."""
        return cls(uuid.uuid4().hex, questionnaire_id, version, list(modules), time.time())


# A longer signed string is refused on load: no real draft comes near it (a whole questionnaire
# answered is about 1 KB signed), and a bound keeps forged ones cheap to reject.
MAX_SIGNED = 16_000


def _serializer(secret_key: str, token: str) -> URLSafeTimedSerializer:
    """Return the signer for drafts of one collection point."""
    return URLSafeTimedSerializer(secret_key, salt=f"papi-pulse-draft:{token}")


def dump(draft: Draft, secret_key: str, token: str) -> str:
    """Sign and compress a draft into a URL-safe string."""
    return _serializer(secret_key, token).dumps(asdict(draft))


def load(signed: str | None, secret_key: str, token: str, max_age: int) -> Draft | None:
    """Return the draft in a signed string, or None when missing, forged, expired or malformed."""
    if not signed or len(signed) > MAX_SIGNED:
        return None
    try:
        data = _serializer(secret_key, token).loads(signed, max_age=max_age)
        draft = Draft(**data)
    except (BadSignature, TypeError, ValueError, UnicodeError):
        return None
    if not isinstance(draft.answers, dict) or not isinstance(draft.modules, list):
        return None
    if draft.pending is not None and not _pending_ok(draft.pending):
        draft.pending = None
    return draft


def _pending_ok(pending) -> bool:
    """Tell whether a draft's pending page has the shape that ``hold`` gives it."""
    return (
        isinstance(pending, dict)
        and isinstance(pending.get("page"), str)
        and isinstance(pending.get("form"), dict)
        and all(
            isinstance(values, list) and all(isinstance(v, str) for v in values)
            for values in pending["form"].values()
        )
    )


def hold(draft: Draft, page_id: str, form: dict[str, list[str]], why: str) -> None:
    """Keep what was typed on a page sent with mistakes, to show it again after the redirect."""
    draft.pending = {"page": page_id, "form": form, "why": why}
    draft.saves += 1


def held(draft: Draft, page_id: str) -> dict | None:
    """Return the pending typed values of a page, or None when it has none."""
    if draft.pending and draft.pending["page"] == page_id:
        return draft.pending
    return None


def newest(*drafts: Draft | None) -> Draft | None:
    """Return the draft saved most often among those given (the most recent state)."""
    found = [d for d in drafts if d is not None]
    if not found:
        return None
    return max(found, key=lambda d: d.saves)


def cookie_name(token: str) -> str:
    """Return the name of the draft cookie of one collection point."""
    return f"draft_{token}"
