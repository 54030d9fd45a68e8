"""Rendered copies of the public pages, kept per worker until the next publication.

A link shared in a group chat can be opened thousands of times in an hour. The public pages
are made from a publication's snapshot only, so a rendered page depends on nothing but the
publication in force (and the ones before it), the page and the language: those are the key,
and a new publication changes the key, in this worker and every other one, since each reads
the id of the publication in force and of the province's newest one (a correction of an
earlier quarter too; indexed queries) before looking here. ``clear`` is
called on publishing too, so that this worker frees the old copies at once.

A copy is byte-for-byte the same every time it is served, so that a browser (or a proxy) can
keep it and ask again with its ETag, and be answered 304 with no body. Its CSP nonce is
therefore the copy's own, not the request's: a 304 carries the nonce of the copy the browser
kept (Chromium replaces a stored page's Content-Security-Policy with the 304's), so a nonce
made per request would block the kept copy's styles. The page is drawn with a marker where
the nonce goes, and the nonce is an HMAC of that drawn page under the app's secret key: the
same in every worker (so a copy from one worker revalidates against another), and unknown to
anyone who wrote text into the page, since the text was fixed before the nonce was made. The
HMAC key is derived from the secret key for this one purpose (NONCE_PURPOSE).
"""

import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass

# A province has at most a few hundred wards, in two languages: enough for the busiest ones.
MAX_ENTRIES = 512
# The marker drawn where the nonce goes: random per process, so no page text can forge it.
# Replaced before the copy's ETag and nonce are computed from the drawn page, so the ETag
# does not depend on which worker drew it.
NONCE_MARKER = "nonce" + secrets.token_hex(8)
_STABLE_MARKER = "\x00nonce\x00"
NONCE_PURPOSE = b"papi-pulse: CSP nonce of a public page copy"

_copies: OrderedDict = OrderedDict()
_lock = threading.Lock()


@dataclass(frozen=True)
class Copy:
    """A rendered page as served: its HTML, its own CSP nonce, and its ETag."""

    html: str
    nonce: str
    etag: str


def make(drawn: str, secret: str | bytes) -> Copy:
    """Return the copy of a page drawn with NONCE_MARKER, with its nonce and ETag filled in."""
    stable = drawn.replace(NONCE_MARKER, _STABLE_MARKER).encode()
    key = secret.encode() if isinstance(secret, str) else secret
    # A key of its own, derived from the secret: the secret key also signs sessions, and no
    # HMAC made here over page text should be one that any other use of the key would accept.
    key = hmac.new(key, NONCE_PURPOSE, hashlib.sha256).digest()
    nonce = hmac.new(key, stable, hashlib.sha256).hexdigest()[:32]
    html = drawn.replace(NONCE_MARKER, nonce)
    # 128 bits of the page's hash: the ETag changes whenever a byte of the page does.
    return Copy(html, nonce, hashlib.sha256(html.encode()).hexdigest()[:32])


def get(key) -> Copy | None:
    """Return the rendered copy for a key, or None."""
    with _lock:
        found = _copies.get(key)
        if found is not None:
            _copies.move_to_end(key)
        return found


def put(key, copy: Copy) -> None:
    """Keep a rendered copy, dropping the least recently used beyond MAX_ENTRIES."""
    with _lock:
        _copies[key] = copy
        while len(_copies) > MAX_ENTRIES:
            _copies.popitem(last=False)


def clear() -> None:
    """Forget every rendered copy (on publishing, and in tests)."""
    with _lock:
        _copies.clear()


def size() -> int:
    """Return how many copies are kept."""
    with _lock:
        return len(_copies)
