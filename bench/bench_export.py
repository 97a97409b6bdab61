"""Export speed and memory, measured in one run.

    .venv/bin/python bench/bench_export.py [--rows 1000 10000 50000] [--memory-rows 10000 50000]

For each export (the official 推荐人员汇总表, the full archive, a body's
feedback, the 评审表 checklist) and each row count, times the export's
writer against the floor: openpyxl's write-only mode writing the same cell
values (no styles, no sizes, no print setup) in the same run, and prints the
ratio. Then, in a fresh process per export and row count, the peak memory
(max RSS) above what the rows themselves take.
Targets: <= 1.3x the floor at 10,000 rows; 50,000 rows take about 5x the
time of 10,000; memory flat in the rows.
The rows are built in memory: the database query is not timed here. Each
timed export starts with an empty row-height cache, as the first export of
new rows does.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402

from bench.bench_reader import peak_rss  # noqa: E402
from tests.helpers import make_id, valid_row  # noqa: E402
from zcweb.roster import export, official, sheets
from zcweb.roster.batch import load_preset
from zcweb.roster.schema import load_schema

SPEC = load_preset(2024)
SCHEMA = load_schema(SPEC.template)
DAY = dt.date(2024, 9, 5)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
STATUSES = ("拟推荐", "退回修改", "已推荐", "待审核")


def make_rows(count: int) -> list[dict]:
    """Distinct applicants of both levels across 20 bodies, with the bureau's keys."""
    rows = []
    for i in range(count):
        birth = f"19{60 + i % 35}{1 + i % 12:02d}{1 + i % 28:02d}"
        level = "正高级工程师" if i % 4 == 0 else "高级工程师"
        specialties = SPEC.levels[level]
        row = valid_row(
            i, name=SURNAMES[i % len(SURNAMES)] + SURNAMES[(i * 7) % len(SURNAMES)] + str(i % 10),
            id_number=make_id(birth, 2 * (i % 499) + 1, area=f"3306{i % 90 + 10:02d}"),
            birth_month=f"{birth[:4]}-{birth[4:6]}", employer=f"浙江上虞示例{i % 40}化工有限公司",
            phone=f"138{i:08d}", level=level, specialty=specialties[i % len(specialties)], seq=i + 1,
        )
        rows.append({**row, "org": f"报送单位{i % 20}", "org_order": i % 20, "status": STATUSES[i % 4],
                     "reason": "重复申报" if i % 4 == 1 else "", "reviewer": "裘晶晶",
                     "reviewed_at": "2024-09-06", "copies": i % 4,
                     "warnings": "2022年继续教育不足90学时（ce.hours）" if i % 5 == 0 else "",
                     "last_event": "2024年9月6日 裘晶晶：待审核 → 拟推荐"})
    return rows


def _official_cells(rows):
    view = official.load_view(SPEC.official_view)
    for level in SPEC.levels:
        yield level, [[official.cell_value(r, c.keys) for c in view.columns]
                      for r in rows if r["level"] == level]


def _table_cells(columns, rows, sheet="申报人员"):
    keys = [c.key for c in columns]
    yield sheet, [[r.get(k) for k in keys] for r in rows]


# name: (the export's writer, the cells it writes, for the floor)
EXPORTS = {
    "official roster": (lambda rows: official.build_official(SPEC, rows, day=DAY), _official_cells),
    "full archive": (lambda rows: export.build_roster(SCHEMA, SPEC, rows, title="存档", subtitle="导出",
                                                      archive=True),
                     lambda rows: _table_cells(export.export_columns(SCHEMA, archive=True), rows)),
    "body feedback": (lambda rows: export.build_feedback(SCHEMA, SPEC, "报送单位", rows, day=DAY),
                      lambda rows: _table_cells(export.feedback_columns(SCHEMA), rows)),
    "checklist": (lambda rows: export.build_checklist(SCHEMA, SPEC, [("报送单位", rows)], day=DAY),
                  lambda rows: _table_cells(export.checklist_columns(SCHEMA, SPEC), rows)),
}


def floor_write(tables) -> bytes:
    """openpyxl write-only, values only: the least any xlsx writer here does."""
    workbook = Workbook(write_only=True)
    for title, cells in tables:
        sheet = workbook.create_sheet(title)
        for values in cells:
            sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def timed_pair(floor, subject, repeat: int) -> tuple[float, float]:
    """Best of `repeat` runs of each, taken in turns so that a change in the
    machine's load falls on both alike."""
    best = [float("inf"), float("inf")]
    for _ in range(repeat):
        for index, fn in enumerate((floor, subject)):
            start = time.perf_counter()
            fn()
            best[index] = min(best[index], time.perf_counter() - start)
    return best[0], best[1]


def fresh_write(write, rows) -> bytes:
    sheets._lines.cache_clear()  # wrapped-text line counts, kept between exports
    return write(rows)


def measure(counts: list[int]) -> None:
    print(f"{'export':<18}{'rows':>7}{'floor s':>9}{'export s':>10}{'x floor':>9}{'x 10k':>7}")
    for name, (write, cells) in EXPORTS.items():
        at_10k = None
        for count in counts:
            rows = make_rows(count)
            cells_of = list(cells(rows))  # the cell values, prepared outside the floor's timing
            repeat = 5 if count <= 10_000 else 2
            floor_s, export_s = timed_pair(lambda: floor_write(cells_of), lambda: fresh_write(write, rows), repeat)
            if count == 10_000:
                at_10k = export_s
            scale = f"{export_s / at_10k:>7.2f}" if at_10k and count > 10_000 else ""
            print(f"{name:<18}{count:>7}{floor_s:>9.3f}{export_s:>10.3f}{export_s / floor_s:>9.2f}{scale}")


def memory(name: str, count: int) -> None:
    """In a fresh process: peak RSS while writing, above the rows in memory."""
    rows = make_rows(count)
    before = peak_rss()
    size = len(EXPORTS[name][0](rows))
    print(f"{name:<18}{count:>7} rows: +{peak_rss() - before:.0f} MB while writing "
          f"(rows held: {before:.0f} MB; file {size / 1e6:.1f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000, 10_000, 50_000])
    parser.add_argument("--memory-rows", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--memory", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory:
        memory(args.memory[0], int(args.memory[1]))
        return
    measure(args.rows)
    print("targets: <= 1.30x floor at 10,000 rows; x 10k about 5 at 50,000 rows")
    print("peak memory, each in a fresh process:")
    for name in EXPORTS:
        for count in args.memory_rows:
            subprocess.run([sys.executable, __file__, "--memory", name, str(count)], check=True)


if __name__ == "__main__":
    main()
