"""Benchmark the estimation engine and the estimates export on a generated instance.

    python bench/generate.py --instance /tmp/b --responses 1000000 --seed 1
    python bench/estimates_1m.py --instance /tmp/b [--processes 2] [--r-quarter 2026-Q1]

Applies pending migrations (as the app does on open), loads the instance's margins.csv (if no
set is in force), then times estimates for every ward and province and the four quarters of
2026 (rows counted, not kept), and the estimates export
of one quarter to CSV; peak memory is the process's maximum RSS (children included). With
--r-quarter it writes bench/out/r_input.csv (ward, weight and a few items of one quarter, the
weights the engine used) and times R survey's svyby(~y, ~ward, design, svymean) on it.
"""

import argparse
import csv
import itertools
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from survey import csvout, margins, migrations  # noqa: E402
from survey import estimation as estimates  # noqa: E402
from survey.db import connect  # noqa: E402
from survey.estimation.decoding import decode  # noqa: E402
from survey.estimation.spec import spec_for  # noqa: E402
from survey.estimation.weighting import unit_weights  # noqa: E402
from survey.questionnaire import catalogue  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
R_ITEMS = ("lives_here", "came_for_procedure", "sipas_staff")


def peak_mb():
    """Return the peak resident memory of this process and its children, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


def time_estimates(db, q, processes, unit_types, quarters):
    """Return (seconds, rows) for estimates of every unit of the given types and quarters."""
    start = time.perf_counter()
    count = 0
    for _ in estimates.run(
        db, q, [estimates.parse_periods(p) for p in quarters], unit_types, processes=processes
    ):
        count += 1
    return time.perf_counter() - start, count


def time_export(db, q, processes, quarter):
    """Return (seconds, bytes) of the CSV export of one quarter, every unit type."""
    OUT.mkdir(exist_ok=True)
    start = time.perf_counter()
    rows = estimates.run(
        db, q, [estimates.parse_periods(quarter)], estimates.UNIT_TYPES, processes=processes
    )
    size = csvout.write(OUT / "estimates.csv", estimates.COLUMNS, rows)
    return time.perf_counter() - start, size


def r_input(db, q, quarter):
    """Write ward, weight and 0/1 items of one quarter with the engine's weights."""
    spec = spec_for(q)
    period = estimates.parse_periods(quarter)
    lo, hi = period.utc_bounds()
    sets = margins.current_set(db)
    by_ward = margins.margins_by_unit(db, sets["id"], {v for v, _, _ in spec.weighting})
    OUT.mkdir(exist_ok=True)
    path = OUT / "r_input.csv"
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["ward", "w", *R_ITEMS])
        cursor = db.execute(
            "SELECT ward_code, point_id, submitted_at, answers FROM responses"
            " WHERE submitted_at >= ? AND submitted_at < ? AND review_status <> 'excluded'"
            " ORDER BY ward_code",
            [lo, hi],
        )
        for ward, group in itertools.groupby(cursor, key=lambda r: r[0]):
            group = list(group)
            people = [decode(spec, r[1], r[2], r[3]) for r in group]
            weights, _ = unit_weights(spec, people, by_ward.get(ward), 5.0)
            for r, w in zip(group, weights.weights, strict=True):
                a = json.loads(r[3])
                vals = []
                for item in R_ITEMS:
                    v = a.get(item)
                    vals.append("" if v is None else int(v in ("yes", "4", "5")))
                out.writerow([ward, repr(w), *vals])
    return path


R_SCRIPT = """
suppressPackageStartupMessages(library(survey))
d <- read.csv("{path}", colClasses = c(ward = "character"))
des <- svydesign(ids = ~1, weights = ~w, data = d)
t <- system.time(r <- svyby(~lives_here, ~ward, des, svymean, na.rm = TRUE))
cat(sprintf("R svyby over %d wards: %.2f s elapsed\\n", nrow(r), t[["elapsed"]]))
"""


def main():
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--instance", required=True)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--r-quarter", default=None)
    args = parser.parse_args()
    db = connect(os.path.join(args.instance, "papi-pulse.sqlite3"))
    start = time.perf_counter()
    if names := migrations.apply(db):  # as the app does on open (an older instance)
        print(f"migrated ({', '.join(names)}) in {time.perf_counter() - start:.1f} s")
    if margins.current_set(db) is None:
        data = Path(args.instance, "margins.csv").read_bytes()
        margins.load(db, data, "margins.csv", "bench")
    q = catalogue.get("papi-pulse-core", 1)
    n = db.execute("SELECT count(*) FROM responses").fetchone()[0]
    print(f"{n} responses, {args.processes} process(es)")
    quarters = [f"2026-Q{i}" for i in range(1, 5)]
    secs, rows = time_estimates(db, q, args.processes, ("ward", "province", "all"), quarters)
    print(
        f"estimates, every ward+province+all x 4 quarters: {secs:.1f} s, {rows} rows, "
        f"peak {peak_mb():.0f} MB"
    )
    secs, size = time_export(db, q, args.processes, "2026-Q2")
    print(
        f"estimates export 2026-Q2 (points, wards, provinces, all): {secs:.1f} s, "
        f"{size / 1e6:.0f} MB, peak {peak_mb():.0f} MB"
    )
    if args.r_quarter:
        start = time.perf_counter()
        path = r_input(db, q, args.r_quarter)
        print(f"R input written in {time.perf_counter() - start:.1f} s: {path}")
        script = OUT / "svyby.R"
        script.write_text(R_SCRIPT.format(path=path))
        print(subprocess.run(["Rscript", str(script)], capture_output=True, text=True).stdout)


if __name__ == "__main__":
    main()
