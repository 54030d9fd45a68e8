"""Weigh every citizen page as a phone receives it: HTML with inline CSS, raw and gzip-compressed.

Usage: python bench/page_weight.py
Walks the questionnaire through the test client with every module drawn (so every page is
weighed), in Vietnamese, and prints each page's bytes; the budget is 14,600 B compressed.
"""

import gzip
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "citizen")]

from citizen_helpers import answer_page, everything, page_path  # noqa: E402
from factories import make_point  # noqa: E402

# Ten TCP segments of 1460 B, the initial congestion window of RFC 6928: one round trip.
BUDGET = 14_600
# A slow 3G link as Chrome's throttling preset defines it: 400 kbit/s down, 400 ms latency.
SLOW_3G_BYTES_PER_SECOND, SLOW_3G_LATENCY = 400_000 / 8, 0.4


def weigh(name: str, body: bytes, rows: list) -> None:
    """Record one page's raw and compressed size."""
    rows.append((name, len(body), len(gzip.compress(body, compresslevel=6))))


def main() -> None:
    """Walk every citizen page and print the table."""
    os.environ["PAPI_PULSE_INSTANCE"] = tempfile.mkdtemp()
    import survey.responses
    from survey import create_app
    from survey.webdb import open_db

    survey.responses.choose_modules = lambda q, counts: [m.id for m in q.modules]
    app = create_app({"WTF_CSRF_ENABLED": False, "SECRET_KEY": "w" * 40})
    point = make_point(open_db(app))
    client = app.test_client()
    headers = {"Accept-Language": "vi", "Accept-Encoding": "gzip"}
    rows: list = []
    weigh("welcome", client.get(f"/s/{point['token']}", headers=headers).data, rows)
    weigh("privacy", client.get("/privacy", headers=headers).data, rows)
    location = client.post(f"/s/{point['token']}/start").headers["Location"]
    while "/thanks" not in location:
        page = client.get(location, headers=headers)
        weigh("page " + page_path(location).rsplit("/", 1)[1], page.data, rows)
        data = answer_page(page.text, everything)
        location = client.post(page_path(location), data=data).headers["Location"]
    weigh("thanks", client.get(location, headers=headers).data, rows)
    weigh("unknown token", client.get("/s/ZZZZZZZZZZZZZZ", headers=headers).data, rows)
    print(f"{'page':34} {'raw B':>8} {'gzip B':>8} {'slow 3G s':>10}")
    for name, raw, packed in rows:
        seconds = SLOW_3G_LATENCY + packed / SLOW_3G_BYTES_PER_SECOND
        mark = "" if packed <= BUDGET else "  OVER BUDGET"
        print(f"{name:34} {raw:8,} {packed:8,} {seconds:10.2f}{mark}")
    print(f"heaviest compressed: {max(r[2] for r in rows):,} B (budget {BUDGET:,} B)")


if __name__ == "__main__":
    main()
