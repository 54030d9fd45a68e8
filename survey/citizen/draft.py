"""A half-finished questionnaire, kept on the citizen's phone, never on the server.

The draft (response id, questionnaire version, modules shown, answers so far, start time)
is signed with the app's secret and bound to the collection point's token. It travels in a
cookie and, because in-app browsers sometimes drop cookies, also in a hidden field of every
page and, after a cookie-less submit, in the redirect URL. Nothing is stored until the last
page is sent.
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

    @classmethod
    def start(cls, questionnaire_id: str, version: int, modules: list[str]) -> "Draft":
        """Return a fresh draft with a new unique response id."""
        return cls(uuid.uuid4().hex, questionnaire_id, version, list(modules), time.time())


def _serializer(secret_key: str, token: str) -> URLSafeTimedSerializer:
    """Return the signer for drafts of one collection point."""
    return URLSafeTimedSerializer(secret_key, salt=f"papi-pulse-draft:{token}")


def dump(draft: Draft, secret_key: str, token: str) -> str:
    """Sign and compress a draft into a URL-safe string."""
    return _serializer(secret_key, token).dumps(asdict(draft))


def load(signed: str | None, secret_key: str, token: str, max_age: int) -> Draft | None:
    """Return the draft in a signed string, or None when missing, forged, expired or malformed."""
    if not signed or len(signed) > 16_000:
        return None
    try:
        data = _serializer(secret_key, token).loads(signed, max_age=max_age)
        draft = Draft(**data)
    except (BadSignature, TypeError, ValueError, UnicodeError):
        return None
    if not isinstance(draft.answers, dict) or not isinstance(draft.modules, list):
        return None
    return draft


def newest(*drafts: Draft | None) -> Draft | None:
    """Return the draft saved most often among those given (the most recent state)."""
    found = [d for d in drafts if d is not None]
    if not found:
        return None
    return max(found, key=lambda d: d.saves)


def cookie_name(token: str) -> str:
    """Return the name of the draft cookie of one collection point."""
    return f"draft_{token}"
