"""Cleaning and checking speed, measured in one run.

    .venv/bin/python bench/bench_checks.py [--rows 10000] [--repeat 7]

Writes N distinct applicants into a sheet laid out and typed as the template
(text columns as text, numbers and dates as such), reads it back with
python-calamine as the reader does, then times, best of R runs, each with a
fresh cleaner and checker as every import has:
  clean   RowCleaner.clean over every row
  check   RowChecker.check over the rows cleaned beforehand
  both    clean then check each row, as the importer's preview does
Budget: both <= 0.13 s for 10,000 rows, a share of bench_import.py's preview
target (a 30-column roster).

The applicants have names, identity numbers (birth dates over 35 years, 89
areas), phones and title dates of their own; 40 employers; a few notice
periods per body; choices and hours that repeat; about a quarter of the rows
get a warning or an error, as real rosters do.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import io
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import openpyxl
from python_calamine import CalamineWorkbook

from tests.conftest import open_spec
from tests.helpers import make_id
from zcweb.roster.normalize import RowCleaner
from zcweb.roster.rules import RowChecker
from zcweb.roster.schema import load_schema

TARGET = 0.13
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国晓梅红燕鹏飞志宏"
SCHOOLS = [f"浙江{k}大学" for k in ("工业", "理工", "科技", "农林", "海洋", "师范", "财经", "传媒", "万里", "树人")]
MAJORS = ["化学工程与工艺", "高分子材料", "纺织工程", "热能与动力工程", "材料科学与工程", "应用化学",
          "机械设计制造及其自动化", "计算机科学与技术", "电气工程及其自动化", "轻化工程"]
POSTS = ["工艺技术", "设备管理", "质量管理", "研发", "生产管理", "安全环保"]
NOTICES = [  # (start, end): a body publishes all its applicants together
    (dt.date(2024, 8, 26), dt.date(2024, 8, 30)),
    (dt.date(2024, 8, 19), dt.date(2024, 8, 23)),
    (dt.date(2024, 8, 28), dt.date(2024, 9, 3)),
    (dt.date(2024, 8, 26), dt.date(2024, 8, 29)),  # one working day short
]
NOTICE_WEIGHTS = [60, 25, 13, 2]
MONTH_FORMS = [lambda y, m: f"{y}-{m:02d}", lambda y, m: f"{y}.{m:02d}", lambda y, m: f"{y}年{m}月",
               lambda y, m: f"{y}{m:02d}"]


def applicant(i: int, rng: random.Random, spec) -> dict:
    """One filled template row as a contact types it."""
    born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(35 * 365))
    male = rng.random() < 0.7
    senior = rng.random() < 0.1
    level = "正高级工程师" if senior else "高级工程师"
    route = "正常" if senior else rng.choices(["正常", "破格", "高技能人才"], [90, 7, 3])[0]
    institution = rng.random() < 0.15
    education, degree = rng.choices([("大学本科", "学士"), ("硕士研究生", "硕士"), ("博士研究生", "博士"),
                                     ("大学专科", "无")], [70, 22, 5, 3])[0]
    graduated = born.year + 22 + rng.randrange(3)
    # The template's month columns are text cells: each contact writes months
    # in a way of their own.
    month = rng.choice(MONTH_FORMS)
    notice_start, notice_end = rng.choices(NOTICES, NOTICE_WEIGHTS)[0]
    return {
        "seq": float(i + 1),
        "name": rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice([1, 2]))),
        "sex": "男" if male else "女",
        "id_number": make_id(born.strftime("%Y%m%d"), rng.randrange(50, 500) * 2 + male,
                             area=f"3306{rng.randrange(1, 90):02d}"),
        "birth_month": month(born.year, born.month),
        "employer": f"浙江上虞示例{i % 40}化工有限公司",
        "employer_type": "事业单位" if institution else "企业",
        "education": education,
        "degree": degree,
        "school": rng.choice(SCHOOLS),
        "major": rng.choice(MAJORS),
        "graduation": month(graduated, 7),
        "work_start": month(graduated, rng.choice([7, 8])),
        "current_title": "高级工程师" if senior else "工程师",
        "current_title_specialty": rng.choice(["化工", "材料", "纺织", "机械", "电气"]),
        "current_title_date": dt.date(2010, 1, 1) + dt.timedelta(days=rng.randrange(12 * 365)),
        "current_post": rng.choice(POSTS),
        "level": level,
        "specialty": rng.choice(spec.levels[level]),
        "route": route,
        "self_score": float(rng.randrange(100, 160)) if route == "破格" else None,
        "skill_level": f"高级技师 {rng.randrange(2010, 2022)}-06" if route == "高技能人才" else None,
        "ce_2022": float(rng.randrange(89, 130)),
        "ce_2023": float(rng.randrange(90, 130)),
        "ce_2024": float(rng.randrange(90, 130)),
        "notice_start": notice_start,
        "notice_end": notice_end,
        "post_verified": ("否" if rng.random() < 0.1 else "是") if institution else None,
        "phone": f"13{rng.randrange(5, 9)}{i:08d}",
        "remarks": "已转岗" if rng.random() < 0.02 else None,
    }


def make_rows(count: int, schema, spec) -> list[dict]:
    """The rows' cells by column key, as python-calamine reads them back
    from a filled template (empty cells None, as the reader gives them)."""
    rng = random.Random(2024)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet(schema.sheet)
    ws.append([c.header for c in schema.columns])
    for i in range(count):
        row = applicant(i, rng, spec)
        ws.append([row[c.key] for c in schema.columns])
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    sheet = CalamineWorkbook.from_filelike(buffer).get_sheet_by_name(schema.sheet).to_python()
    keys = [c.key for c in schema.columns]
    return [{k: (None if v == "" else v) for k, v in zip(keys, cells)} for cells in sheet[1:]]


def clean_all(schema, rows):
    cleaner = RowCleaner(schema)
    return [cleaner.clean(cells) for cells in rows]


def check_all(schema, spec, cleaned):
    checker = RowChecker(schema, spec)
    return [checker.check(values, skip={f.column for f in findings}) for values, findings in cleaned]


def clean_and_check(schema, spec, rows):
    """The import's loop, as zcweb.outcomes.RowCheck runs it."""
    cleaner, checker = RowCleaner(schema), RowChecker(schema, spec)
    results = []
    for cells in rows:
        values, findings = cleaner.clean(cells)
        findings += checker.check(values, skip={f.column for f in findings})
        results.append((values, findings))
    return results


def best_of(repeat: int, fn, *args) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()  # each run starts alike; the collector stays on while it runs
        start = time.perf_counter()
        fn(*args)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    schema, spec = load_schema("roster-2024"), open_spec()
    rows = make_rows(args.rows, schema, spec)
    cleaned = clean_all(schema, rows)
    results = clean_and_check(schema, spec, rows)
    flagged = sum(1 for _, findings in results if findings)

    clean_s = best_of(args.repeat, clean_all, schema, rows)
    check_s = best_of(args.repeat, check_all, schema, spec, cleaned)
    both_s = best_of(args.repeat, clean_and_check, schema, spec, rows)
    print(f"roster: {len(rows)} rows x {len(schema.columns)} columns, {flagged} rows with findings; "
          f"best of {args.repeat}")
    print(f"{'step':<20}{'seconds':>9}{'µs/row':>9}")
    for label, seconds in [("clean", clean_s), ("check", check_s), ("clean + check", both_s)]:
        print(f"{label:<20}{seconds:>9.3f}{seconds / len(rows) * 1e6:>9.1f}")
    print(f"budget (a share of bench_import.py's preview target): clean + check <= {TARGET:.2f} s per 10,000 rows "
          f"(now {both_s * 10_000 / len(rows):.3f} s)")


if __name__ == "__main__":
    main()
