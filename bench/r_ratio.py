"""Time our engine on the task R `survey` was timed on, and R itself: the ratio for issue #4.

    python bench/r_ratio.py --instance DIR --quarter 2026-Q2 --write-input --rerun-r

--write-input writes bench/out/r_input.csv (ward, engine weight and 0/1 items of the quarter,
as bench/estimates_1m.py --r-quarter does); --rerun-r runs bench/out/svyby.R on it.

R's task (bench/out/svyby.R): svyby(~lives_here, ~ward, design, svymean) over every ward of one
quarter, the engine's weights given. Ours, timed three ways on the same quarter:
1. the same task from the same file: per ward, the weighted share of lives_here with its
   linearized SE and Korn-Graubard interval (survey.stats.proportion_estimate);
2. the engine for every ward of the quarter, one process: reading and decoding the responses,
   raking, every item, indicator and composite, intervals, flags and change (far more work);
3. the same with two processes.
"""

import argparse
import csv
import os
import subprocess
import sys
import time
from itertools import groupby
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from survey import estimation as estimates  # noqa: E402
from survey.db import connect  # noqa: E402
from survey.questionnaire import catalogue  # noqa: E402
from survey.stats import proportion_estimate  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"


def same_task(path):
    """Return (seconds, wards) of per-ward weighted shares of lives_here from R's input file."""
    with open(path, newline="") as f:
        rows = [(r["ward"], float(r["w"]), r["lives_here"]) for r in csv.DictReader(f)]
    start = time.perf_counter()
    wards = 0
    for _, group in groupby(rows, key=lambda r: r[0]):
        group = list(group)
        values = [None if y in ("", "NA") else float(y) for _, _, y in group]
        proportion_estimate(values, [w for _, w, _ in group])
        wards += 1
    return time.perf_counter() - start, wards


def engine(db, quarter, processes):
    """Return (seconds, rows) of the engine for every ward of one quarter."""
    q = catalogue.get("papi-pulse-core", 1)
    start = time.perf_counter()
    count = sum(
        1
        for _ in estimates.run(
            db, q, [estimates.parse_periods(quarter)], ("ward",), processes=processes
        )
    )
    return time.perf_counter() - start, count


def main():
    """Print our timings, R's, and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--instance", required=True)
    parser.add_argument("--quarter", default="2026-Q2")
    parser.add_argument("--r-seconds", type=float, default=None, help="R's time if not rerun")
    parser.add_argument("--rerun-r", action="store_true")
    parser.add_argument("--write-input", action="store_true")
    args = parser.parse_args()
    db = connect(os.path.join(args.instance, "papi-pulse.sqlite3"))
    if args.write_input:
        from estimates_1m import R_SCRIPT, r_input

        path = r_input(db, catalogue.get("papi-pulse-core", 1), args.quarter)
        (OUT / "svyby.R").write_text(R_SCRIPT.format(path=path))
    print(f"load average {os.getloadavg()[0]:.2f}")
    secs, wards = same_task(OUT / "r_input.csv")
    print(f"ours, same task (lives_here by ward, SE and KG interval): {secs:.2f} s, {wards} wards")
    r_secs = args.r_seconds
    if args.rerun_r:
        out = subprocess.run(
            ["Rscript", str(OUT / "svyby.R")], capture_output=True, text=True, check=True
        ).stdout
        print(out.strip())
        r_secs = float(out.rsplit(":", 1)[1].split()[0])
    e1, rows = engine(db, args.quarter, 1)
    print(f"ours, engine, every ward x every estimand of {args.quarter}, 1 process: {e1:.1f} s,"
          f" {rows} rows")  # fmt: skip
    e2, _ = engine(db, args.quarter, 2)
    print(f"ours, engine, same, 2 processes: {e2:.1f} s")
    if r_secs:
        print(
            f"ratio R / ours: same task {r_secs / secs:,.0f}x; whole engine {r_secs / e1:.1f}x"
            f" (1 process), {r_secs / e2:.1f}x (2 processes); load average "
            f"{os.getloadavg()[0]:.2f}"
        )


if __name__ == "__main__":
    main()
