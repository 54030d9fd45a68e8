"""Benchmark: the analysts' pages that wait on the engine, on a generated instance.

    .venv/bin/python bench/generate.py --instance DIR --responses 1000000 --seed 1
    .venv/bin/python bench/analysis_pages.py --instance DIR [--period 2026-Q4] [--wards 20]

Prints the server time (through the test client: scope checks, templates and translations
count) of the estimates page of --wards wards of Ho Chi Minh City, median and 95th percentile,
for two kinds of user: a province-level one (an analyst, who may see the whole province and so
also gets the wards like this one) and a ward-level one (ward staff of those wards, who does
not). Each is measured
- cold: just after an answer of that ward changed (the data estimates are made of changed, as
  they do all day while answers arrive);
- after a change elsewhere: just after an answer of another ward of the province changed;
- warm: the same page again, nothing changed;
and, first of all, with nothing computed yet in the worker (its first pages after a start:
the wards like this one are then made of every member ward's answers).
Then the province overview of Ho Chi Minh City (168 wards): after a change, and warm.

A change is an UPDATE of one response that leaves its values as they were: the triggers that
mark the data as changed fire, and the instance keeps its figures. CPU seconds are printed
beside the wall-clock ones, and the load average with every figure: the machine is shared.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.analystlib import analyst_client, signed_in  # noqa: E402
from survey import accounts, overview  # noqa: E402
from survey.estimation import cache as estimate_cache  # noqa: E402

HCMC = "79"
OVERVIEWS = 5  # the overview takes about half a second: five of each are a median


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


def load() -> str:
    """Return the 1-minute load average, as uptime prints it."""
    return f"load {os.getloadavg()[0]:.2f}"


def touch(db, ward: str) -> None:
    """Change one answer of the ward in place: every data mark moves, no figure does."""
    with db.atomic():
        db.execute(
            "UPDATE responses SET review_status = review_status WHERE rowid ="
            " (SELECT rowid FROM responses WHERE ward_code = ? LIMIT 1)",
            [ward],
        )


def line(label: str, times) -> None:
    """Print the median and 95th percentile of (wall, CPU) pairs."""
    walls, cpus = [t[0] * 1000 for t in times], [t[1] * 1000 for t in times]
    print(
        f"  {label:<34} p50 {statistics.median(walls):5.0f} ms, p95 {percentile(walls, 0.95):5.0f}"
        f" ms; CPU p50 {statistics.median(cpus):5.0f} ms, p95 {percentile(cpus, 0.95):5.0f} ms"
        f" ({load()})",
        flush=True,
    )


def main() -> None:
    """Run the benchmark and print one line per figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instance", required=True, type=Path)
    parser.add_argument("--period", default="2026-Q4")
    parser.add_argument("--wards", type=int, default=20)
    args = parser.parse_args()
    app, db, analyst = analyst_client(args.instance)
    wards = [
        code
        for (code,) in db.execute(
            "SELECT DISTINCT ward_code FROM responses WHERE province_code = ?"
            " ORDER BY ward_code LIMIT ?",
            [HCMC, args.wards],
        )
    ]
    # Some ward of the province outside the measured ones: an answer arriving elsewhere.
    other = db.execute(
        "SELECT max(ward_code) FROM responses WHERE province_code = ?", [HCMC]
    ).fetchone()[0]
    staff = signed_in(app, db, "bench.wardstaff", accounts.WARD_STAFF, wards)
    users = (("province-level (analyst)", analyst), ("ward-level (ward staff)", staff))
    url = "/staff/analysis/?unit=ward&code={}&period=" + args.period
    print(f"ward page, {len(wards)} wards of 79, {args.period} and its previous quarter:")
    # The province-level user last: the worker then holds what it computed, as a worker does
    # from its first pages on, and the cold figures below are those of a running worker.
    for label, client in reversed(users):
        estimate_cache.clear()
        overview.clear()
        line(f"{label}, nothing cached", [timed(client, url.format(c)) for c in wards])
    for label, client in users:
        cold, elsewhere, warm = [], [], []
        for code in wards:
            touch(db, code)
            cold.append(timed(client, url.format(code)))
            touch(db, other)
            elsewhere.append(timed(client, url.format(code)))
            warm.append(timed(client, url.format(code)))
        line(f"{label}, cold", cold)
        line(f"{label}, after a change elsewhere", elsewhere)
        line(f"{label}, warm", warm)
    province = f"/staff/analysis/province/{HCMC}?period={args.period}"
    changed, warm = [], []
    for code in wards[:OVERVIEWS]:
        touch(db, code)
        changed.append(timed(analyst, province))
        warm.append(timed(analyst, province))
    print(f"province overview 79 (168 wards), {OVERVIEWS} times:")
    line("after a change in one of its wards", changed)
    line("warm", warm)
    db.close()


if __name__ == "__main__":
    main()
