"""Rendered copies of the public pages, kept per worker until the next publication.

A link shared in a group chat can be opened thousands of times in an hour. The public pages
are made from a publication's snapshot only, so a rendered page depends on nothing but the
publication in force (and the one before it), the page and the language: those are the key,
and a new publication changes the key, in this worker and every other one, since each reads
the id of the publication in force (one indexed query) before looking here. ``clear`` is
called on publishing too, so that this worker frees the old copies at once.

The page's CSP nonce changes on every request: a copy is rendered with a marker in its place,
and the marker is replaced by the request's nonce when the copy is served.
"""

import secrets
import threading
from collections import OrderedDict

# A province has at most a few hundred wards, in two languages: enough for the busiest ones.
MAX_ENTRIES = 512
# The marker rendered where the nonce goes: random per process, so no page text can forge it.
NONCE_MARKER = "nonce" + secrets.token_hex(8)

_copies: OrderedDict = OrderedDict()
_lock = threading.Lock()


def get(key) -> str | None:
    """Return the rendered copy for a key, or None."""
    with _lock:
        found = _copies.get(key)
        if found is not None:
            _copies.move_to_end(key)
        return found


def put(key, html: str) -> None:
    """Keep a rendered copy, dropping the least recently used beyond MAX_ENTRIES."""
    with _lock:
        _copies[key] = html
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
