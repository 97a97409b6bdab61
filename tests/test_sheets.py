"""StreamSheet writes data rows as XML strings of its own: they must be the
bytes openpyxl writes for the same cells, and read back as written."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import openpyxl.worksheet._writer as openpyxl_writer
import pytest
from python_calamine import CalamineWorkbook

from zcweb.roster.sheets import Col, StreamSheet, stream_workbook, to_bytes

COLUMNS = [Col("text", "文本", 12), Col("day", "日期", 12, "date"), Col("count", "数量", 8, "number"),
           Col("month", "年月", 10, "month"), Col("id", "身份证号", 20, "idcard"), Col("phone", "电话", 14, "phone")]
ROWS = [
    [" 前后空格 & <b> ", "2024-09-05", 3, dt.date(1985, 6, 1), 330682199001011234.0, "13800000000"],
    ["=SUM(A1:A3)", None, 2.5, "1985-06", "33068219900101123X", 13812345678],
    ["绍兴市上虞区某某化工有限公司研发中心高级工程师岗位", True, "", None, "a\x01b\nc", ""],
    ["x" * 40_000, dt.datetime(2024, 9, 5, 10, 30), float("nan"), "#N/A", 12, None],
    ["-1", "不是日期", 0, "", "000123", "0575-82123456"],
]


def build(rows=ROWS) -> bytes:
    workbook = stream_workbook()
    table = StreamSheet(workbook, "表", COLUMNS)
    table.line("标题", bold=True, size=16, height=34)
    table.header()
    for row in rows:
        table.row(row)
    table.line("填表人：某某")
    table.finish()
    return to_bytes(workbook)


def sheet_xml(data: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")


def test_raw_rows_are_the_bytes_openpyxl_writes(monkeypatch):
    assert StreamSheet.raw_rows  # openpyxl writes through et_xmlfile here
    ours = build()
    monkeypatch.setattr(StreamSheet, "raw_rows", False)
    theirs = build()
    assert sheet_xml(ours) == sheet_xml(theirs)
    assert members(ours) == members(theirs)  # styles, workbook and all


def members(data: bytes) -> dict[str, bytes]:
    """A workbook's parts but for when it was written (docProps/core.xml and
    the zip's timestamps, to the second: two builds may straddle one)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name != "docProps/core.xml"}


def test_data_rows_bypass_openpyxl_cell_writer(monkeypatch):
    calls = []
    original = openpyxl_writer.write_cell
    monkeypatch.setattr(openpyxl_writer, "write_cell", lambda *a: calls.append(1) or original(*a))
    build(ROWS * 20)
    # The title line, the header's six cells and the footer line only.
    assert len(calls) == 1 + len(COLUMNS) + 1


def test_cells_read_back_as_written():
    data = build()
    sheet = openpyxl.load_workbook(io.BytesIO(data))["表"]
    first = 3  # the title line, the header, then data
    assert sheet.cell(first, 1).value == " 前后空格 & <b> "
    assert sheet.cell(first, 2).value == dt.datetime(2024, 9, 5)
    assert sheet.cell(first, 2).number_format == "yyyy-mm-dd"
    assert sheet.cell(first, 3).value == 3
    assert sheet.cell(first, 4).value == dt.datetime(1985, 6, 1)
    assert sheet.cell(first, 4).number_format == "yyyy-mm"
    # A number read for an identity number is written as Excel showed it, as text.
    assert sheet.cell(first, 5).value == "3.30682199001011E+17"
    assert sheet.cell(first, 5).data_type == "s"
    assert sheet.cell(first, 5).number_format == "@"
    assert sheet.cell(first + 1, 1).value == "=SUM(A1:A3)"
    assert sheet.cell(first + 1, 1).data_type == "s"  # text, never a formula
    assert sheet.cell(first + 1, 4).value == "1985-06"
    assert sheet.cell(first + 1, 4).number_format == "@"  # a text month is not formatted as a date
    assert sheet.cell(first + 1, 5).value == "33068219900101123X"
    assert sheet.cell(first + 1, 6).value == "13812345678"
    assert sheet.cell(first + 2, 2).value is True
    assert sheet.cell(first + 2, 5).value == "ab\nc"  # the control character dropped
    assert len(sheet.cell(first + 3, 1).value) == 32_767
    assert sheet.cell(first + 3, 4).value == "#N/A"
    assert sheet.cell(first + 4, 1).value == "-1"
    assert sheet.cell(first + 4, 2).value == "不是日期"
    assert sheet.cell(first + 4, 5).value == "000123"
    assert sheet.cell(first + 5, 1).value == "填表人：某某"
    for column in range(1, len(COLUMNS) + 1):  # every data cell styled, empty ones too
        cell = sheet.cell(first + 2, column)
        assert cell.font.name == "宋体" and cell.border.left.style == "thin"


def test_calamine_reads_text_as_text():
    rows = CalamineWorkbook.from_filelike(io.BytesIO(build())).get_sheet_by_name("表").to_python()
    assert rows[2][4] == "3.30682199001011E+17"
    assert rows[3][4] == "33068219900101123X"
    assert rows[3][0] == "=SUM(A1:A3)"
    assert rows[2][1] == dt.date(2024, 9, 5)


@pytest.mark.parametrize("text, lines", [("短", 1), ("很长的工作单位名称" * 4, 7)])  # 72 units in 10.5: 7 lines
def test_row_height_follows_wrapped_text(text, lines):
    sheet = openpyxl.load_workbook(io.BytesIO(build([[text, None, None, None, None, None]])))["表"]
    # Written on every row: LibreOffice would not take the sheet's default.
    assert sheet.row_dimensions[3].height == lines * 15 + 6


def test_min_height_on_every_data_row():
    workbook = stream_workbook()
    table = StreamSheet(workbook, "清单", COLUMNS[:1], min_height=26)
    table.header()
    table.row(["王晓燕"])
    table.row(["很长的工作单位名称" * 2])
    sheet = openpyxl.load_workbook(io.BytesIO(to_bytes(workbook)))["清单"]
    assert [sheet.row_dimensions[n].height for n in (2, 3)] == [26, 4 * 15 + 6]  # 36 units in 10.5: 4 lines
