"""Benchmark: the leadership outputs on a generated instance (bench/generate.py).

    .venv/bin/python bench/generate.py --instance DIR --responses 1000000 --seed 1
    .venv/bin/python bench/leadership.py --instance DIR [--period 2026-Q4] [--ward CODE]

Loads DIR/margins.csv if no margin set is in force, signs in as an analyst through the test
client (so scope checks, templates and translations count) and prints: the Ho Chi Minh City
province overview's time to first byte (cold, then warm from the per-worker cache) and its
page weight raw and gzip; a ward's estimates page time (with its wards-like-it comparison);
the trend pages of the province and the ward (eight quarters, both questionnaire versions);
and the time of `papi-pulse report province 79` (total and per PDF: the province, its
overview and one per ward) with the process's peak memory.
"""

import argparse
import gzip
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.analystlib import analyst_client  # noqa: E402

HCMC = "79"


def timed(client, url: str) -> tuple[float, bytes]:
    """Return the seconds to the first byte of a GET and the whole body."""
    start = time.perf_counter()
    response = client.get(url, buffered=False)
    chunks = iter(response.response)
    first = next(chunks, b"")
    ttfb = time.perf_counter() - start
    body = first + b"".join(chunks)
    response.close()
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")
    return ttfb, body


def main() -> None:
    """Run the benchmark and print one line per figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instance", required=True, type=Path)
    parser.add_argument("--period", default="2026-Q4")
    parser.add_argument("--ward", default="26743", help="ward code (default Phường Bến Thành)")
    args = parser.parse_args()
    app, db, client = analyst_client(args.instance)
    db.close()
    url = f"/staff/analysis/province/{HCMC}?period={args.period}"
    cold, body = timed(client, url)
    warm, _ = timed(client, url)
    print(f"province overview 79: TTFB cold {cold:.2f} s, warm {warm:.3f} s")
    print(f"province overview 79: {len(body):,} bytes, {len(gzip.compress(body, 6)):,} gzip")
    ward_url = f"/staff/analysis/?unit=ward&code={args.ward}&period={args.period}"
    ward, _ = timed(client, ward_url)
    print(f"ward estimates page {args.ward}: {ward:.2f} s")
    for unit, code in (("province", HCMC), ("ward", args.ward)):
        trend_url = f"/staff/analysis/trend?unit={unit}&code={code}&period={args.period}"
        seconds, body = timed(client, trend_url)
        print(
            f"trend page {unit} {code}: TTFB {seconds:.2f} s, {len(gzip.compress(body, 6)):,} gzip"
        )
    runner = app.test_cli_runner()
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        result = runner.invoke(
            args=["report", "province", HCMC, "--period", args.period, "-o", out]
        )
        total = time.perf_counter() - start
        if result.exit_code != 0:
            raise SystemExit(result.output)
        count = len(os.listdir(out))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"report province 79: {count} PDFs in {total:.1f} s, {total / count:.2f} s per report")
    print(f"peak memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
