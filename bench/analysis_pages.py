"""Benchmark: the analysts' pages that wait on the engine, on a generated instance.

    .venv/bin/python bench/generate.py --instance DIR --responses 1000000 --seed 1
    .venv/bin/python bench/analysis_pages.py --instance DIR [--period 2026-Q4] [--wards 40]

Signs in as an analyst through the test client (scope checks, templates and translations count)
and prints the server time of the estimates page of --wards wards of Ho Chi Minh City (each
page cold: a ward's first visit, with its previous period), median and 95th percentile, and
the province overview of Ho Chi Minh City (168 wards) cold. CPU seconds are printed beside the
wall-clock ones: on a shared machine they are the steadier figure.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.analystlib import analyst_client  # noqa: E402

HCMC = "79"


def timed(client, url: str) -> tuple[float, float]:
    """Return the wall and CPU seconds of a whole GET."""
    wall, cpu = time.perf_counter(), time.process_time()
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")
    return time.perf_counter() - wall, time.process_time() - cpu


def percentile(values, share):
    """Return the nearest-rank percentile of values."""
    ordered = sorted(values)
    return ordered[max(0, round(share * len(ordered)) - 1)]


def main() -> None:
    """Run the benchmark and print one line per figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instance", required=True, type=Path)
    parser.add_argument("--period", default="2026-Q4")
    parser.add_argument("--wards", type=int, default=40)
    args = parser.parse_args()
    _app, db, client = analyst_client(args.instance)
    try:
        wards = [
            code
            for (code,) in db.execute(
                "SELECT DISTINCT ward_code FROM responses WHERE province_code = ?"
                " ORDER BY ward_code LIMIT ?",
                [HCMC, args.wards],
            )
        ]
    finally:
        db.close()
    times = [
        timed(client, f"/staff/analysis/?unit=ward&code={code}&period={args.period}")
        for code in wards
    ]
    walls, cpus = [t[0] * 1000 for t in times], [t[1] * 1000 for t in times]
    print(
        f"ward page ({len(wards)} wards of 79, {args.period} and its previous quarter, cold):"
        f" median {statistics.median(walls):.0f} ms, p95 {percentile(walls, 0.95):.0f} ms;"
        f" CPU median {statistics.median(cpus):.0f} ms, p95 {percentile(cpus, 0.95):.0f} ms"
    )
    wall, cpu = timed(client, f"/staff/analysis/province/{HCMC}?period={args.period}")
    print(f"province overview 79 (168 wards), cold: {wall:.2f} s, CPU {cpu:.2f} s")


if __name__ == "__main__":
    main()
