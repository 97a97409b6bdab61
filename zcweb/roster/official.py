"""The official roster (推荐人员汇总表) the bureau stamps and sends upward.

Its columns are a view of the roster schema declared as data
(`excel_templates/official-<year>.toml`). One sheet per level, titled from
the batch; a 推荐单位（盖章）/ 填报日期 line; rows by 申报专业, then the
body's order, then name in 姓氏笔画 order; a 填表人 / 联系电话 footer;
A4 landscape, one page wide, the header repeated on every page.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .batch import BatchSpec, format_date
from .schema import DEFINITIONS_DIR
from .sheets import CENTER, Col, StreamSheet, safe_filename, stream_workbook, to_bytes
from .strokes import stroke_key

FONT_SIZE = 11
HEADER_ROW = 3  # after the title and the 推荐单位 line


@dataclass(frozen=True)
class ViewColumn:
    """A column of the official roster: the roster keys it shows."""

    header: str
    keys: tuple[str, ...]
    width: float


@dataclass(frozen=True)
class OfficialView:
    version: str
    title: str
    columns: tuple[ViewColumn, ...]

    def sheet_title(self, spec: BatchSpec, level: str) -> str:
        """2024年度高级工程师职务任职资格评审推荐人员汇总表"""
        return self.title.format(year=spec.year, level=level, step=spec.district_steps.get(level, "推荐"))


@lru_cache(maxsize=None)
def load_view(version: str, directory: Path | str | None = None) -> OfficialView:
    with open(Path(directory or DEFINITIONS_DIR) / f"{version}.toml", "rb") as f:
        data = tomllib.load(f)
    columns = tuple(ViewColumn(c["header"], tuple(c["keys"]), c.get("width", 12)) for c in data["columns"])
    return OfficialView(data["version"], data["title"], columns)


def official_filename(spec: BatchSpec) -> str:
    """2024年度推荐人员汇总表.xlsx"""
    return safe_filename(f"{spec.year}年度推荐人员汇总表")


def official_order(spec: BatchSpec, level: str):
    """Sort key of a row: 申报专业 in the batch's order, the body's order,
    then the name in 姓氏笔画 order."""
    specialties = {name: index for index, name in enumerate(spec.levels.get(level, []))}

    def key(row: dict):
        specialty = row.get("specialty") or ""
        return (specialties.get(specialty, len(specialties)), specialty,
                row.get("org_order", 0), stroke_key(row.get("name") or ""))
    return key


def cell_value(row: dict, keys: tuple[str, ...]):
    values = [row.get(k) for k in keys]
    if len(values) == 1:
        return values[0]
    return "\n".join(str(v) for v in values if v not in (None, ""))


def build_official(spec: BatchSpec, rows: list[dict], *, day: dt.date, view: OfficialView | None = None) -> bytes:
    """The 推荐人员汇总表 of `rows` (roster values by key plus "org" and
    "org_order"), one sheet per level of the batch, dated `day`."""
    view = view or load_view(spec.official_view)
    columns = [Col(str(i), c.header, c.width) for i, c in enumerate(view.columns)]
    workbook = stream_workbook()
    for level in spec.levels:
        level_rows = sorted((r for r in rows if r.get("level") == level), key=official_order(spec, level))
        table = StreamSheet(workbook, level, columns, font_size=FONT_SIZE, data_align=CENTER)
        table.line(view.sheet_title(spec, level), bold=True, size=16, align=CENTER, height=36)
        table.pair(f"推荐单位（盖章）：{spec.bureau}", f"填报日期：{format_date(day)}", right_columns=4, height=30)
        table.header()
        for number, row in enumerate(level_rows, 1):
            row = {**row, "seq": number}
            table.row([cell_value(row, c.keys) for c in view.columns])
        table.line(f"合计：{len(level_rows)}人", height=22)
        table.line(f"填表人：{spec.contact_person}　　　　联系电话：{spec.contact_phone}", height=22)
        table.finish(title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    return to_bytes(workbook)

