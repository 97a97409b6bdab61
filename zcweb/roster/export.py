"""Rosters out (花名册导出): the official roster the bureau keeps or sends upward.

One sheet: a title row, a subtitle row, the header row with every schema
column (and, for the bureau's own copy, its review columns), one row per
applicant.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .batch import BatchSpec
from .schema import Schema, load_schema
from .template import (
    CENTER, FONT_NAME, GRID, TEXT_FORMAT, TEXT_TYPES, WRAP,
    fit_row_heights, frozen_cell, header_cell, row_height, safe_filename, setup_print, to_bytes, write_value,
)

# The bureau's review columns, after the schema's: (key, header, width).
BUREAU_COLUMNS: list[tuple[str, str, int]] = [
    ("org", "报送单位", 14),
    ("status", "审核状态", 10),
    ("reason", "审核意见/退回原因", 24),
    ("reviewer", "审核人", 10),
    ("reviewed_at", "审核时间", 12),
    ("copies", "评审表已收(份数)", 10),
]
# How a bureau column's value is written, as a schema column type.
_BUREAU_TYPES = {"reviewed_at": "date", "copies": "number"}
SEQUENCE_KEY = "seq"
PLAIN = Font(name=FONT_NAME)

TITLE_ROW, SUBTITLE_ROW, HEADER_ROW, FIRST_DATA_ROW = 1, 2, 3, 4


def roster_filename(spec: BatchSpec, what: str) -> str:
    """2024年度职称申报推荐花名册-拟推荐人员.xlsx"""
    return safe_filename(f"{spec.year}年度{load_schema(spec.template).title}-{what}")


def export_columns(schema: Schema, bureau_columns: bool = True) -> list[tuple[str, str, int, str]]:
    """(key, header, width, type) of every exported column, in order."""
    columns = [(c.key, c.header, c.width, c.type) for c in schema.columns]
    if bureau_columns:
        columns += [(key, header, width, _BUREAU_TYPES.get(key, "text")) for key, header, width in BUREAU_COLUMNS]
    return columns


def build_roster(schema: Schema, spec: BatchSpec, rows: list[dict], *, title: str, subtitle: str = "",
                 bureau_columns: bool = True) -> bytes:
    """The roster of `rows` (cleaned values by key, plus the bureau's keys)
    as an xlsx, 序号 renumbered from 1."""
    columns = export_columns(schema, bureau_columns)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = schema.sheet
    _write_banner(sheet, TITLE_ROW, title, len(columns), Font(name=FONT_NAME, bold=True, size=16), 34)
    _write_banner(sheet, SUBTITLE_ROW, subtitle, len(columns), Font(name=FONT_NAME), 22)
    _write_headers(sheet, columns)
    for offset, row in enumerate(rows):
        if SEQUENCE_KEY in schema:
            row = {**row, SEQUENCE_KEY: offset + 1}
        _write_row(sheet, FIRST_DATA_ROW + offset, columns, row)
    fit_row_heights(sheet, range(FIRST_DATA_ROW, FIRST_DATA_ROW + len(rows)), [width for _k, _h, width, _t in columns])
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + len(rows)}"
    sheet.freeze_panes = frozen_cell(schema, FIRST_DATA_ROW)
    # Thirty-odd columns are unreadable on A4; the bureau prints rosters on A3.
    setup_print(sheet, f"{HEADER_ROW}:{HEADER_ROW}", paper=sheet.PAPERSIZE_A3)
    return to_bytes(workbook)


def _write_banner(sheet, row: int, text: str, width: int, font: Font, height: float) -> None:
    cell = sheet.cell(row, 1)
    write_value(cell, text)
    cell.font = font
    cell.alignment = CENTER if row == TITLE_ROW else Alignment(vertical="center")
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    sheet.row_dimensions[row].height = height


def _write_headers(sheet, columns) -> None:
    for index, (_key, header, width, _type) in enumerate(columns, 1):
        header_cell(sheet, index, header, width, row=HEADER_ROW)
    sheet.row_dimensions[HEADER_ROW].height = row_height([(header, width) for _k, header, width, _t in columns])


def _write_row(sheet, number: int, columns, row: dict) -> None:
    for index, (key, _header, _width, column_type) in enumerate(columns, 1):
        cell = sheet.cell(number, index)
        if column_type in TEXT_TYPES:
            cell.number_format = TEXT_FORMAT
        value = row.get(key)
        if value is not None and value != "":
            write_value(cell, value, column_type)
        cell.font = PLAIN
        cell.alignment = WRAP
        cell.border = GRID
