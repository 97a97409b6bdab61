"""`flask import --dry-run --json` against a raw python-calamine read, as
whole processes (start-up included), in one run.

    .venv/bin/python bench/bench_cli_import.py [--rows 10000] [--runs 7]

Each pair runs the floor (a fresh Python reading the roster's sheet with
python-calamine) and the command on the same file, one after the other;
prints the medians of wall-clock and CPU seconds and the median of the
per-pair ratios. Target: the command <= 3x the floor. The processes run
with Python's bytecode cache on, as an installed app does (a first, unmeasured
pair writes it), even when PYTHONDONTWRITEBYTECODE is set here.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_import import make_app, make_roster  # noqa: E402

TARGET = 3.0


def run(args: list[str], env: dict) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system) of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    instance = tempfile.mkdtemp(prefix="zcweb-bench-")
    app = make_app(instance)
    with app.app_context():
        roster = Path(instance) / "roster.xlsx"
        roster.write_bytes(make_roster(args.rows))
    env = {**os.environ, "ZCWEB_INSTANCE_PATH": instance, "ZCWEB_SECRET_KEY": "bench",
           "ZCWEB_IMPORT_MAX_ROWS": str(max(args.rows, 20_000))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    python = sys.executable
    floor = [python, "-c", "import sys; from python_calamine import CalamineWorkbook; "
             "CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_name('申报人员').to_python()", str(roster)]
    command = [str(Path(python).with_name("flask")), "--app", "zcweb", "import", str(roster), "--org", "百官街道",
               "--dry-run", "--json"]
    pairs = [(run(floor, env), run(command, env)) for _ in range(args.runs + 1)][1:]
    wall = statistics.median(c[0] / f[0] for f, c in pairs)
    cpu = statistics.median(c[1] / f[1] for f, c in pairs)
    print(f"roster: {args.rows} rows; {args.runs} paired runs; load {os.getloadavg()[0]:.2f} (1 min)")
    print(f"{'process':<34}{'wall s':>8}{'cpu s':>8}")
    print(f"{'floor (python-calamine read)':<34}{statistics.median(f[0] for f, _ in pairs):>8.2f}"
          f"{statistics.median(f[1] for f, _ in pairs):>8.2f}")
    print(f"{'flask import --dry-run --json':<34}{statistics.median(c[0] for _, c in pairs):>8.2f}"
          f"{statistics.median(c[1] for _, c in pairs):>8.2f}")
    print(f"ratio (median of pairs): wall {wall:.2f}x, cpu {cpu:.2f}x (target <= {TARGET:.0f}x)"
          f"{'' if wall <= TARGET else '  MISSED'}")


if __name__ == "__main__":
    main()
