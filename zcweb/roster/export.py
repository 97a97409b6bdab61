"""Rosters out (导出): the bureau's full archive, each body's feedback and
the 评审表 receipt checklist. The official roster sent upward is `official`.

Each is a streamed table (`sheets.StreamSheet`): title lines, a header row,
one row per applicant, 序号 numbered from 1.
"""

from __future__ import annotations

import datetime as dt

from openpyxl import Workbook

from .batch import BatchSpec, format_date
from .schema import Schema, load_schema
from .sheets import A3, A4, CENTER, Col, StreamSheet, frozen_cell, safe_filename, stream_workbook, to_bytes

# The bureau's review columns, after the schema's: (key, header, width).
BUREAU_COLUMNS: list[tuple[str, str, int]] = [
    ("org", "报送单位", 14),
    ("status", "审核状态", 10),
    ("reason", "审核意见/退回原因", 24),
    ("reviewer", "审核人", 10),
    ("reviewed_at", "审核时间", 12),
    ("copies", "评审表已收(份数)", 10),
    ("result", "评审结果", 10),
]
# The archive's columns after those: every warning with its rule, the last event.
ARCHIVE_COLUMNS: list[tuple[str, str, int]] = [
    ("warnings", "提示（规则）", 36),
    ("last_event", "最近操作", 30),
    ("history", "往年申报", 24),
]
# How a bureau column's value is written, as a schema column type.
_BUREAU_TYPES = {"reviewed_at": "date", "copies": "number"}
SEQUENCE_KEY = "seq"

TITLE_ROW, SUBTITLE_ROW, HEADER_ROW, FIRST_DATA_ROW = 1, 2, 3, 4


def roster_filename(spec: BatchSpec, what: str) -> str:
    """2024年度职称申报推荐花名册-拟推荐人员.xlsx"""
    return safe_filename(f"{spec.year}年度{load_schema(spec.template).title}-{what}")


def export_columns(schema: Schema, bureau_columns: bool = True, archive: bool = False) -> list[Col]:
    """Every exported column, in order."""
    columns = [Col(c.key, c.header, c.width, c.type) for c in schema.columns]
    if bureau_columns:
        columns += [Col(key, header, width, _BUREAU_TYPES.get(key, "text")) for key, header, width in BUREAU_COLUMNS]
    if archive:
        columns += [Col(key, header, width) for key, header, width in ARCHIVE_COLUMNS]
    return columns


def _numbered(rows: list[dict]):
    for offset, row in enumerate(rows, 1):
        yield {**row, SEQUENCE_KEY: offset}


def _table(workbook: Workbook, sheet_title: str, columns: list[Col], title: str, subtitle: str,
           rows, **options) -> StreamSheet:
    table = StreamSheet(workbook, sheet_title, columns, **options)
    table.line(title, bold=True, size=16, align=CENTER, height=34)
    table.line(subtitle, height=22)
    table.header()
    keys = [c.key for c in columns]
    for row in rows:
        table.row([row.get(key) for key in keys])
    return table


def build_roster(schema: Schema, spec: BatchSpec, rows: list[dict], *, title: str, subtitle: str = "",
                 bureau_columns: bool = True, archive: bool = False) -> bytes:
    """Every column of `rows` (cleaned values by key, plus the bureau's keys)
    as an xlsx, 序号 renumbered from 1: the bureau's own record."""
    columns = export_columns(schema, bureau_columns, archive)
    workbook = stream_workbook()
    numbered = _numbered(rows) if SEQUENCE_KEY in schema else rows
    table = _table(workbook, schema.sheet, columns, title, subtitle, numbered,
                   freeze=frozen_cell([c.key for c in columns], FIRST_DATA_ROW))
    # Thirty-odd columns are unreadable on A4: the archive prints on A3.
    table.finish(paper=A3, auto_filter=True)
    return to_bytes(workbook)


# ---------------------------------------------------------------- per-body feedback

def _schema_columns(schema: Schema, keys: tuple[str, ...]) -> list[Col]:
    """The schema's own header, width and type of the `keys` it has."""
    return [Col(c.key, c.header, c.width, c.type) for c in (schema.by_key.get(k) for k in keys) if c]


def feedback_columns(schema: Schema) -> list[Col]:
    return [Col(SEQUENCE_KEY, "序号", 6, "number"),
            *_schema_columns(schema, ("name", "id_number", "level", "specialty")),
            Col("status", "审核状态", 10),
            Col("reason", "审核意见/退回原因", 30),
            Col("copies", "评审表已收(份)", 9, "number"),
            Col("result", "评审结果", 9)]


def build_feedback(schema: Schema, spec: BatchSpec, org_name: str, rows: list[dict], *, day: dt.date) -> bytes:
    """审核结果反馈: a body's rows with status, reason and 评审表 received."""
    workbook = stream_workbook()
    table = _table(workbook, "审核结果", feedback_columns(schema), f"{spec.title}审核结果反馈表",
                   f"报送单位：{org_name}　　反馈单位：{spec.bureau}　　反馈日期：{format_date(day)}",
                   _numbered(rows), freeze=f"A{FIRST_DATA_ROW}")
    table.finish(paper=A4)
    return to_bytes(workbook)


# ---------------------------------------------------------------- 评审表 receipt checklist

def checklist_columns(schema: Schema, spec: BatchSpec) -> list[Col]:
    return [
        Col(SEQUENCE_KEY, "序号", 6, "number"),
        *_schema_columns(schema, ("name", "level", "specialty")),
        Col("due", "应交(份)", 9, "number"),
        Col("copies", "已收(份)", 9, "number"),
        Col("missing", "缺(份)", 8, "number"),
        Col("received", f"收件（0–{spec.paper_copies}份，打√）", 20),
        Col("note", "备注", 20),
    ]


def build_checklist(schema: Schema, spec: BatchSpec, bodies: list[tuple[str, list[dict]]], *, day: dt.date) -> bytes:
    """评审表收件清单: one printable sheet per body, each applicant's copies
    due, received and missing, and signature lines."""
    workbook = stream_workbook()
    columns = checklist_columns(schema, spec)
    boxes = "　".join("□" for _ in range(spec.paper_copies))
    for org_name, rows in bodies:
        lines = ({**row, "due": spec.paper_copies, "missing": max(spec.paper_copies - (row.get("copies") or 0), 0),
                  "received": boxes} for row in _numbered(rows))
        table = _table(workbook, safe_sheet_title(org_name), columns,
                       f"{spec.year}年度《专业技术职务任职资格评审表》收件清单",
                       f"报送单位：{org_name}　　每人一式{spec.paper_copies}份　　打印日期：{format_date(day)}",
                       lines, data_align=CENTER, min_height=26)
        if not rows:
            table.line("无申报人员", height=30)
        table.line("送件人（签字）：＿＿＿＿＿＿＿＿　　联系电话：＿＿＿＿＿＿＿＿", height=40)
        table.line("收件人（签字）：＿＿＿＿＿＿＿＿　　收件日期：＿＿＿＿年＿＿月＿＿日", height=30)
        table.finish(paper=A4, landscape=False, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    return to_bytes(workbook)


def safe_sheet_title(text: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    return "".join("_" if ch in "[]:*?/\\" else ch for ch in text)[:31] or "Sheet"
