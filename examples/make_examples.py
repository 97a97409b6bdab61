"""Writes the example rosters of this folder (see README.md here):

    .venv/bin/python examples/make_examples.py

Made for the demo body 百官街道 (account c01) of `seed-demo`. The files carry
no template signature (it is signed with each installation's own secret
key), so they are accepted for any body; the people are fictional, from
the demo's own generator with another seed, and none of them is in the demo.
"""

from __future__ import annotations

import csv
import io
import random
import sys
from pathlib import Path

import openpyxl
import xlwt

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from zcweb.ops.demo import People  # noqa: E402
from zcweb.roster.batch import load_preset  # noqa: E402
from zcweb.roster.schema import load_schema  # noqa: E402
from zcweb.roster.template import build_template  # noqa: E402

BODY = "百官街道"
SPEC = load_preset(2024)
SCHEMA = load_schema(SPEC.template)


def people(seed: int, count: int) -> list[dict]:
    maker = People(rng=random.Random(seed))
    return [maker.person(BODY, SPEC.levels, None) for _ in range(count)]


def numbered(rows: list[dict]) -> list[dict]:
    return [{"seq": n, **row} for n, row in enumerate(rows, start=1)]


def clean_template(rows: list[dict]) -> bytes:
    return build_template(SCHEMA, SPEC, org_name=BODY, token=None, rows=numbered(rows), prepared_rows=50)


def with_mistakes(rows: list[dict]) -> bytes:
    """The same rows with the mistakes contacts make most."""
    rows = [dict(row) for row in rows]
    rows[0]["id_number"] = int(rows[0]["id_number"][:17] + "0")  # typed into a number cell
    number = rows[1]["id_number"]
    rows[1]["id_number"] = number[:17] + ("1" if number[17] == "0" else "0")  # wrong check digit
    rows[2].update(level="高级工程师", specialty="建筑工程")  # not a specialty of this batch
    rows[3]["current_title_date"] = "2016年12月底"  # a date written as words
    return clean_template(rows)


def township_sheet(rows: list[dict]) -> bytes:
    """A township's own sheet: a title row, its own headers, an extra column."""
    headers = {"name": "申报人姓名", "sex": "性别", "id_number": "公民身份号码", "birth_month": "出生日期",
               "employer": "单位名称", "employer_type": "单位性质", "education": "最高学历", "degree": "学位",
               "school": "毕业院校", "major": "所学专业", "graduation": "毕业时间", "work_start": "参加工作时间",
               "current_title": "现职称", "current_title_specialty": "现职称专业",
               "current_title_date": "现职称取得时间", "current_post": "现从事专业/岗位", "level": "申报级别",
               "specialty": "申报专业", "route": "申报途径", "self_score": "量化自评分",
               "ce_2022": "2022年继续教育学时", "ce_2023": "2023年继续教育学时", "ce_2024": "2024年继续教育学时",
               "notice_start": "公示开始日期", "notice_end": "公示结束日期", "post_verified": "岗位核定",
               "phone": "手机号码"}
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "汇总"
    sheet.append([f"{BODY}2024年度高级工程师申报人员汇总表"])
    sheet.append(["所在社区", *headers.values()])
    for n, row in enumerate(rows, start=1):
        sheet.append([f"第{n}社区", *(row.get(key) for key in headers)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def table(rows: list[dict]) -> list[list]:
    columns = [c for c in SCHEMA.columns if c.key != "seq"]
    return [[c.header for c in columns]] + [[row.get(c.key, "") for c in columns] for row in rows]


def gbk_csv(rows: list[dict]) -> bytes:
    """Saved by Excel on a Chinese Windows as "CSV (逗号分隔)": GBK."""
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(table(rows))
    return text.getvalue().encode("gbk")


def old_xls(rows: list[dict]) -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("申报人员")
    for r, values in enumerate(table(rows)):
        for c, value in enumerate(values):
            if value not in ("", None):
                sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def web_page(rows: list[dict]) -> bytes:
    """What many HR systems export as "花名册.xls": an HTML table in GBK, a
    title across the columns, the header on two rows (继续教育学时 above
    its years), 序号 typed ahead for ten rows, a 填表人 line under it."""
    columns = [c for c in SCHEMA.columns if c.key != "seq"]
    years = [c for c in columns if c.key.startswith("ce_")]
    upper = "".join(f'<td rowspan="2">{c.header}</td>' for c in columns if c not in years[1:] and c not in years)
    upper = upper.replace('<td rowspan="2">' + columns[columns.index(years[-1]) + 1].header,
                          f'<td colspan="{len(years)}">继续教育学时</td><td rowspan="2">'
                          + columns[columns.index(years[-1]) + 1].header, 1)
    lower = "".join(f"<td>{c.key[3:]}年</td>" for c in years)
    body = []
    for n in range(1, 11):
        row = rows[n - 1] if n <= len(rows) else {}
        cells = "".join(f"<td>{row.get(c.key) or '&nbsp;'}</td>" for c in columns)
        body.append(f"<tr><td>{n}</td>{cells}</tr>")
    width = len(columns) + 1
    page = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body>'
            f'<table border="1"><tr><td colspan="{width}">{BODY}职称申报人员名单（人事系统导出）</td></tr>'
            f'<tr><td rowspan="2">序号</td>{upper}</tr><tr>{lower}</tr>{"".join(body)}'
            f'<tr><td colspan="{width}">填表人：王丽　　联系电话：0575-82123456</td></tr></table></body></html>')
    return page.encode("gbk")


def files() -> dict[str, bytes]:
    first = people(101, 6)
    return {
        "01-干净的模板.xlsx": clean_template(first),
        "02-常见错误.xlsx": with_mistakes(first),
        "03-乡镇自制表格.xlsx": township_sheet(people(102, 4)),
        "04-GBK编码.csv": gbk_csv(people(103, 3)),
        "05-旧版Excel.xls": old_xls(people(104, 3)),
        "06-人事系统导出的网页表格.xls": web_page(people(105, 3)),
    }


def main() -> None:
    for name, data in files().items():
        (HERE / name).write_bytes(data)
        print(HERE / name)


if __name__ == "__main__":
    main()
