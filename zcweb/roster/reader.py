"""Reading an uploaded roster (花名册读取).

`read_roster` turns the bytes a contact uploaded into raw rows keyed by
column key, or refuses the whole file with a message in Chinese that says
what to do. The format is recognised by the bytes, never by the file name:
xlsx, xls and ods go through python-calamine, anything else that is text is
read as CSV. Cell values are returned exactly as python-calamine or the csv
module gives them; cleaning them is `normalize`'s job.

Memory is the reader's real risk. python-calamine builds a sheet as a dense
grid of 32-byte cells reaching from the first to the last cell that holds a
value: one stray value at A1048576 of a 30-column roster costs 1 GB, one at
XFD1048576 asks for 550 GB and aborts the whole process, uncatchably. So an
xlsx sheet's XML is scanned before calamine sees it (`_check_sheet_area`),
and .xls and .ods files, which calamine parses whole as soon as it opens
them and whose parsers abort on some corrupt input, are read in a child
process with a memory limit (`_IsolatedBook`). The raw rows are made one
at a time as the caller iterates `RawRoster.rows`, from python-calamine's
`iter_rows()`, so that the reader adds little to calamine's own grid.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import pickle
import re
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter
from typing import NamedTuple
from xml.etree import ElementTree

import olefile
import python_calamine

from .schema import INFO_HEADERS, INSTRUCTIONS_SHEET, LISTS_SHEET, META_SHEET, Schema, header_key

HEADER_SCAN_ROWS = 30
MIN_HEADER_MATCHES = 3
# A header cell is a short label; longer texts are data and need no matching.
MAX_HEADER_LENGTH = 100
# The ratio check only concerns members large enough to matter.
RATIO_CHECKED_ABOVE = 4 * 1024 * 1024
INFLATE_PIECE = 1024 * 1024
# Memory and CPU a child reading an .xls or .ods file may use.
ISOLATED_MEMORY = 3 * 1024 * 1024 * 1024

EMPTY = "文件是空的，请选择填好的花名册重新上传。"
MACROS = "文件包含宏（VBA 代码），为安全起见不予读取。请另存为 .xlsx（Excel 工作簿）后重新上传。"
PASSWORD = "文件设置了打开密码，请取消密码后另存为 .xlsx 再上传。"
BOMB = "文件解压后过大，疑似异常文件。请用 Excel 或 WPS 打开确认内容后另存为 .xlsx 再上传。"
CORRUPT = "文件已损坏或不是有效的表格文件，无法读取。请用 Excel 或 WPS 打开，确认内容无误后另存为 .xlsx（Excel 工作簿）再上传。"
XLSB = "这是 Excel 二进制工作簿（.xlsb），请另存为 .xlsx（Excel 工作簿）后重新上传。"
HTML = "这是网页（HTML/XML）格式的表格，扩展名虽可能是 .xls，但不是真正的 Excel 文件。请用 Excel 或 WPS 打开后另存为 .xlsx（Excel 工作簿）再上传。"
NOT_TEXT = "无法识别文件内容，它不是 Excel 花名册。请上传填好的花名册（.xlsx 文件）。"
ENCODING = "无法识别 CSV 文件的文字编码。请用 Excel 打开后另存为 .xlsx（Excel 工作簿）再上传。"
BAD_CSV = "CSV 文件格式有误，无法读取。请用 Excel 打开后另存为 .xlsx（Excel 工作簿）再上传。"
TIMEOUT = "文件过大或过于复杂，读取超时。请删除多余的工作表和空行后另存为 .xlsx 再上传。"
NO_HEADER = "未找到表头：请确认第一张工作表含有“姓名”“身份证号”等列标题（表头须在前 30 行内）。"

_ARCHIVES = {b"Rar!": "RAR 压缩包", b"7z\xbc\xaf\x27\x1c": "7z 压缩包"}
_OTHER_FILES = {
    b"%PDF": "PDF 文件",
    b"\x89PNG": "图片（PNG）",
    b"\xff\xd8\xff": "图片（JPEG）",
    b"GIF8": "图片（GIF）",
    b"{\\rtf": "RTF 文档",
}
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_INFO_KEYS = frozenset(header_key(h) for h in INFO_HEADERS)
_EMPTY_TO_NONE = {"": None}

# An xlsx cell that may hold a value (not "<c .../>") and is not a plain
# <c r="A1"...> inside rows 1-99999 and columns A-AX, 4,999,950 cells, just
# within the default budget. No real roster has one, so this one regex pass
# is all a normal file costs; anything it finds gets a closer look. Styled
# empty cells down to row 1048576 pass unnoticed.
_OUTSIDE_SMALL_AREA = re.compile(rb'<c(?! r="(?:A[A-X]|[A-Z])[1-9][0-9]{0,4}+")(?:\s[^>]*+)?(?<!/)>')
SMALL_ROWS, SMALL_COLUMNS = 99999, 50
# Every cell start tag: (column, row) of a plain <c r="A1"> with content, and
# ("", "") for a cell calamine places by counting (no plain r="A1" first),
# where only calamine itself knows where it lands. "<c .../>" is a styled
# empty cell that calamine skips.
_CELL = re.compile(
    rb'<c(?: r="([A-Z]{1,3})([0-9]{1,7})"[^>]*+(?<!/)>|(?! r="[A-Z]{1,3}[1-9][0-9]{0,6}")[\s/>])')
_PREFIXED_CELL = re.compile(rb':c[\s/>]')


class RosterRefused(Exception):
    """The whole file is refused; `message` is shown to the contact."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(slots=True)
class RawRow:
    number: int  # the row number Excel shows (CSV: the record number), 1-based
    cells: dict[str, object]  # column key -> raw value; empty cells are None


@dataclass
class RawRoster:
    """A roster read up to its header row; `rows` reads the rest as it is
    iterated, once, so that the raw rows of a large file are never all held
    at once. Iterating may still refuse the file (too many rows, too slow)."""

    format: str  # "xlsx" | "xls" | "ods" | "csv"
    sheet: str  # the sheet read ("" for csv)
    header_row: int
    columns: list[str]  # column keys found, in file order
    extra_headers: list[str]  # unknown headers, ignored
    rows: Iterator[RawRow]  # rows with a value in some column found; raises RosterRefused
    token: str | None  # A1 of the template's hidden metadata sheet
    notes: list[str]  # file-level remarks for the contact


@dataclass(frozen=True)
class Limits:
    max_rows: int = 20000
    max_uncompressed: int = 200 * 1024 * 1024
    max_ratio: int = 200  # per member, for members above RATIO_CHECKED_ABOVE
    time_limit: float = 30.0  # seconds
    # Cells of the grid python-calamine may build for one sheet (32 bytes each).
    max_cells: int = 5_000_000


def column_index(letters: str) -> int:
    """An A1-style column's number: A → 1, Z → 26, AA → 27. (openpyxl has
    this too, but importing it costs the command line a tenth of a second.)"""
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - 64
    return index


def column_letter(index: int) -> str:
    """The letters of column `index`: 1 → A, 27 → AA."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters

def read_roster(data: bytes, schema: Schema, limits: Limits = Limits()) -> RawRoster:
    """The raw rows of an uploaded roster; raises RosterRefused."""
    deadline = _Deadline(limits.time_limit)
    if not data:
        raise RosterRefused(EMPTY)
    if data.startswith(_ZIP):
        return _read_zip(data, schema, limits, deadline)
    if data.startswith(_OLE):
        return _read_ole(data, schema, limits, deadline)
    for magic, what in _ARCHIVES.items():
        if data.startswith(magic):
            raise _archive(what)
    for magic, what in _OTHER_FILES.items():
        if data.startswith(magic):
            raise _not_a_roster(what)
    return _read_csv(data, schema, limits, deadline)


def _not_a_roster(what: str) -> RosterRefused:
    return RosterRefused(f"这是{_spaced(what)}，不是 Excel 花名册。请上传填好的花名册（.xlsx 文件）。")


def _archive(what: str) -> RosterRefused:
    return RosterRefused(f"这是{_spaced(what)}，不是 Excel 花名册。请解压后上传其中的花名册（.xlsx 文件）。")


def _spaced(what: str) -> str:
    """A space between Chinese and a Latin word, as in the rest of the text."""
    return f" {what}" if what[0].isascii() else what


class _Deadline:
    def __init__(self, seconds: float):
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return self.end - time.monotonic()

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise RosterRefused(TIMEOUT)


# ---------------------------------------------------------------- containers

def _read_zip(data: bytes, schema: Schema, limits: Limits, deadline: _Deadline) -> RawRoster:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise RosterRefused(CORRUPT) from None
    _check_sizes(archive, limits)
    members = {info.filename.lower(): info for info in archive.infolist()}
    kind = _zip_kind(data, members)
    if kind == "ods":
        return _read_book(_IsolatedBook("ods", data, limits, deadline), schema, limits, deadline)
    try:
        book = _XlsxBook(data, members, limits, deadline)
        return _read_book(book, schema, limits, deadline)
    except _NonstandardXml:
        return _read_book(_IsolatedBook("xlsx", data, limits, deadline), schema, limits, deadline)


def _check_sizes(archive: zipfile.ZipFile, limits: Limits) -> None:
    """The zip-bomb guard, on the sizes the archive declares;
    `_inflate_pieces` makes sure no member grows beyond its declared size."""
    total = 0
    for info in archive.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > limits.max_uncompressed or (
                info.file_size > RATIO_CHECKED_ABOVE and ratio > limits.max_ratio):
            raise RosterRefused(BOMB)


def _zip_kind(data: bytes, members: dict[str, zipfile.ZipInfo]) -> str:
    if "word/document.xml" in members:
        raise _not_a_roster("Word 文档")
    if "ppt/presentation.xml" in members:
        raise _not_a_roster("PowerPoint 演示文稿")
    content_types = members.get("[content_types].xml")
    if "xl/vbaproject.bin" in members or (
            content_types and b"macroenabled" in _inflate(data, content_types).lower()):
        raise RosterRefused(MACROS)
    if "xl/workbook.xml" in members:
        return "xlsx"
    if "xl/workbook.bin" in members:
        raise RosterRefused(XLSB)
    mimetype = members.get("mimetype")
    if mimetype and _inflate(data, mimetype).strip() == _ODS_MIMETYPE:
        return "ods"
    if mimetype:
        raise _not_a_roster("OpenDocument 文档（非表格）")
    raise _archive("ZIP 压缩包")


def _inflate(data: bytes, info: zipfile.ZipInfo) -> bytes:
    return b"".join(_inflate_pieces(data, info))


def _inflate_pieces(data: bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A member's bytes in pieces, never more than it declares: a member
    that inflates beyond its declared size is a bomb whatever its header
    claims, and python-calamine would not notice."""
    header = info.header_offset
    if data[header:header + 4] != b"PK\x03\x04":
        raise RosterRefused(CORRUPT)
    name_length, extra_length = struct.unpack_from("<HH", data, header + 26)
    start = header + 30 + name_length + extra_length
    raw = memoryview(data)[start:start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        yield bytes(raw[:info.file_size])
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise RosterRefused(CORRUPT)
    inflater, left = zlib.decompressobj(-15), info.file_size
    try:
        while not inflater.eof:
            piece = inflater.decompress(raw, INFLATE_PIECE)
            raw, left = inflater.unconsumed_tail, left - len(piece)
            if left < 0:
                raise RosterRefused(BOMB)
            if not piece and not raw:  # a truncated stream
                break
            yield piece
    except zlib.error:
        raise RosterRefused(CORRUPT) from None


def _read_ole(data: bytes, schema: Schema, limits: Limits, deadline: _Deadline) -> RawRoster:
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            entries = {"/".join(path).lower() for path in ole.listdir(streams=True, storages=True)}
            stream = next((name for name in ("Workbook", "Book") if ole.exists(name)), None)
            workbook = ole.openstream(stream).read() if stream else b""
    except Exception:  # olefile raises assorted errors on damaged files
        raise RosterRefused(CORRUPT) from None
    if {"encryptioninfo", "encryptedpackage"} & entries or _has_filepass(workbook):
        raise RosterRefused(PASSWORD)
    if "_vba_project_cur" in entries:
        raise RosterRefused(MACROS)
    if workbook:
        return _read_book(_IsolatedBook("xls", data, limits, deadline), schema, limits, deadline)
    if "worddocument" in entries:
        raise _not_a_roster("Word 文档")
    if "powerpoint document" in entries:
        raise _not_a_roster("PowerPoint 演示文稿")
    raise RosterRefused(NOT_TEXT)


def _has_filepass(stream: bytes) -> bool:
    """Whether an .xls's workbook globals hold FILEPASS, the mark of a
    password to open (calamine reports it only as an unknown format)."""
    offset = 0
    while offset + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, offset)
        if kind == 0x002F:
            return True
        if kind == 0x000A:  # EOF: the globals end here
            return False
        offset += 4 + length
    return False


# ---------------------------------------------------------------- workbooks

class _SheetInfo(NamedTuple):
    name: str
    visible: bool
    worksheet: bool


class _Sheet(NamedTuple):
    name: str
    first_column: int  # 0-based column index of each row's first cell
    rows: Iterator[tuple[int, list]]  # (0-based row index, cells)


class _NonstandardXml(Exception):
    """An xlsx sheet whose cells only calamine can place: read it isolated."""


class _XlsxBook:
    """An xlsx workbook read in this process, each sheet checked first."""

    format = "xlsx"

    def __init__(self, data: bytes, members: dict[str, zipfile.ZipInfo], limits: Limits,
                 deadline: _Deadline):
        self._data, self._limits, self._members = data, limits, members
        self.notes: list[str] = []  # remarks on what reading the sheets ignored
        self._sheet_members = _sheet_members(data, members)
        worksheets = set(self._sheet_members.values())
        for info in members.values():  # calamine reads some of these on opening
            if info not in worksheets:
                for _ in _inflate_pieces(data, info):
                    deadline.check()
        self._workbook = _calamine(
            lambda: python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)))
        self.sheets = [
            _SheetInfo(m.name, m.visible == python_calamine.SheetVisibleEnum.Visible,
                       m.typ == python_calamine.SheetTypeEnum.WorkSheet)
            for m in self._workbook.sheets_metadata
        ]
        deadline.check()

    def load(self, name: str) -> _Sheet:
        member = self._sheet_members.get(name)
        if member is None:
            raise RosterRefused(CORRUPT)
        workbook = self._workbook
        try:
            _check_sheet_area(lambda: _sheet_xml(self._data, member), name, self._limits,
                              lambda: _shared_strings(self._data, self._members))
        except _BlankFarCells as blank:
            # Read the sheet from a copy of the file without those cells.
            data = _replace_member(self._data, self._members, member, blank.xml)
            workbook = _calamine(lambda: python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)))
            self.notes.append(
                f"工作表“{name}”的 {blank.names} 单元格只有空格，离花名册数据太远，已忽略。")
        sheet = _calamine(lambda: workbook.get_sheet_by_name(name))
        start = sheet.start
        return _Sheet(name, start[1] if start else 0, enumerate(sheet.iter_rows()))


def _sheet_members(data: bytes, members: dict[str, zipfile.ZipInfo]) -> dict[str, zipfile.ZipInfo]:
    """Sheet name -> the member holding its XML, found as calamine finds it."""
    targets = {
        element.get("Id"): element.get("Target", "")
        for element in _parse_member(data, members, "xl/_rels/workbook.xml.rels").iter()
        if _local(element.tag) == "Relationship"
    }
    found = {}
    for element in _parse_member(data, members, "xl/workbook.xml").iter():
        if _local(element.tag) != "sheet":
            continue
        target = targets.get(element.get(f"{{{_RELATIONSHIPS}}}id"), "")
        path = target[1:] if target.startswith("/xl/") else (
            target if target.startswith("xl/") else f"xl/{target}")
        if path.lower() in members:
            found[element.get("name")] = members[path.lower()]
    return found


def _parse_member(data: bytes, members: dict[str, zipfile.ZipInfo], name: str) -> ElementTree.Element:
    if name not in members:
        raise RosterRefused(CORRUPT)
    try:
        return ElementTree.fromstring(_inflate(data, members[name]))
    except ElementTree.ParseError:
        raise RosterRefused(CORRUPT) from None


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _sheet_xml(data: bytes, member: zipfile.ZipInfo) -> Iterator[bytes]:
    """A sheet's XML in pieces that split no tag: a tag left open at the end
    of a piece moves on to the next one."""
    carry = b""
    for piece in _inflate_pieces(data, member):
        piece = carry + piece
        cut = piece.rfind(b"<")
        if cut < piece.rfind(b">"):
            cut = len(piece)
        carry = piece[cut:]
        if len(carry) > INFLATE_PIECE:  # no tag is that long
            raise RosterRefused(CORRUPT)
        yield piece[:cut]
    yield carry


def _check_sheet_area(xml_pieces, sheet: str, limits: Limits, shared_strings) -> None:
    """Refuses a sheet whose cells would make calamine's grid too large;
    `xml_pieces()` gives the sheet's XML afresh at each call. Raises
    `_BlankFarCells` when the only far cells hold nothing but spaces (a
    stray space typed at AD1048576 is a common accident)."""
    if limits.max_cells >= SMALL_ROWS * SMALL_COLUMNS and not any(
            _OUTSIDE_SMALL_AREA.search(xml) or _PREFIXED_CELL.search(xml) for xml in xml_pieces()):
        return
    lowest = rightmost = (b"A", b"1")
    for xml in xml_pieces():
        cells = _CELL.findall(xml)
        if (b"", b"") in cells or _PREFIXED_CELL.search(xml):
            raise _NonstandardXml
        lowest = max(cells + [lowest], key=lambda cell: (len(cell[1]), cell[1]))
        rightmost = max(cells + [rightmost], key=lambda cell: (len(cell[0]), cell[0]))
    rows, columns = int(lowest[1]), column_index(rightmost[0].decode('ascii'))
    if rows * columns <= limits.max_cells:
        return
    far = [cell for cell, beyond in ((lowest, rows > SMALL_ROWS), (rightmost, columns > SMALL_COLUMNS))
           if beyond] or [lowest, rightmost]
    names = "、".join(dict.fromkeys(b"".join(cell).decode("ascii") for cell in far))
    _raise_if_only_blank_far_cells(b"".join(xml_pieces()), shared_strings(), limits)
    raise RosterRefused(
        f"工作表“{sheet}”的 {names} 单元格有内容，离花名册数据太远，无法读取。"
        "请删除表格下方和右侧多余的内容（选中多余的行或列，右键“删除”）后重新上传。")


class _BlankFarCells(Exception):
    """The sheet is within the budget once its far blank cells are dropped."""

    def __init__(self, xml: bytes, names: str):
        super().__init__(names)
        self.xml, self.names = xml, names


# A whole cell element with a plain reference: (column, row, attributes, content).
_WHOLE_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"([^>]*?)(?:/>|>(.*?)</c>)', re.DOTALL)
_CELL_TYPE = re.compile(rb'\st="([a-zA-Z]+)"')
_TEXT = re.compile(rb"<(?:\w+:)?t(?:\s[^>]*)?>(.*?)</(?:\w+:)?t>", re.DOTALL)
_VALUE = re.compile(rb"<v>(.*?)</v>", re.DOTALL)


def _raise_if_only_blank_far_cells(xml: bytes, shared: list[bytes], limits: Limits) -> None:
    """Raises `_BlankFarCells` with the XML without the cells outside the
    small area that hold only whitespace, when that brings the sheet within
    the budget; returns when a far cell holds a value."""
    dropped, rows, columns = [], 1, 1

    def keep(match: re.Match) -> bytes:
        nonlocal rows, columns
        column, row = match.group(1), int(match.group(2))
        index = column_index(column.decode("ascii"))
        if (row > SMALL_ROWS or index > SMALL_COLUMNS) and _is_blank(match.group(3), match.group(4) or b"", shared):
            dropped.append(f"{column.decode('ascii')}{row}")
            return b""
        rows, columns = max(rows, row), max(columns, index)
        return match.group(0)

    kept = _WHOLE_CELL.sub(keep, xml)
    if dropped and rows * columns <= limits.max_cells:
        raise _BlankFarCells(kept, "、".join(dropped[:3]) + ("等" if len(dropped) > 3 else ""))


def _is_blank(attributes: bytes, content: bytes, shared: list[bytes]) -> bool:
    """Whether a cell holds nothing, or only whitespace text."""
    kind = _CELL_TYPE.search(attributes)
    kind = kind.group(1) if kind else b"n"
    if b"<f" in content:
        return False
    if kind == b"inlineStr":
        text = b"".join(_TEXT.findall(content))
    else:
        value = _VALUE.search(content)
        if value is None:
            return True
        if kind != b"s":
            return not value.group(1).strip()
        try:
            text = shared[int(value.group(1))]
        except (ValueError, IndexError):
            return False
    return not text.decode("utf-8", "replace").strip()


def _shared_strings(data: bytes, members: dict[str, zipfile.ZipInfo]) -> list[bytes]:
    """The workbook's shared strings, as raw text of each <si>."""
    info = members.get("xl/sharedstrings.xml")
    if info is None:
        return []
    xml = _inflate(data, info)
    return [b"".join(_TEXT.findall(item)) for item in re.findall(rb"<si>(.*?)</si>", xml, re.DOTALL)]


def _replace_member(data: bytes, members: dict[str, zipfile.ZipInfo], replaced: zipfile.ZipInfo,
                    content: bytes) -> bytes:
    """A copy of the xlsx with one member's content replaced."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in members.values():
            archive.writestr(info.filename, content if info is replaced else _inflate(data, info))
    return buffer.getvalue()


def _calamine(call):
    """Calls python-calamine, turning any failure into a refusal."""
    try:
        return call()
    except python_calamine.PasswordError:
        raise RosterRefused(PASSWORD) from None
    except Exception:
        raise RosterRefused(CORRUPT) from None
    except BaseException as error:
        # pyo3 raises a Rust panic as PanicException, a BaseException.
        if type(error).__name__ != "PanicException":
            raise
        raise RosterRefused(CORRUPT) from None


class _IsolatedBook:
    """A workbook read by python-calamine in a child process, so that a file
    that makes calamine abort or eat memory only ends the child."""

    def __init__(self, format: str, data: bytes, limits: Limits, deadline: _Deadline):
        self.format = format
        self._max_rows = limits.max_rows
        # The child sends at most this many non-empty rows of a sheet, and one
        # more to say there are more.
        self._cap = limits.max_rows + HEADER_SCAN_ROWS
        self._sheets = {entry[0]: entry for entry in _run_isolated(data, self._cap, deadline)}
        self.sheets = [_SheetInfo(*entry[:3]) for entry in self._sheets.values()]

    def load(self, name: str) -> _Sheet:
        _, _, _, first_column, rows = self._sheets[name]
        if len(rows) > self._cap:
            raise _too_many_rows(self._max_rows)
        return _Sheet(name, first_column, iter(rows))


_CHILD = r"""
import io, json, pickle, sys
options = json.loads(sys.argv[1])
try:
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (options["memory"], options["memory"]))
    resource.setrlimit(resource.RLIMIT_CPU, (options["cpu"], options["cpu"]))
except (ImportError, ValueError, OSError):
    pass  # no such limits on this system: the process boundary still protects the server
import python_calamine as pc

def nonempty_rows(sheet):
    rows = []
    for index, cells in enumerate(sheet.iter_rows()):
        if cells.count("") < len(cells):
            rows.append((index, cells))
            if len(rows) > options["cap"]:
                break
    return rows

def sheets(book):
    for meta in book.sheets_metadata:
        visible = meta.visible == pc.SheetVisibleEnum.Visible
        worksheet = meta.typ == pc.SheetTypeEnum.WorkSheet
        if meta.name == options["meta"] or (visible and worksheet and meta.name not in options["skip"]):
            sheet = book.get_sheet_by_name(meta.name)
            yield meta.name, visible, worksheet, (sheet.start or (0, 0))[1], nonempty_rows(sheet)
        else:
            yield meta.name, visible, worksheet, 0, None

try:
    book = pc.CalamineWorkbook.from_filelike(io.BytesIO(sys.stdin.buffer.read()))
    result = ("ok", list(sheets(book)))
except pc.PasswordError:
    result = ("password", None)
except Exception as error:
    result = ("error", repr(error))
sys.stdout.buffer.write(pickle.dumps(result))
"""


def _run_isolated(data: bytes, cap: int, deadline: _Deadline) -> list[tuple]:
    options = {
        "memory": ISOLATED_MEMORY,
        "cpu": int(max(deadline.left(), 0)) + 1,
        "cap": cap,
        "meta": META_SHEET,
        "skip": [INSTRUCTIONS_SHEET, LISTS_SHEET],
    }
    try:
        child = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(options)], input=data,
                               capture_output=True, timeout=max(deadline.left(), 0.1))
    except subprocess.TimeoutExpired:
        raise RosterRefused(TIMEOUT) from None
    if child.returncode != 0 or not child.stdout:  # killed by a limit, or crashed
        raise RosterRefused(TIMEOUT if child.returncode == -24 else CORRUPT)  # 24: SIGXCPU
    status, payload = pickle.loads(child.stdout)  # our own child's output
    if status == "password":
        raise RosterRefused(PASSWORD)
    if status != "ok":
        raise RosterRefused(CORRUPT)
    return payload


# ---------------------------------------------------------------- sheets

def _read_book(book, schema: Schema, limits: Limits, deadline: _Deadline) -> RawRoster:
    notes = [
        f"已跳过隐藏的工作表“{info.name}”。如其中有要申报的人员，请取消隐藏并复制到“{schema.sheet}”工作表后重新上传。"
        for info in book.sheets
        if not info.visible and info.worksheet and info.name not in (META_SHEET, LISTS_SHEET)
    ]
    token = _read_token(book)
    candidates = sorted(
        (info.name for info in book.sheets if info.visible and info.worksheet
         and info.name not in (INSTRUCTIONS_SHEET, LISTS_SHEET, META_SHEET)),
        key=lambda name: name != schema.sheet)
    sheet, head, rest, header = _choose_sheet(book, candidates, schema, deadline)
    notes += getattr(book, "notes", ())
    if sheet.name != schema.sheet and len(candidates) > 1:
        notes.append(f"文件有多张工作表，读取的是表头最完整的“{sheet.name}”，其他工作表未读取。")
    rows = chain(((i, cells) for i, cells in head if i > header.index), rest)
    return _roster(book.format, sheet.name, header, rows, schema, limits, deadline, token, notes)


def _read_token(book) -> str | None:
    if META_SHEET not in {info.name for info in book.sheets}:
        return None
    sheet = book.load(META_SHEET)
    for index, cells in sheet.rows:
        first = cells[0] if index == 0 and sheet.first_column == 0 and cells else None
        return first if isinstance(first, str) and first.strip() else None
    return None


def _choose_sheet(book, candidates: list[str], schema: Schema, deadline: _Deadline):
    """The schema's sheet if it has a header row, else the sheet whose header
    row names the most columns."""
    best = None
    for name in candidates:
        sheet = book.load(name)
        head, rest = _split_head(sheet.rows)
        header = _find_header(head, sheet.first_column, schema)
        deadline.check()
        if header and (best is None or header.score > best[3].score):
            best = (sheet, head, rest, header)
            if name == schema.sheet:
                break
    if best is None:
        raise RosterRefused(NO_HEADER)
    return best


def _split_head(rows: Iterator[tuple[int, list]]) -> tuple[list, Iterator]:
    """The rows where a header may be, and an iterator over the others."""
    head = []
    for row in rows:
        if row[0] >= HEADER_SCAN_ROWS:
            return head, chain([row], rows)
        head.append(row)
    return head, iter(())


@dataclass
class _Header:
    index: int  # 0-based row index
    positions: list[int]  # positions of the columns found, in file order
    keys: list[str]
    extra: list[str]
    notes: list[str]

    @property
    def score(self) -> int:
        return len(self.keys)


def _find_header(head: list[tuple[int, list]], first_column: int, schema: Schema) -> _Header | None:
    best_score, best = MIN_HEADER_MATCHES - 1, None
    for index, cells in head:
        score = len({
            column.key for column in map(schema.match_header, _labels(cells)) if column})
        if score > best_score:
            best_score, best = score, (index, cells)
    return _read_header(*best, first_column, schema) if best else None


def _labels(cells: list) -> Iterator[str]:
    return (c for c in cells if isinstance(c, str) and c and len(c) <= MAX_HEADER_LENGTH)


def _read_header(index: int, cells: list, first_column: int, schema: Schema) -> _Header:
    header = _Header(index, [], [], [], [])
    first_seen: dict[str, tuple[str, int]] = {}
    for position, value in enumerate(cells):
        text = " ".join(str(value if value is not None else "").split())
        if not text:
            continue
        column = schema.match_header(text) if len(text) <= MAX_HEADER_LENGTH else None
        if column is None:
            if header_key(text) not in _INFO_KEYS:
                header.extra.append(text)
        elif column.key in first_seen:
            first_text, first_position = first_seen[column.key]
            first, later = (column_letter(first_column + p + 1) for p in (first_position, position))
            header.notes.append(f"“{text}”（{later} 列）与“{first_text}”（{first} 列）重复，"
                                f"已读取 {first} 列，{later} 列未读取。")
        else:
            first_seen[column.key] = (text, position)
            header.positions.append(position)
            header.keys.append(column.key)
    return header


def _roster(format: str, sheet: str, header: _Header, rows, schema: Schema, limits: Limits,
            deadline: _Deadline, token: str | None, notes: list[str]) -> RawRoster:
    missing = [c.header for c in schema.columns if c.required and c.key not in header.keys]
    if missing:
        raise RosterRefused(f"缺少必填列：{'、'.join(missing)}。"
                            "请使用本批次模板填写，或在表头行补上这些列后重新上传。")
    return RawRoster(
        format=format, sheet=sheet, header_row=header.index + 1, columns=header.keys,
        extra_headers=header.extra, rows=_raw_rows(rows, header, limits, deadline),
        token=token, notes=notes + header.notes)


def _raw_rows(rows, header: _Header, limits: Limits, deadline: _Deadline) -> Iterator[RawRow]:
    """The rows with a value in some column found, each made when it is
    asked for: the row limit and the deadline are checked on the way."""
    keys, count, positions = header.keys, len(header.keys), header.positions
    width = max(positions) + 1
    # A slice when the columns found are side by side, as in the template;
    # else at least MIN_HEADER_MATCHES positions, so a tuple.
    contiguous = positions == list(range(positions[0], width))
    pick = itemgetter(slice(positions[0], width)) if contiguous else itemgetter(*positions)
    none_for_empty, found = _EMPTY_TO_NONE.get, 0
    for index, cells in rows:
        if not index & 0xFFF:
            deadline.check()
        if len(cells) < width:  # CSV records vary in length
            cells = [*cells, *[""] * (width - len(cells))]
        values = pick(cells)
        # Most skipped rows are wholly empty, which count() sees in C; a row
        # is only looked at further when its first value is blank text.
        empty = values.count("")
        if empty == count:
            continue
        first = next(filter(None, values), None)  # the first value other than "", 0, False
        if type(first) is str and first.isspace() and _blank(values):
            continue
        found += 1
        if found > limits.max_rows:
            raise _too_many_rows(limits.max_rows)
        yield RawRow(index + 1, dict(zip(keys, map(none_for_empty, values, values) if empty else values)))


def _blank(values) -> bool:
    """Whether every value is an empty or whitespace-only string."""
    return all(isinstance(value, str) and not value.strip() for value in values)


def _too_many_rows(limit: int) -> RosterRefused:
    return RosterRefused(f"花名册的数据行超过 {limit} 行的上限。请删除与申报无关的行后重新上传。")


# ---------------------------------------------------------------- csv

def _read_csv(data: bytes, schema: Schema, limits: Limits, deadline: _Deadline) -> RawRoster:
    text = _decode(data)
    deadline.check()
    if text[:4096].lstrip()[:1] == "<":
        raise RosterRefused(HTML)
    best = None
    try:
        for delimiter in (",", "\t", ";"):
            rows = enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
            head, rest = _split_head(rows)
            header = _find_header(head, 0, schema)
            if header and (best is None or header.score > best[2].score):
                best = (head, rest, header)
        if best is None:
            raise RosterRefused(NO_HEADER)
        head, rest, header = best
        rows = chain(((i, cells) for i, cells in head if i > header.index), rest)
        return _roster("csv", "", header, rows, schema, limits, deadline, None, [])
    except csv.Error:
        raise RosterRefused(BAD_CSV) from None


def _decode(data: bytes) -> str:
    """UTF-16 with a byte order mark (Excel's "Unicode 文本"), UTF-8 with or
    without one, else GB18030, which covers GBK and GB2312."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    elif b"\x00" in data:
        raise RosterRefused(NOT_TEXT)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    raise RosterRefused(ENCODING)
