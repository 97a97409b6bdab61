"""Roster files as contacts really upload them, and hostile ones, built in code.

Every public function returns the bytes of one file. The people in them are
valid applicants of the 2024 batch (`person`), so importer tests can reuse
the files; the reader's tests assert on the raw values these functions put in.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import shutil
import struct
import subprocess
import tempfile
import zipfile
import zlib
from pathlib import Path

import msoffcrypto.format.ooxml
import openpyxl
import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P
from openpyxl.styles import PatternFill
from xlwt.CompoundDoc import XlsDoc

from zcweb.roster.batch import load_preset
from zcweb.roster.schema import load_schema
from zcweb.roster.template import build_template

SCHEMA = load_schema("roster-2024")
HEADERS = [column.header for column in SCHEMA.columns]
KEYS = {column.header: column.key for column in SCHEMA.columns}
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_WOMAN_1949 = "11010519491231002X"  # 女, born 1949-12
ID_MAN_1880 = "440524188001010014"  # 男, born 1880-01
TOKEN = "zcweb1.eyJvcmciOjF9.0123456789abcdef0123456789abcdef"


def make_id(birth: str = "19850612", seq: int = 123, area: str = "330604") -> str:
    """A valid identity number (GB 11643): odd `seq` is 男, even is 女."""
    body = f"{area}{birth}{seq:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS)) % 11]


def person(number: int = 1, **changes) -> dict[str, object]:
    """One applicant as a contact types them, by template header. Number 1
    is 11010519491231002X (女, 1949-12), 2 is 440524188001010014 (男,
    1880-01), others get computed numbers."""
    if number == 1:
        identity = {"姓名": "林秀英", "性别": "女", "身份证号": ID_WOMAN_1949, "出生年月": "1949-12"}
    elif number == 2:
        identity = {"姓名": "陈国强", "性别": "男", "身份证号": ID_MAN_1880, "出生年月": "1880-01"}
    else:
        identity = {"姓名": f"申报人{number}", "性别": "男",
                    "身份证号": make_id("19850612", 2 * number + 1), "出生年月": "1985-06"}
    values = {
        "序号": number, **identity,
        "工作单位(全称)": "浙江上虞精工机械有限公司", "单位性质": "企业", "最高学历": "大学本科",
        "学位": "学士", "毕业院校": "浙江工业大学", "所学专业": "机械工程", "毕业时间": "2008-07",
        "参加工作时间": "2008-07", "现职称": "工程师", "现职称专业": "机械", "现职称取得时间": "2018-12-28",
        "现从事专业/岗位": "设备研发", "申报级别": "高级工程师", "申报专业": "材料", "申报途径": "正常",
        "量化自评分": None, "职业技能等级及取得时间": None, "继续教育学时2022": 90,
        "继续教育学时2023": 92, "继续教育学时2024": 96, "公示开始日期": "2024-08-26",
        "公示结束日期": "2024-08-30", "岗位核定": None, "联系电话": "13805751234", "备注": None,
    }
    values.update(changes)
    return values


def table(headers: list[str], people: list[dict]) -> list[list]:
    """A header row and one row per person, in the order of `headers`."""
    return [list(headers)] + [[p.get(h) for h in headers] for p in people]


def raw(value):
    """A value as python-calamine returns it from an xlsx that openpyxl
    wrote: numbers are floats, empty cells are gone (None here)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def raw_cells(values: dict[str, object]) -> dict[str, object]:
    """A person as the reader returns them from an openpyxl xlsx (and from
    .ods and LibreOffice's .xls): numbers are floats."""
    return {KEYS[header]: raw(value) for header, value in values.items()}


def text_cells(values: dict[str, object]) -> dict[str, object]:
    """A person as the reader returns them from CSV: all text."""
    return {KEYS[header]: None if value is None else str(value) for header, value in values.items()}


def keyed(values: dict[str, object]) -> dict[str, object]:
    """A person by column key, values untouched (xlwt's .xls keeps ints)."""
    return {KEYS[header]: value for header, value in values.items()}


# ---------------------------------------------------------------- xlsx

def save(workbook: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx(rows: list[list], sheet: str = "申报人员") -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.title = sheet
    for row in rows:
        workbook.active.append(row)
    return save(workbook)


def plain_xlsx() -> bytes:
    """The template's columns in a contact's own sheet: header on row 1."""
    return xlsx(table(HEADERS, [person(1), person(2)]))


def header_only_xlsx() -> bytes:
    return xlsx([HEADERS])


def template_xlsx() -> bytes:
    """Our own template with two people and the signed token, as downloaded."""
    spec = load_preset(2024)
    rows = [{KEYS[h]: v for h, v in person(n).items() if v is not None} for n in (1, 2)]
    return build_template(SCHEMA, spec, org_name="百官街道", token=TOKEN, rows=rows)


VARIANT_HEADERS = {"姓名": "申报人姓名", "身份证号": "公民身份号码", "工作单位(全称)": "单位名称",
                   "出生年月": "出生日期", "继续教育学时2022": "2022年继续教育学时",
                   "联系电话": "手机号码"}


def header_variants_xlsx() -> bytes:
    """Last year's wording of the headers."""
    headers = [VARIANT_HEADERS.get(h, h) for h in HEADERS]
    return xlsx([headers] + table(HEADERS, [person(1)])[1:])


def id_header_xlsx(name: str) -> bytes:
    """The identity column headed `name` (身份证号码, 公民身份号码, ...)."""
    headers = [name if h == "身份证号" else h for h in HEADERS]
    return xlsx([headers] + table(HEADERS, [person(1)])[1:])


SHUFFLED = ["联系电话", "身份证号", "姓名", "申报专业", "性别", "出生年月"] + [
    h for h in HEADERS if h not in ("联系电话", "身份证号", "姓名", "申报专业", "性别", "出生年月")]


def shuffled_columns_xlsx() -> bytes:
    return xlsx(table(SHUFFLED, [person(1), person(2)]))


def title_rows_xlsx() -> bytes:
    """A title, a subtitle and an empty row above the header (row 4)."""
    rows = [["2024年度高级工程师申报推荐花名册"], ["报送单位：百官街道（盖章）", None, "填报日期：2024年8月30日"], []]
    return xlsx(rows + table(HEADERS, [person(1)]))


ANNOTATED = {"姓名": "姓名（必填）", "身份证号": "身份\n证号", "性别": "＊性别", "出生年月": " 出生年月 ",
             "工作单位(全称)": "工作单位（全称）", "申报专业": "申报专业【下拉选择】",
             "继续教育学时2022": "继续教育学时（2022）", "联系电话": "联系电话*"}


def annotated_headers_xlsx() -> bytes:
    """Notes, line breaks, spaces, full-width brackets and stars in headers."""
    headers = [ANNOTATED.get(h, h) for h in HEADERS]
    return xlsx([headers] + table(HEADERS, [person(1)])[1:])


def extra_columns_xlsx() -> bytes:
    """Unknown columns (籍贯, 民族, an empty header) and our own info column."""
    headers = HEADERS + ["籍贯", "民族", None, "审核状态"]
    row = table(HEADERS, [person(1)])[1] + ["浙江绍兴", "汉族", "无表头的值", "拟推荐"]
    return xlsx([headers, row])


def missing_required_xlsx() -> bytes:
    headers = [h for h in HEADERS if h not in ("身份证号", "申报专业")]
    return xlsx(table(headers, [person(1)]))


def duplicate_header_xlsx() -> bytes:
    """身份证号 in column D and again, as 身份证号码, in column AE."""
    headers = HEADERS + ["身份证号码"]
    row = table(HEADERS, [person(1)])[1] + ["330604198506121234"]
    return xlsx([headers, row])


def hidden_first_sheet_xlsx() -> bytes:
    """An old roster in a hidden first sheet, this year's in a visible one."""
    workbook = openpyxl.Workbook()
    old = workbook.active
    old.title = "2023年"
    for row in table(HEADERS, [person(3)]):
        old.append(row)
    old.sheet_state = "hidden"
    current = workbook.create_sheet("申报人员")
    for row in table(HEADERS, [person(1)]):
        current.append(row)
    workbook.active = 1
    return save(workbook)


def two_sheets_xlsx() -> bytes:
    """No 申报人员 sheet: a notes sheet first, the roster in "花名册"."""
    workbook = openpyxl.Workbook()
    workbook.active.title = "说明"
    workbook.active.append(["请各单位于9月5日前报送", "姓名", "性别"])
    roster = workbook.create_sheet("花名册")
    for row in table(HEADERS, [person(1)]):
        roster.append(row)
    return save(workbook)


def instructions_only_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.title = "填报说明"
    workbook.active.append(["姓名", "性别", "身份证号", "出生年月"])
    return save(workbook)


ID_FORMS = [
    110105194912310020,  # typed into a number cell: a float, last digits lost
    "1.10105E+17",  # what Excel shows for such a cell, saved as text
    "110105491231002",  # an old 15-digit number
    "11010519491231002x",  # lowercase x
    "１１０１０５１９４９１２３１００２Ｘ",  # full width
    "\u00a011010519491231002X\u200b",  # NBSP before, zero-width space after
    "'11010519491231002X",  # an apostrophe pasted in as text
]


def id_number_forms_xlsx() -> bytes:
    """Identity numbers as Excel users produce them, one row each; the last
    row is typed with Excel's quote prefix, which is a style, not text."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "申报人员"
    for row in table(HEADERS, [person(1, 身份证号=value) for value in ID_FORMS + [ID_WOMAN_1949]]):
        sheet.append(row)
    sheet.cell(len(ID_FORMS) + 2, HEADERS.index("身份证号") + 1).quotePrefix = True
    return save(workbook)


DATE_FORMS = [dt.datetime(2024, 8, 1), 45505, "2024-08-01", "2024/8/1", "2024.8.1", "2024年8月1日", "20240801"]


def date_forms_xlsx() -> bytes:
    """现职称取得时间 as a date cell, an Excel serial in a General cell, and
    every text form; 出生年月 as a date cell formatted yyyy-mm."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "申报人员"
    people = [person(1, 现职称取得时间=value) for value in DATE_FORMS]
    people[0]["出生年月"] = dt.datetime(1949, 12, 1)
    for row in table(HEADERS, people):
        sheet.append(row)
    sheet.cell(2, HEADERS.index("出生年月") + 1).number_format = "yyyy-mm"
    return save(workbook)


def filtered_xlsx() -> bytes:
    """Last year's people kept in the sheet and filtered out of sight: rows
    3 and 5 hidden (<row hidden="1">), as Excel's filter leaves them."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "申报人员"
    for row in table(HEADERS, [person(1), person(3), person(2), person(4)]):
        sheet.append(row)
    for number in (3, 5):
        sheet.row_dimensions[number].hidden = True
    return save(workbook)


def two_row_header_xlsx() -> bytes:
    """The header on two rows, as many offices draw it: “继续教育学时”
    merged across three columns above the years (typed as numbers, one as
    “2024年”), “联系方式” above “联系电话”, and every other label merged
    down over both rows; a title above."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "申报人员"
    sheet.append(["百官街道 申报人员花名册"])
    ce = [h for h in HEADERS if h.startswith("继续教育学时")]
    first = HEADERS.index(ce[0]) + 1
    upper = [("继续教育学时" if h == ce[0] else None) if h in ce else ("联系方式" if h == "联系电话" else h)
             for h in HEADERS]
    lower = [(2022, 2023, "2024年")[ce.index(h)] if h in ce else ("联系电话" if h == "联系电话" else None)
             for h in HEADERS]
    sheet.append(upper)
    sheet.append(lower)
    sheet.merge_cells(start_row=2, start_column=first, end_row=2, end_column=first + 2)
    for column, header in enumerate(HEADERS, 1):
        if header not in ce and header != "联系电话":
            sheet.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)
    for row in table(HEADERS, [person(1), person(2)])[1:]:
        sheet.append(row)
    return save(workbook)


def merged_cells_xlsx() -> bytes:
    """Two colleagues with 工作单位 merged over both rows, as people format."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "申报人员"
    for row in table(HEADERS, [person(1), person(2, **{"工作单位(全称)": None})]):
        sheet.append(row)
    column = HEADERS.index("工作单位(全称)") + 1
    sheet.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)
    return save(workbook)


LONG_TEXT = "很长的备注" * 1000  # 5,000 characters


def odd_text_xlsx() -> bytes:
    """A 5,000-character remark, a script tag as a name, and control
    characters, which Excel keeps escaped as _x0007_ in the file."""
    rows = table(HEADERS, [person(1, 姓名="<script>alert(1)</script>", 备注=LONG_TEXT),
                           person(2, 姓名="陈_x0007_国强\t")])
    return xlsx(rows)


def gaps_xlsx() -> bytes:
    """Rows a contact leaves between people: empty, spaces only, a value
    only in an unknown column; and a row whose only value is a 0."""
    rows = table(HEADERS + ["备用"], [person(1)])
    rows += [[None] * len(HEADERS),
             [" ", "\u3000", None, "\t"] + [None] * (len(HEADERS) - 4),
             [None] * len(HEADERS) + ["草稿"],
             [0 if h == "继续教育学时2022" else None for h in HEADERS]]
    rows += table(HEADERS, [person(2)])[1:]
    return xlsx(rows)


def many_rows_xlsx(count: int) -> bytes:
    return xlsx(table(HEADERS, [person(n) for n in range(3, 3 + count)]))


def styled_template_like_xlsx(rows: int = 1000) -> bytes:
    """Our template's shape without its writer: 1,000 styled, empty rows."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "申报人员"
    sheet.append(HEADERS)
    fill = PatternFill("solid", fgColor="FFF2CC")
    for row in range(2, rows + 2):
        for column in range(1, len(HEADERS) + 1):
            cell = sheet.cell(row, column)
            cell.fill = fill
            cell.number_format = "@"
    return save(workbook)


# ---------------------------------------------------------------- hand-written xlsx

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="{main}"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '</Types>')
_XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="申报人员" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def text_cell(reference: str, text: object) -> str:
    text = str(text).replace("&", "&amp;").replace("<", "&lt;")
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


def row_xml(number: int, values: list, start_column: int = 0) -> str:
    cells = "".join(text_cell(f"{column_letter(start_column + i)}{number}", v)
                    for i, v in enumerate(values) if v is not None)
    return f'<row r="{number}">{cells}</row>'


def hand_xlsx(sheet_data: str, dimension: str | None = None, main: str = _XLSX_MAIN,
              extra: dict[str, bytes] | None = None) -> bytes:
    """An xlsx whose one sheet ("申报人员") has exactly `sheet_data`."""
    dimension_xml = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = ('<?xml version="1.0" encoding="UTF-8"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'{dimension_xml}<sheetData>{sheet_data}</sheetData></worksheet>')
    members = {
        "[Content_Types].xml": _CONTENT_TYPES.format(main=main), "_rels/.rels": _ROOT_RELS,
        "xl/workbook.xml": _WORKBOOK, "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet, **(extra or {}),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _roster_rows(people: list[dict]) -> str:
    return "".join(row_xml(n, row) for n, row in enumerate(table(HEADERS, people), 1))


def formulas_xlsx() -> bytes:
    """Formulas with the values Excel cached: calamine reads the values."""
    formulas = {
        "姓名": (' t="str"', 'CONCATENATE("林","秀英")', "林秀英"),
        "出生年月": (' t="str"', 'MID(D2,7,4)&amp;"-"&amp;MID(D2,11,2)', "1949-12"),
        "继续教育学时2024": ("", "SUM(40,56)", "96"),
    }
    cells = []
    for index, (header, value) in enumerate(zip(HEADERS, table(HEADERS, [person(1)])[1])):
        reference = f"{column_letter(index)}2"
        if header in formulas:
            kind, formula, cached = formulas[header]
            cells.append(f'<c r="{reference}"{kind}><f>{formula}</f><v>{cached}</v></c>')
        elif value is not None:
            cells.append(text_cell(reference, value))
    return hand_xlsx(row_xml(1, HEADERS) + f'<row r="2">{"".join(cells)}</row>')


def claim_styled_rows_xlsx() -> bytes:
    """What LibreOffice or WPS leave after formatting whole rows: the sheet
    claims all 1,048,576 rows, styled and empty, and two real rows."""
    empty = "".join(
        f'<row r="{n}" s="1" customFormat="1" ht="15" customHeight="1"><c r="A{n}" s="1"/>'
        f'<c r="B{n}" s="1"/></row>' for n in range(4, 1048577))
    return hand_xlsx(_roster_rows([person(1), person(2)]) + empty,
                     dimension=f"A1:{column_letter(len(HEADERS) - 1)}1048576")


def claim_dimension_xlsx() -> bytes:
    """A sheet whose dimension claims 1,048,576 rows around two real rows."""
    return hand_xlsx(_roster_rows([person(1), person(2)]), dimension="A1:AD1048576")


def stray_value_xlsx(row: int = 1048576, column: int = 0) -> bytes:
    """A stray "x" typed far below the roster (Ctrl+↓, then a key), in
    column A or the 0-based `column`."""
    right = column_letter(max(column, len(HEADERS) - 1))
    return hand_xlsx(_roster_rows([person(1)]) + row_xml(row, ["x"], start_column=column),
                     dimension=f"A1:{right}{row}")


def far_corner_xlsx() -> bytes:
    """6 KB that would make calamine ask for 550 GB and abort the process."""
    return hand_xlsx(_roster_rows([person(1)]) + f'<row r="1048576">{text_cell("XFD1048576", "x")}</row>')


def counted_cells_xlsx() -> bytes:
    """Cells without r="A1" references, as some exporting programs write
    them; calamine places them by counting."""
    rows = "".join(
        "<row>" + "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' if v is not None else "<c/>"
                          for v in values) + "</row>"
        for values in table(HEADERS, [person(1)]))
    return hand_xlsx(rows)


def counted_far_xlsx() -> bytes:
    """Counted cells that reach XFD1048576: in-process they would abort."""
    far = "<c><v>1</v></c>" * 16384
    return hand_xlsx(_roster_rows([person(1)]) + f'<row r="1048576">{far}</row>')


def xlsm() -> bytes:
    """A macro workbook: a VBA project and the macro-enabled content type."""
    return hand_xlsx(_roster_rows([person(1)]), main=_XLSM_MAIN,
                     extra={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)})


def damaged_xlsb() -> bytes:
    """An .xlsb package whose workbook part is three bytes of nothing."""
    return _zip({"[Content_Types].xml": "<Types/>", "xl/workbook.bin": b"\x83\x01\x00"})


def xlsm_without_vba() -> bytes:
    """Saved as "Excel 启用宏的工作簿" but holding no macros."""
    return hand_xlsx(_roster_rows([person(1), person(2)]), main=_XLSM_MAIN)


@functools.lru_cache(maxsize=None)
def zip_bomb() -> bytes:
    """An xlsx shell around a 210 MB sheet of spaces that deflates to 200 KB."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b" " * (1 << 20)
    deflated = b"".join(compressor.compress(chunk) for _ in range(210)) + compressor.flush()
    return _zip({"xl/workbook.xml": _WORKBOOK},
                deflated={"xl/worksheets/sheet1.xml": (deflated, 210 << 20, zlib.crc32(chunk * 210))})


def ratio_bomb() -> bytes:
    """Well under the total limit, but one 20 MB member deflates 1000:1."""
    data = bytes(20 << 20)
    return _zip({"xl/workbook.xml": _WORKBOOK, "xl/worksheets/sheet1.xml": data})


def lying_size_xlsx() -> bytes:
    """A valid xlsx whose sheet member declares 100 bytes and inflates to
    far more: its headers lie, so only inflating it tells."""
    data = bytearray(plain_xlsx())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    struct.pack_into("<I", data, info.header_offset + 22, 100)  # local header
    struct.pack_into("<I", data, _central_entry(bytes(data), info.filename) + 24, 100)
    return bytes(data)


def _central_entry(data: bytes, name: str) -> int:
    """The offset of `name`'s record in the zip's central directory."""
    offset = struct.unpack_from("<I", data, data.rindex(b"PK\x05\x06") + 16)[0]
    while True:
        name_length, extra_length, comment_length = struct.unpack_from("<3H", data, offset + 28)
        if data[offset + 46:offset + 46 + name_length] == name.encode():
            return offset
        offset += 46 + name_length + extra_length + comment_length


def _zip(members: dict[str, str | bytes], deflated: dict[str, tuple[bytes, int, int]] | None = None) -> bytes:
    """A zip of `members`, plus members given already deflated with their
    declared size and CRC (so a bomb needs no 210 MB in memory)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    if not deflated:
        return buffer.getvalue()
    return _append_deflated(buffer.getvalue(), deflated)


def _append_deflated(data: bytes, members: dict[str, tuple[bytes, int, int]]) -> bytes:
    end = data.rindex(b"PK\x05\x06")
    central_start = struct.unpack_from("<I", data, end + 16)[0]
    body, central, count = bytearray(data[:central_start]), bytearray(data[central_start:end]), 0
    for name, (deflated, size, crc) in members.items():
        encoded = name.encode()
        offset = len(body)
        body += struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(deflated), size,
                            len(encoded), 0) + encoded + deflated
        central += struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(deflated),
                               size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded
        count += 1
    entries = struct.unpack_from("<H", data, end + 10)[0] + count
    tail = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, entries, entries, len(central), len(body), 0)
    return bytes(body + central + tail)


def encrypted_xlsx() -> bytes:
    """Excel's "encrypt with password": an OLE2 file with EncryptionInfo."""
    source, target = io.BytesIO(plain_xlsx()), io.BytesIO()
    msoffcrypto.format.ooxml.OOXMLFile(source).encrypt("123456", target)
    return target.getvalue()


# ---------------------------------------------------------------- other files

def docx() -> bytes:
    return _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})


def plain_zip() -> bytes:
    return _zip({"花名册.xlsx": plain_xlsx(), "说明.txt": "请查收"})


def gbk_named_zip() -> bytes:
    """Zipped on a Chinese Windows: GBK names without the UTF-8 flag, and
    more files than the refusal lists."""
    names = [name.encode("gbk") for name in ("照片/张三.jpg", "照片/李四.jpg", "照片/王五.jpg", "说明.txt")]
    # zipfile writes non-ASCII names as UTF-8: write ASCII stand-ins of the
    # same length, then put the GBK bytes in their place.
    stand_ins = [f"{i}".encode().ljust(len(name), b"_") for i, name in enumerate(names)]
    data = _zip({stand_in.decode(): "x" for stand_in in stand_ins})
    for stand_in, name in zip(stand_ins, names):
        data = data.replace(stand_in, name)
    return data


def pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def png() -> bytes:
    """A real 1x1 white PNG, as a screenshot of a roster would start."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">2I5B", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b""))


def jpeg() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def empty() -> bytes:
    return b""


def html_xls() -> bytes:
    """What many systems export as "花名册.xls": an HTML table."""
    rows = "".join("<tr>" + "".join(f"<td>{v or ''}</td>" for v in row) + "</tr>"
                   for row in table(HEADERS, [person(1)]))
    return f"<html><head><meta charset='utf-8'></head><body><table>{rows}</table></body></html>".encode()


def _html_cell(value) -> str:
    """A cell as an HR system's or Excel's web-page export writes it."""
    if value is None:
        return "<td class=xl66>&nbsp;</td>"
    text = str(value).replace("&", "&amp;").replace("<", "&lt;")
    return f"<td class=xl65 style='mso-number-format:\"\\@\"' x:str>{text}</td>"


def web_page_xls() -> bytes:
    """Excel's or an HR system's "网页" export saved as 花名册.xls, in GBK
    (declared as gb2312): Office's namespaces and conditional comments, a
    title cell across every column, &nbsp; for empty cells, markup inside
    cells, <br> in a remark, then a second small table for the signature."""
    people = [person(1), person(2, 备注="材料已交\n原件已核")]
    body = [f"<tr height=30><td colspan={len(HEADERS)} class=title>百官街道 申报人员花名册</td></tr>",
            "<tr>" + "".join(f"<th>{h}</th>" for h in HEADERS) + "</tr>"]
    for values in people:
        cells = [_html_cell(values[h]) for h in HEADERS]
        name = HEADERS.index("姓名")
        cells[name] = f"<td><font face=宋体><b>{values['姓名'][0]}</b>{values['姓名'][1:]}</font></td>"
        if values["备注"]:
            cells[HEADERS.index("备注")] = "<td>  " + "<br>\n   ".join(values["备注"].split("\n")) + " </td>"
        body.append("<tr>\n  " + "\n  ".join(cells) + "\n</tr>")
    page = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:x="urn:schemas-microsoft-com:office:excel" xmlns="http://www.w3.org/TR/REC-html40">\n'
        '<head><meta http-equiv=Content-Type content="text/html; charset=gb2312">\n'
        "<style><!-- td {mso-number-format:General;} .xl65 {mso-number-format:\\@;} --></style>\n"
        "<!--[if gte mso 9]><xml><x:ExcelWorkbook><x:ExcelWorksheets><x:ExcelWorksheet>"
        "<x:Name>申报人员</x:Name></x:ExcelWorksheet></x:ExcelWorksheets></x:ExcelWorkbook></xml><![endif]-->\n"
        "</head><body><table border=1 cellspacing=0>\n" + "\n".join(body) + "\n</table>\n"
        "<table><tr><td>填表人：王丽</td><td>联系电话：0575-82123456</td></tr></table></body></html>")
    return page.encode("gbk")


def web_archive_mht() -> bytes:
    """Excel's "单个文件网页" (.mht) of a workbook: a MIME message whose main
    page is a frameset and whose sheet is a page of its own, in us-ascii
    with every Chinese character written as &#…;, quoted-printable."""
    import quopri

    def part(location: str, kind: str, text: str) -> str:
        body = quopri.encodestring(text.encode("ascii", "xmlcharrefreplace")).decode("ascii")
        return (f"------=_NextPart_01DA\nContent-Location: file:///C:/D/{location}\n"
                f"Content-Transfer-Encoding: quoted-printable\nContent-Type: {kind}; charset=\"us-ascii\"\n\n{body}\n")

    rows = "".join("<tr>" + "".join(f"<td>{'' if v is None else v}</td>" for v in row) + "</tr>"
                   for row in table(HEADERS, [person(1), person(2)]))
    return ("MIME-Version: 1.0\nX-Document-Type: Workbook\n"
            'Content-Type: multipart/related; boundary="----=_NextPart_01DA"\n\n'
            "此文档为单个文件网页，也称为 Web 档案文件。\n\n"
            + part("book.htm", "text/html", '<html><frameset rows="*,39"><frame src="sheet001.htm"></frameset></html>')
            + part("book_files/filelist.xml", "text/xml", '<xml><o:File HRef="sheet001.htm"/></xml>')
            + part("book_files/sheet001.htm", "text/html",
                   f"<html><body><table x:str border=0>{rows}</table></body></html>")
            + "------=_NextPart_01DA--\n").encode("utf-8")


def web_archive_without_table() -> bytes:
    """A web archive of a page with no table (a system's notice saved as .mht)."""
    return ('MIME-Version: 1.0\nContent-Type: multipart/related; boundary="b"\n\n--b\n'
            "Content-Type: text/html; charset=\"utf-8\"\n\n<html><body><p>通知</p></body></html>\n--b--\n").encode()


def _ss_cell(value, index: int | None = None) -> str:
    place = f' ss:Index="{index}"' if index else ""
    if isinstance(value, dt.date):
        return f'<Cell{place}><Data ss:Type="DateTime">{value:%Y-%m-%d}T00:00:00.000</Data></Cell>'
    kind = "Number" if isinstance(value, (int, float)) else "String"
    text = str(value).replace("&", "&amp;").replace("<", "&lt;")
    return f'<Cell{place}><Data ss:Type="{kind}">{text}</Data></Cell>'


def _ss_row(values: list) -> str:
    """A row as Excel writes it: empty cells left out, the next one placed by ss:Index."""
    cells, skipped = [], False
    for number, value in enumerate(values, 1):
        if value is None:
            skipped = True
            continue
        cells.append(_ss_cell(value, number if skipped else None))
        skipped = False
    return "<Row>" + "".join(cells) + "</Row>"


def xml_spreadsheet_xls(token: str = TOKEN) -> bytes:
    """Excel's "XML 电子表格 2003" (saved as .xls by some systems): the
    template's title across the columns, its header, two people with
    numbers and a date as typed cells, a blank row (ss:Index), and the
    template's hidden metadata sheet with the token."""
    people = [person(1, 现职称取得时间=dt.date(2018, 12, 28)), person(2)]
    rows = [f'<Row><Cell ss:MergeAcross="{len(HEADERS) - 1}"><Data ss:Type="String">百官街道 申报人员花名册</Data>'
            "</Cell></Row>", _ss_row(HEADERS), *(_ss_row(row) for row in table(HEADERS, people)[1:])]
    rows[3] = rows[3].replace("<Row>", '<Row ss:Index="5">')  # the second person after a blank row
    meta = ('<Worksheet ss:Name="_meta"><Table><Row><Cell><Data ss:Type="String">' + token
            + '</Data></Cell></Row></Table><WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel">'
            "<Visible>SheetHidden</Visible></WorksheetOptions></Worksheet>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<?mso-application progid="Excel.Sheet"?>\n'
            '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
            'xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel" '
            'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet" xmlns:html="http://www.w3.org/TR/REC-html40">\n'
            '<Styles><Style ss:ID="Default" ss:Name="Normal"><Font ss:FontName="宋体"/></Style></Styles>\n'
            '<Worksheet ss:Name="申报人员"><Table>' + "\n".join(rows) + "</Table></Worksheet>\n"
            + meta + "\n</Workbook>\n").encode("utf-8")


def xml_spreadsheet_damaged() -> bytes:
    """That file cut off in the middle, as a broken download leaves it."""
    data = xml_spreadsheet_xls()
    return data[:len(data) // 2]


def xml_spreadsheet_entities() -> bytes:
    """An XML spreadsheet with a DTD that defines entities ("billion laughs")."""
    data = xml_spreadsheet_xls().decode()
    dtd = '<!DOCTYPE Workbook [<!ENTITY a "哈哈哈哈哈哈哈哈"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
    return data.replace("<Workbook ", dtd + "<Workbook ", 1).replace("宋体", "&b;").encode()


def page_without_table() -> bytes:
    """A web page with no table: a system's login page saved instead of its export."""
    return "<!DOCTYPE html><html><head><title>登录</title></head><body><p>请先登录</p></body></html>".encode()


def other_xml() -> bytes:
    """An XML file that is no spreadsheet (a system's data export)."""
    return '<?xml version="1.0" encoding="UTF-8"?><人员列表><人员 姓名="林秀英"/></人员列表>'.encode()


def web_page_gbk_damaged() -> bytes:
    """The web-page export with a byte that no text encoding has, on its third line."""
    return _damaged_on_line_3(web_page_xls())


def web_page_too_wide() -> bytes:
    """A page whose one row spans more columns than any spreadsheet has."""
    return ("<table><tr>" + '<td colspan="1000">姓名</td>' * 20 + "</tr></table>").encode()


# ---------------------------------------------------------------- csv

def csv_text(delimiter: str = ",", people: list[dict] | None = None) -> str:
    lines = []
    for row in table(HEADERS, people or [person(1), person(2)]):
        cells = ["" if v is None else str(v) for v in row]
        lines.append(delimiter.join(f'"{c}"' if any(ch in c for ch in f'{delimiter}"\n') else c
                                    for c in cells))
    return "\r\n".join(lines) + "\r\n"


def csv_utf8() -> bytes:
    return csv_text().encode("utf-8")


def csv_utf8_bom() -> bytes:
    return csv_text().encode("utf-8-sig")


def csv_gbk() -> bytes:
    """Excel's "CSV (逗号分隔)" on a Chinese Windows: GBK, no BOM."""
    return csv_text().encode("gbk")


def _damaged_on_line_3(data: bytes) -> bytes:
    """A byte that no text encoding has, typed into the second person's row."""
    cut = data.index(b"\n", data.index(b"\n") + 1) + 3
    return data[:cut] + b"\xff" + data[cut:]


def csv_gbk_damaged() -> bytes:
    return _damaged_on_line_3(csv_gbk())


def csv_utf8_damaged() -> bytes:
    return _damaged_on_line_3(csv_utf8())


def csv_tab() -> bytes:
    return csv_text("\t").encode("utf-8")


def csv_semicolon() -> bytes:
    return csv_text(";").encode("utf-8")


def unicode_text() -> bytes:
    """Excel's "Unicode 文本": UTF-16 with a byte order mark, tab-separated."""
    return csv_text("\t").encode("utf-16")


def unicode_text_damaged() -> bytes:
    """Unicode 文本 with half a character (a lone surrogate) in line 3."""
    text = csv_text("\t")
    cut = text.index("\n", text.index("\n") + 1) + 3
    return (text[:cut] + "\ud800" + text[cut:]).encode("utf-16", "surrogatepass")


def csv_odd_text() -> bytes:
    """A quoted remark over two lines, a script tag, control characters."""
    people = [person(1, 备注="第一行\n第二行"), person(2, 姓名="<script>alert(1)</script>\x07")]
    return csv_text(",", people).encode("utf-8")


def csv_with_nul() -> bytes:
    return csv_utf8().replace("林秀英".encode(), b"\x00\x00")


def undecodable() -> bytes:
    return "姓名,性别,身份证号\r\n".encode() + b"\x80\xff\x80\r\n"


# ---------------------------------------------------------------- xls (xlwt)

def _xlwt_book(sheets: dict[str, list[list]], hidden: tuple[str, ...] = ()) -> xlwt.Workbook:
    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for name, rows in sheets.items():
        sheet = book.add_sheet(name)
        sheet.visibility = 1 if name in hidden else 0
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    sheet.write(r, c, value, date_style)
                elif value is not None:
                    sheet.write(r, c, value)
    return book


def _xlwt_bytes(book: xlwt.Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xls() -> bytes:
    """A real .xls (BIFF8, written by xlwt) with a date cell."""
    rows = table(HEADERS, [person(1, 现职称取得时间=dt.date(2018, 12, 28)), person(2)])
    return _xlwt_bytes(_xlwt_book({"申报人员": rows}))


def xls_many_rows(count: int) -> bytes:
    return _xlwt_bytes(_xlwt_book({"申报人员": table(HEADERS, [person(n) for n in range(3, 3 + count)])}))


def filtered_xls() -> bytes:
    """The .xls of `filtered_xlsx`: rows 3 and 5 hidden (ROW records with
    fDyZero, as Excel's filter leaves them), and a hidden row on another
    sheet with an ASCII name, which is not the roster's."""
    book = _xlwt_book({"申报人员": table(HEADERS, [person(1), person(3), person(2), person(4)]),
                       "Notes": [["说明"], ["第二行"]]})
    for number in (3, 5):
        book.get_sheet(0).row(number - 1).hidden = True
    book.get_sheet(1).row(1).hidden = True
    return _xlwt_bytes(book)


def xls_hidden_sheet() -> bytes:
    rows = table(HEADERS, [person(1)])
    return _xlwt_bytes(_xlwt_book({"旧名单": table(HEADERS, [person(3)]), "Sheet1": rows},
                                  hidden=("旧名单",)))


def xls_password() -> bytes:
    """An .xls with "password to open": a FILEPASS record after the BOF."""
    stream = _xlwt_book({"申报人员": table(HEADERS, [person(1)])}).get_biff_data()
    bof_end = 4 + struct.unpack_from("<H", stream, 2)[0]
    filepass = struct.pack("<HHH", 0x002F, 54, 1) + bytes(52)  # RC4
    buffer = io.BytesIO()
    XlsDoc().save(buffer, stream[:bof_end] + filepass + stream[bof_end:])
    return buffer.getvalue()


def xls_garbage() -> bytes:
    """An OLE2 file whose Workbook stream is not BIFF: a damaged .xls."""
    buffer = io.BytesIO()
    XlsDoc().save(buffer, b"\x09\x08\x10\x00" + bytes(range(256)) * 8)
    return buffer.getvalue()


def xls_macro() -> bytes:
    """An .xls carrying a _VBA_PROJECT_CUR storage next to its Workbook."""
    data = bytearray(xls())
    entry = bytes(data).index("Workbook\x00".encode("utf-16-le"))
    struct.pack_into("<l", data, entry + 72, 2)  # Workbook's right sibling: entry 2
    name = "_VBA_PROJECT_CUR\x00".encode("utf-16-le")
    storage = entry + 128
    data[storage:storage + 64] = name.ljust(64, b"\x00")
    struct.pack_into("<HBB3l", data, storage + 64, len(name), 1, 1, -1, -1, -1)
    return bytes(data)


# ---------------------------------------------------------------- ods (odfpy)

def ods(rows: list[list] | None = None, repeated: tuple[int, int] | None = None) -> bytes:
    """An OpenDocument spreadsheet written by odfpy; `repeated` adds a row of
    an "x" repeated (rows, columns) times, the ODF way of compressing."""
    document = OpenDocumentSpreadsheet()
    sheet = Table(name="申报人员")
    for values in rows if rows is not None else table(HEADERS, [person(1), person(2)]):
        row = TableRow()
        for value in values:
            row.addElement(_ods_cell(value))
        sheet.addElement(row)
    if repeated:
        row = TableRow(numberrowsrepeated=repeated[0])
        row.addElement(_ods_cell("x", numbercolumnsrepeated=repeated[1]))
        sheet.addElement(row)
    document.spreadsheet.addElement(sheet)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def _ods_cell(value, **attributes) -> TableCell:
    if value is None:
        return TableCell(**attributes)
    if isinstance(value, (int, float)):
        cell = TableCell(valuetype="float", value=value, **attributes)
    else:
        cell = TableCell(valuetype="string", **attributes)
    cell.addElement(P(text=str(value)))
    return cell


def ods_repeat_bomb() -> bytes:
    """1.5 KB that expands to 1,048,575 x 1,024 cells of "x"."""
    return ods(table(HEADERS, [person(1)]), repeated=(1048575, 1024))


# ---------------------------------------------------------------- LibreOffice

def soffice_convert(data: bytes, suffix: str, target: str) -> bytes:
    """`data` (a file ending in `suffix`) saved by LibreOffice as `target`
    ("xls", "ods", "xlsx", "csv")."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / f"roster{suffix}"
        source.write_bytes(data)
        profile = Path(folder, "profile").as_uri()
        subprocess.run([shutil.which("soffice") or "soffice", f"-env:UserInstallation={profile}",
                        "--headless", "--convert-to", target, "--outdir", str(Path(folder, "out")),
                        str(source)], check=True, capture_output=True, timeout=180)
        return Path(folder, "out", f"roster.{target}").read_bytes()




def stray_space_xlsx(text: str = " ", reference: str = "AD1048576") -> bytes:
    """Our filled template with `text` typed far away (Ctrl+End, then the
    space bar), saved as Excel saves it: a shared string."""
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    book["申报人员"][reference] = text
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def inline_blank_far_xlsx() -> bytes:
    """Far cells holding an inline ideographic space and a styled nothing."""
    far = ('<c r="AD1048576" t="inlineStr"><is><t xml:space="preserve">\u3000 </t></is></c>'
           '<c r="AE1048576" s="1"></c>')
    return hand_xlsx(_roster_rows([person(1), person(2)]) + f'<row r="1048576">{far}</row>',
                     dimension="A1:AE1048576")


# ---------------------------------------------------------------- other writers' packages

FIXTURES = Path(__file__).with_name("files")
_STRICT_NAMESPACES = {
    b"http://schemas.openxmlformats.org/spreadsheetml/2006/main": b"http://purl.oclc.org/ooxml/spreadsheetml/main",
    b"http://schemas.openxmlformats.org/officeDocument/2006/relationships":
        b"http://purl.oclc.org/ooxml/officeDocument/relationships",
}
_BARE_PARTS = {"xl/workbook.xml": "workbook.xml", "xl/worksheets/sheet1.xml": "sheet1.xml",
               "xl/styles.xml": "styles.xml", "xl/theme/theme1.xml": "theme1.xml",
               "xl/_rels/workbook.xml.rels": "_rels/workbook.xml.rels", "xl/sharedStrings.xml": "sharedStrings.xml"}


def rewritten(data: bytes, rename=lambda name: name, edit=lambda name, content: content,
              drop: tuple[str, ...] = ()) -> bytes:
    """A copy of a zip with its members renamed, edited or dropped."""
    source, buffer = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            if name not in drop:
                archive.writestr(rename(name), edit(name, source.read(name)))
    return buffer.getvalue()


def backslash_xlsx(data: bytes | None = None) -> bytes:
    """As some Chinese HR systems export: `xl\\worksheets\\sheet1.xml`."""
    return rewritten(data or plain_xlsx(), rename=lambda name: name.replace("/", "\\"))


def worksheets_only_xlsx() -> bytes:
    """A damaged workbook whose zip lost its directory's entries of
    [Content_Types].xml, the workbook and the relationships, as a flipped
    byte can make it: its sheet, styles and docProps are still listed."""
    return rewritten(plain_xlsx(), drop=("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml",
                                         "xl/_rels/workbook.xml.rels"))


def properties_only_xlsx() -> bytes:
    """A damaged workbook whose zip directory lists nothing but its
    document properties."""
    kept = ("docProps/app.xml", "docProps/core.xml")
    return rewritten(plain_xlsx(), drop=tuple(n for n in zipfile.ZipFile(io.BytesIO(plain_xlsx())).namelist()
                                              if n not in kept))


def unknown_zip_version_xlsx() -> bytes:
    """A damaged workbook whose zip directory asks for a zip version 12.5
    to extract its first member (Python's zipfile then refuses to open it)."""
    data = bytearray(plain_xlsx())
    entry = data.find(b"PK\x01\x02")
    data[entry + 6:entry + 8] = struct.pack("<H", 125)
    return bytes(data)


def bare_xlsx() -> bytes:
    """A package with its parts at the top and no docProps."""
    def edit(name: str, content: bytes) -> bytes:
        for old, new in _BARE_PARTS.items():
            content = content.replace(f"/{old}".encode(), f"/{new}".encode()).replace(old.encode(), new.encode())
        return content.replace(b"theme/theme1.xml", b"theme1.xml").replace(b"worksheets/sheet1.xml", b"sheet1.xml")
    return rewritten(plain_xlsx(), rename=lambda name: _BARE_PARTS.get(name, name), edit=edit,
                     drop=("docProps/app.xml", "docProps/core.xml"))


def strict_xlsx() -> bytes:
    """Excel's "Strict Open XML 电子表格": the same parts in other namespaces."""
    def edit(name: str, content: bytes) -> bytes:
        for old, new in _STRICT_NAMESPACES.items():
            content = content.replace(old, new)
        return content.replace(b"<workbook ", b'<workbook conformance="strict" ', 1)
    return rewritten(plain_xlsx(), edit=edit)


def xlsb() -> bytes:
    """plain_xlsx's table as an Excel binary workbook, written once by
    pyxlsbwriter 0.1.0 (nothing the project installs writes .xlsb)."""
    return (FIXTURES / "roster.xlsb").read_bytes()


def encrypted_ods() -> bytes:
    """An ODS saved with a password: its manifest declares the encryption
    of content.xml, whose bytes are then no XML at all."""
    def edit(name: str, content: bytes) -> bytes:
        if name == "content.xml":
            return bytes(range(256)) * 4
        if name == "META-INF/manifest.xml":
            return content.replace(
                b'manifest:full-path="content.xml" manifest:media-type="text/xml"/>',
                b'manifest:full-path="content.xml" manifest:media-type="text/xml">'
                b'<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="AAAA">'
                b'<manifest:algorithm manifest:algorithm-name="Blowfish CFB" manifest:initialisation-vector="AAAA"/>'
                b'</manifest:encryption-data></manifest:file-entry>')
        return content
    return rewritten(ods(), edit=edit)


def twin_parts_xlsx() -> bytes:
    """A sheet part twice, once under `\\`: a small sheet for the checks
    to look at and one reaching XFD1048576 for calamine to read."""
    far = zipfile.ZipFile(io.BytesIO(far_corner_xlsx())).read("xl/worksheets/sheet1.xml")
    return _zip({**_members(plain_xlsx()),
                 "xl\\worksheets\\sheet1.xml": far})


def _members(data: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {name: archive.read(name) for name in archive.namelist()}
