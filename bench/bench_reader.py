"""The roster reader's speed and memory, measured in one run.

    .venv/bin/python -u bench/bench_reader.py [--rows 10000] [--memory-rows 50000] [--repeat 7]

Time, on the same bytes in this process, best of --repeat runs taken in turn:
  floor        python-calamine reading the sheet with to_python() (nothing else)
  iter_rows    python-calamine opening the book and iterating the sheet's rows
  read_roster  our whole read, its rows consumed once as the importer does
each with its ratio to the floor. Target: read_roster <= 1.10x floor.

Memory, each in a fresh process that loads the bytes, notes its peak RSS as
the baseline, then reads: the peak added by read_roster (rows consumed once,
none kept), and for comparison by python-calamine loading the sheet alone
and by the floor. Target: read_roster <= +90 MB.
The peak is VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over
exec, so a child would report its parent's peak (here, building the roster).
"""

from __future__ import annotations

import argparse
import io
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from python_calamine import CalamineWorkbook

from zcweb.roster.reader import Limits, read_roster
from zcweb.roster.schema import load_schema

SCHEMA = load_schema("roster-2024")
LIMITS = Limits(max_rows=100_000)
TIME_TARGET, MEMORY_TARGET = 1.10, 90


def make_roster(rows: int) -> bytes:
    """The import benchmark's roster: the template's layout, distinct people."""
    from bench.bench_import import make_app
    from bench.bench_import import make_roster as build

    with make_app(tempfile.mkdtemp(prefix="zcweb-bench-")).app_context():
        return build(rows)


def sheet(data: bytes):
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(SCHEMA.sheet)


def floor(data: bytes) -> int:
    return len(sheet(data).to_python())


def iterate(data: bytes) -> int:
    return sum(1 for _ in sheet(data).iter_rows())


def read(data: bytes) -> int:
    return sum(1 for _ in read_roster(data, SCHEMA, LIMITS).rows)


def measure_time(data: bytes, repeat: int) -> None:
    steps = {"floor: python-calamine to_python": floor, "python-calamine iter_rows": iterate,
             "read_roster, rows consumed": read}
    best = dict.fromkeys(steps, float("inf"))
    for _ in range(repeat):
        for label, step in steps.items():
            start = time.perf_counter()
            step(data)
            best[label] = min(best[label], time.perf_counter() - start)
    base = best["floor: python-calamine to_python"]
    print(f"{'step':<36}{'seconds':>9}{'x floor':>9}")
    for label, seconds in best.items():
        print(f"{label:<36}{seconds:>9.3f}{seconds / base:>9.2f}")
    ratio = best["read_roster, rows consumed"] / base
    print(f"time budget (a share of bench_import.py's preview target): read_roster <= {TIME_TARGET:.2f}x floor (now {ratio:.2f}x, "
          f"{(ratio - 1) * 100:+.0f}%)")


def peak_rss() -> float:
    """This process's peak resident memory so far, in MB."""
    status = Path("/proc/self/status")
    if status.exists():
        line = next(line for line in status.read_text().splitlines() if line.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_memory(path: str, step: str) -> None:
    """Runs in a fresh process: peak RSS before and after one read."""
    data = Path(path).read_bytes()
    before = peak_rss()
    rows = {"sheet": lambda data: sheet(data).height, "floor": floor, "read": read}[step](data)
    peak = peak_rss()
    print(f"{before:.1f} {peak:.1f} {rows}")


def measure_memory(data: bytes) -> None:
    path = Path(tempfile.mkdtemp(prefix="zcweb-bench-")) / "roster.xlsx"
    path.write_bytes(data)
    added = {}
    for step, label in (("sheet", "python-calamine sheet, no rows"), ("floor", "floor: python-calamine to_python"),
                        ("read", "read_roster, rows consumed")):
        child = subprocess.run([sys.executable, __file__, "--memory-file", str(path), "--step", step],
                               capture_output=True, text=True, check=True)
        before, peak, rows = child.stdout.split()
        added[step] = float(peak) - float(before)
        print(f"{label:<36} baseline {float(before):6.1f} MB, peak {float(peak):6.1f} MB, "
              f"added {added[step]:+6.1f} MB ({rows} rows)")
    print(f"memory budget: read_roster adds <= +{MEMORY_TARGET} MB (now {added['read']:+.1f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--memory-rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--memory-file", help=argparse.SUPPRESS)
    parser.add_argument("--step", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_file:
        child_memory(args.memory_file, args.step)
        return
    data = make_roster(args.rows)
    print(f"time: {args.rows} rows, {len(data) / 1e6:.1f} MB xlsx, best of {args.repeat}")
    measure_time(data, args.repeat)
    data = make_roster(args.memory_rows)
    print(f"memory: {args.memory_rows} rows, {len(data) / 1e6:.1f} MB xlsx, max RSS in a fresh process")
    measure_memory(data)


if __name__ == "__main__":
    main()
