"""Time the xlsx, sav and dta exports, and XlsxWriter against openpyxl, on a generated instance.

    python bench/generate.py --instance DIR --responses 1000000 --seed 1   # once
    python bench/export_formats.py --instance DIR [--large] [--compare-rows 50000]
        [--only cli|compare] [--formats csv,xlsx,sav,dta]

Part 1 runs `papi-pulse export responses --format F` for one province-quarter (Ho Chi Minh
City, 2026-Q2; CSV beside it for reference) and, with --large, for every response of the
instance (1,000,000 rows from the command above, near the 1,048,575 an Excel sheet holds).
Part 2 writes the same typed rows (``exports.export_responses(raw=True)``) with XlsxWriter's
constant-memory mode (``survey.xlsxout``) and with openpyxl's write-only mode, for the
province-quarter and for the first --compare-rows responses of the instance, and extrapolates
both to a full sheet at the measured rate (both modes stream, so memory stays flat: the
extrapolation holds for time, and the peak is the measured one).

Each run is its own child process; the figures are wall time, CPU time (user + system, which
other load on a shared machine changes far less than wall time), rows per CPU second and the
child's peak resident memory (``ru_maxrss`` from ``wait4``, Python and Flask start-up included).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

VENV_BIN = Path(sys.executable).parent
PROVINCE_QUARTER = ["--unit", "79", "--period", "2026-Q2"]
SHEET_ROWS = 1_048_575  # data rows an Excel sheet holds below its header


def run_child(command: list[str], env: dict) -> tuple[float, float, int, str]:
    """Run a command; return (wall s, CPU s, peak RSS kB, standard output)."""
    began = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = child.communicate()
    wall = time.perf_counter() - began
    if child.returncode:
        raise SystemExit(f"{' '.join(command)} failed: {err.decode()[-2000:]}")
    usage = _USAGE[child.pid]
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, out.decode()


_USAGE = {}


def _record_usage():
    """Make Popen reap children with os.wait4, keeping each child's own resource usage."""
    original = subprocess.Popen._try_wait

    def try_wait(self, wait_flags):
        try:
            pid, status, usage = os.wait4(self.pid, wait_flags)
        except ChildProcessError:
            return original(self, wait_flags)
        if pid:
            _USAGE[pid] = usage
        return pid, status

    subprocess.Popen._try_wait = try_wait


def line(name: str, rows: int, wall: float, cpu: float, rss_kb: int, size: int) -> str:
    """Format one result line."""
    return (
        f"{name:46} {rows:>9,} rows {wall:8.1f} s wall {cpu:8.1f} s CPU"
        f" {rows / cpu:>8,.0f} rows/CPU-s {rows / wall:>8,.0f} rows/s"
        f"  peak RSS {rss_kb / 1024:7.1f} MB  {size / 1e6:8.1f} MB file"
    )


def cli_runs(instance: Path, folder: Path, large: bool, formats: list[str]) -> None:
    """Part 1: time the export command in each format."""
    env = dict(os.environ, PAPI_PULSE_INSTANCE=str(instance))
    rows_of = {"province-quarter": _count(instance, PROVINCE_QUARTER)}
    cases = [("province-quarter", PROVINCE_QUARTER)]
    if large:
        rows_of["whole instance"] = _count(instance, [])
        cases.append(("whole instance", []))
    for label, filters in cases:
        for fmt in formats:
            if label != "province-quarter" and fmt in ("csv", "dta"):
                continue  # full size: xlsx and sav (CSV: bench/export_responses.py)
            out = folder / f"out.{fmt}"
            command = [str(VENV_BIN / "papi-pulse"), "export", "responses", "--format", fmt,
                       *filters, "-o", str(out)]  # fmt: skip
            wall, cpu, rss, _ = run_child(command, env)
            print(line(f"export --format {fmt} ({label})", rows_of[label], wall, cpu, rss,
                       out.stat().st_size), flush=True)  # fmt: skip
            out.unlink()


def _count(instance: Path, filters: list[str]) -> int:
    """Return the responses an export with these filters holds."""
    from survey import exports
    from survey.db import connect
    from survey.periods import parse_period

    chosen = exports.Filters()
    if filters:
        chosen.unit = exports.parse_unit(filters[1])
        chosen.period = parse_period(filters[3])
    db = connect(str(instance / "papi-pulse.sqlite3"))
    try:
        return exports.count_responses(db, chosen)
    finally:
        db.close()


def compare_libraries(instance: Path, folder: Path, sample: int) -> None:
    """Part 2: XlsxWriter constant-memory against openpyxl write-only on the same rows."""
    env = dict(os.environ, PAPI_PULSE_INSTANCE=str(instance))
    for label, filters, limit in (
        ("province-quarter", PROVINCE_QUARTER, 0),
        (f"first {sample:,} responses", [], sample),
    ):
        for library in ("xlsxwriter", "openpyxl"):
            out = folder / f"{library}.xlsx"
            command = [sys.executable, __file__, "--instance", str(instance), "--child", library,
                       "--limit", str(limit), "--out", str(out), *filters]  # fmt: skip
            wall, cpu, rss, printed = run_child(command, env)
            rows = int(printed.split()[0])
            print(line(f"{library} ({label})", rows, wall, cpu, rss, out.stat().st_size),
                  flush=True)  # fmt: skip
            if limit:
                print(f"{'':46}  a full sheet ({SHEET_ROWS:,} rows) at this rate:"
                      f" {SHEET_ROWS / rows * cpu / 60:,.1f} min CPU,"
                      f" {SHEET_ROWS / rows * wall / 60:,.1f} min wall", flush=True)  # fmt: skip
            out.unlink()


def child(args) -> None:
    """Write the typed responses rows with one library; print the rows written."""
    from survey import exportfiles, exports, variables, xlsxout
    from survey.db import connect
    from survey.periods import parse_period

    filters = exports.Filters()
    if args.unit:
        filters.unit = exports.parse_unit(args.unit)
    if args.period:
        filters.period = parse_period(args.period)
    db = connect(str(args.instance / "papi-pulse.sqlite3"))
    questionnaire = exports.export_questionnaire(filters)
    described = variables.response_variables(questionnaire)
    rows = exports.export_responses(db, filters, raw=True).rows
    if args.limit:
        rows = islice(rows, args.limit)
    if args.child == "xlsxwriter":
        sheet = exportfiles.codebook_sheet(described)
        written = xlsxout.write(args.out, described, rows, "responses", sheet)
    else:
        written = _openpyxl_write(args.out, described, rows)
    db.close()
    print(written)


def _openpyxl_write(path, described, rows) -> int:
    """Write the rows as xlsxout does (typed cells, text never a formula) with openpyxl."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    from survey.csvout import NUMBER
    from survey.xlsxout import _moment

    book = Workbook(write_only=True)
    sheet = book.create_sheet("responses")
    sheet.freeze_panes = "A2"
    sheet.append([v.name for v in described])
    kinds = [v.kind for v in described]
    count = 0
    for row in rows:
        count += 1
        cells = []
        for kind, value in zip(kinds, row, strict=True):
            if value is None or value == "":
                cells.append(None)
            elif kind in ("datetime", "date"):
                cell = WriteOnlyCell(sheet, _moment(value, kind))
                cell.number_format = "yyyy-mm-dd hh:mm:ss" if kind == "datetime" else "yyyy-mm-dd"
                cells.append(cell)
            elif kind == "number" and (type(value) is not str or NUMBER.match(value)):
                cells.append(value if type(value) is not str else float(value))
            else:
                cell = WriteOnlyCell(sheet, str(value))
                cell.data_type = "s"  # openpyxl would otherwise take "=..." for a formula
                cells.append(cell)
        sheet.append(cells)
    book.save(path)
    return count


def main(argv=None) -> int:
    """Run both parts and print one line of figures per run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--instance", required=True, type=Path, help="generated instance folder")
    parser.add_argument("--large", action="store_true", help="also export the whole instance")
    parser.add_argument("--compare-rows", type=int, default=50_000, help="rows for part 2")
    parser.add_argument("--only", choices=["cli", "compare"], help="run one part only")
    parser.add_argument(
        "--formats", default="csv,xlsx,sav,dta", help="part 1's formats, comma-separated"
    )
    parser.add_argument("--child", choices=["xlsxwriter", "openpyxl"], help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--unit", help=argparse.SUPPRESS)
    parser.add_argument("--period", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args)
        return 0
    _record_usage()
    with tempfile.TemporaryDirectory() as folder:
        if args.only != "compare":
            cli_runs(args.instance, Path(folder), args.large, args.formats.split(","))
        if args.only != "cli":
            compare_libraries(args.instance, Path(folder), args.compare_rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
