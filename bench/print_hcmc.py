"""Benchmark: the print document of all 168 wards of Ho Chi Minh City, as HTML and as PDF.

Builds a temporary instance, loads the administrative units, creates one collection point per
ward of Ho Chi Minh City (province code 79), signs in as an administrator and fetches
``/staff/provinces/79/posters`` through the app (so scope checks, templates and translations
are included), for each size and language. Prints the time and size of each result.

    .venv/bin/python bench/print_hcmc.py [--repeat 3]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from survey import accounts, create_app, points, units  # noqa: E402
from survey.webdb import open_db  # noqa: E402

HCMC = "79"
CASES = [("a4", "vi"), ("a4", "bilingual"), ("a5", "vi"), ("tent", "bilingual")]


def build(instance: str):
    """Return an app on a fresh instance with one point per HCMC ward, and an admin's id."""
    os.environ["PAPI_PULSE_INSTANCE"] = instance
    app = create_app(
        {
            "SECRET_KEY": "bench-secret-key-0123456789abcdef0123",
            "BASE_URL": "https://khaosat.hochiminhcity.gov.vn",
        }
    )
    db = open_db(app)
    try:
        units.load_units(db)
        wards = [
            row[0]
            for row in db.execute(
                "SELECT code FROM wards WHERE province_code = ? ORDER BY code", [HCMC]
            )
        ]
        for code in wards:
            points.create_point(db, code, "Bộ phận Tiếp nhận và Trả kết quả", "one_stop")
        admin = accounts.create_user(db, "bench.admin", "bench-password-0123", "administrator")
    finally:
        db.close()
    return app, admin, len(wards)


def fetch(client, url: str, repeat: int) -> tuple[float, float, bytes]:
    """Return the seconds of the first GET of url, the median of repeat GETs, the body."""
    times, body = [], b""
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        body = response.data
    return times[0], statistics.median(times), body


def main() -> None:
    """Run the benchmark and print one line per document."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as instance:
        app, admin, wards = build(instance)
        client = app.test_client()
        with client.session_transaction() as session:
            session.update(
                user_id=admin["id"], version=accounts.session_version(admin), login_at=time.time()
            )
        print(f"Ho Chi Minh City: {wards} wards, one poster each. 'first' is the first request")
        print("(the very first one draws all 168 QR codes, later ones reuse them from the cache);")
        print(f"'median' is over {args.repeat} requests.")
        print("doc  size lang         first   median        size")
        for size, lang in CASES:
            for fmt in ("html", "pdf"):
                url = f"/staff/provinces/{HCMC}/posters?size={size}&lang={lang}&format={fmt}"
                first, seconds, body = fetch(client, url, args.repeat)
                print(
                    f"{fmt.upper():4} {size:4} {lang:9}  {first:6.2f} s {seconds:6.2f} s  "
                    f"{len(body) / 1024:8.0f} KiB  ({len(body) / wards / 1024:.1f} KiB a page)"
                )


if __name__ == "__main__":
    main()
