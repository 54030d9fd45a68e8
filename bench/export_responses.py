"""Time `papi-pulse export responses` and `export codebook` on a generated instance.

    python bench/generate.py --instance DIR --responses 1000000 --seed 1   # once
    python bench/export_responses.py --instance DIR

Each export runs as its own `papi-pulse` process writing to a file; the figures are wall
time, rows per second, the child's CPU seconds (user + system, its worker processes
included: on a shared machine the steadier figure) and its peak resident memory
(``ru_maxrss``, so the start-up of Python and Flask is included). Goal of issue #4:
100,000 rows a second or more with peak memory under 200 MB.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VENV_BIN = Path(sys.executable).parent

RUNS = {
    "responses (codes)": ["export", "responses", "--include-excluded"],
    "responses (codes, excel)": ["export", "responses", "--include-excluded", "--excel"],
    "responses (labels vi)": ["export", "responses", "--include-excluded", "--labels", "vi"],
    "responses (one province, one quarter)": [
        "export", "responses", "--unit", "79", "--period", "2026-Q2",
    ],
    "codebook": ["export", "codebook"],
}  # fmt: skip


def run(instance: Path, args: list[str], out: Path) -> tuple[float, int, float]:
    """Run one export in a child process; return (seconds, peak RSS in kB, CPU seconds)."""
    env = dict(os.environ, PAPI_PULSE_INSTANCE=str(instance))
    command = [str(VENV_BIN / "papi-pulse"), *args, "-o", str(out)]
    began = time.perf_counter()
    with subprocess.Popen(command, env=env, stderr=subprocess.PIPE) as child:
        _, err = child.communicate()
        # wait4 gives this child's own usage, not the maximum over all earlier children.
    seconds = time.perf_counter() - began
    if child.returncode:
        raise SystemExit(f"{' '.join(args)} failed: {err.decode()}")
    return seconds, _last_child_rss, _last_child_cpu


_last_child_rss = 0
_last_child_cpu = 0.0


def _popen_wait_rss():
    """Patch Popen's wait to record each child's peak RSS with os.wait4."""
    original = subprocess.Popen._try_wait

    def try_wait(self, wait_flags):
        global _last_child_rss, _last_child_cpu
        try:
            pid, status, usage = os.wait4(self.pid, wait_flags)
        except ChildProcessError:
            return original(self, wait_flags)
        if pid:
            _last_child_rss = usage.ru_maxrss
            _last_child_cpu = usage.ru_utime + usage.ru_stime
        return pid, status

    subprocess.Popen._try_wait = try_wait


def count_rows(path: Path) -> int:
    """Return the number of CSV records in a file (lines minus header, no embedded breaks)."""
    with open(path, "rb") as data:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: data.read(1 << 20), b"")) - 1


def main(argv=None) -> int:
    """Run every export once and print one line of figures each."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--instance", required=True, type=Path, help="generated instance folder")
    args = parser.parse_args(argv)
    _popen_wait_rss()
    with tempfile.TemporaryDirectory() as folder:
        for name, command in RUNS.items():
            out = Path(folder) / "out.csv"
            seconds, rss_kb, cpu = run(args.instance, command, out)
            size = out.stat().st_size / 1e6
            rows = count_rows(out) if name != "codebook" else None
            rate = f"{rows:,} rows, {rows / seconds:,.0f} rows/s" if rows else "-"
            print(
                f"{name:40} {seconds:7.2f} s  {rate:32}  CPU {cpu:6.2f} s  {size:8.1f} MB  "
                f"peak RSS {rss_kb / 1024:6.1f} MB"
            )
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"(largest child, RUSAGE_CHILDREN: peak RSS {peak:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
