"""A roster that is a web page or an XML Spreadsheet 2003, as many systems
export "花名册.xls": HTML tables (HR and platform exports, Excel's and
WPS's "网页" format) or Excel's "XML 电子表格 2003". python-calamine reads
neither; both are text, so they are read here into the same `Sheet`s as a
workbook's, and go through the same `read_book`.

An HTML page's sheets are its tables, laid out as a browser lays them out
(a cell spanning columns or rows is blank in the places it covers, as a
merged cell is in Excel). An XML spreadsheet's sheets are its worksheets,
with their names, hidden ones hidden, and typed values: numbers as floats,
dates as date cells, as calamine gives them from an xlsx.
"""

from __future__ import annotations

import datetime as dt
import email
import re
from xml.etree import ElementTree

from selectolax.lexbor import LexborHTMLParser

from ..schema import Schema
from .book import Sheet, SheetInfo
from .csvfile import decode
from .limits import Deadline, Limits
from .refusals import CORRUPT, TOO_LARGE, RosterRefused, not_a_roster
from .rows import RawRoster
from .workbook import read_book

# Excel's own bounds on a sheet: a row or column past them is no spreadsheet's.
MAX_COLUMNS, MAX_ROWS = 16384, 1048576
# Where a page says what it is: an XML spreadsheet names its namespace first thing.
_SPREADSHEET_NS = "urn:schemas-microsoft-com:office:spreadsheet"
_HEAD = 65536
_TABLE = re.compile(r"<table[\s>]", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\n\f]+")  # HTML's white space; a no-break space is text


def read_markup(text: str, schema: Schema, limits: Limits, deadline: Deadline) -> RawRoster:
    """The roster of a text file that starts with "<"; a page or an XML
    file without a table is refused as what it is."""
    head = text[:_HEAD]
    if _SPREADSHEET_NS in head and head.lstrip().startswith(("<?xml", "<Workbook", "<ss:Workbook")):
        return read_book(XmlSpreadsheetBook(text, limits, deadline), schema, limits, deadline)
    if _TABLE.search(text):
        return read_book(HtmlBook([text], limits, deadline), schema, limits, deadline)
    if head.lstrip().startswith("<?xml") and not re.search(r"<html[\s>]", head, re.IGNORECASE):
        raise not_a_roster("XML 文件")
    raise not_a_roster("网页（HTML）文件，其中没有表格")


def is_web_archive(data: bytes) -> bool:
    """Whether a file is a web archive (.mht, Excel's "单个文件网页"): a MIME
    message whose parts are a page and what it shows."""
    return data[:64].lstrip().lower().startswith(b"mime-version:") and b"multipart/related" in data[:4096].lower()


def read_web_archive(data: bytes, schema: Schema, limits: Limits, deadline: Deadline) -> RawRoster:
    """The tables of every page in a web archive: Excel puts each sheet of
    a workbook in a page of its own."""
    message = email.message_from_bytes(data)
    pages = [_part_text(part) for part in message.walk() if part.get_content_type() == "text/html"]
    deadline.check()
    if not any(_TABLE.search(page) for page in pages):
        raise not_a_roster("网页文件（.mht），其中没有表格")
    return read_book(HtmlBook(pages, limits, deadline), schema, limits, deadline)


def _part_text(part) -> str:
    """A page of a web archive as text, in the character set its part
    declares (Excel: us-ascii with every Chinese character as &#…;, or
    gb2312), else as any text file is read."""
    payload = part.get_payload(decode=True) or b""
    try:
        return payload.decode(part.get_content_charset() or "")
    except (LookupError, UnicodeDecodeError):
        return decode(payload)


class _Grid:
    """Counts the cells a file's sheets hold, against the reader's budget."""

    def __init__(self, limits: Limits, deadline: Deadline):
        self.limits, self.deadline = limits, deadline
        self.cells = self.rows = 0

    def add(self, row: list) -> None:
        self.cells += len(row)
        if self.cells > self.limits.max_cells:
            raise RosterRefused(TOO_LARGE)
        self.rows += 1
        if not self.rows & 0x3FF:
            self.deadline.check()


class HtmlBook:
    """A web page's tables, each one sheet named 表格1, 表格2… in the order
    they start. The page is parsed by Lexbor (selectolax), an HTML5 parser:
    a broken page is mended as a browser mends it, and nothing is fetched."""

    format = "html"
    sheet_word = "表格"

    def __init__(self, pages: list[str], limits: Limits, deadline: Deadline):
        """`pages`: one page's text, or those of a web archive (.mht)."""
        grid, tables = _Grid(limits, deadline), []
        for text in pages:
            tree = LexborHTMLParser(text)
            deadline.check()
            tables += [_table_rows(table, grid) for table in tree.css("table")]
        self._tables = {f"表格{n}": rows for n, rows in enumerate(tables, 1)}
        self.sheets = [SheetInfo(name, True, True) for name in self._tables]

    def load(self, name: str) -> Sheet:
        return Sheet(name, 0, enumerate(self._tables[name]))


def _table_rows(table, grid: _Grid) -> list[list[str]]:
    """A table's rows as a browser lays them out: a cell spanning columns
    or rows leaves the places it covers blank. Rows of tables inside its
    cells are theirs, not its."""
    rows, below = [], {}  # below: column -> rows it is still covered by a cell above
    for tr in _rows_of(table):
        row = []
        for cell in tr.iter():
            if cell.tag not in ("td", "th"):
                continue
            while below.get(len(row)):
                row.append("")
            attributes = cell.attrs
            column = len(row)
            across, down = _span(attributes.get("colspan"), 1000), _span(attributes.get("rowspan"), 65534)
            row.append(_cell_text(cell))
            row += [""] * (across - 1)
            if len(row) > MAX_COLUMNS:
                raise RosterRefused(TOO_LARGE)
            if down > 1:
                below.update(dict.fromkeys(range(column, column + across), down))
        grid.add(row)
        rows.append(row)
        below = {column: left - 1 for column, left in below.items() if left > 1}
    return rows


def _rows_of(table):
    """A table's own rows: the parser puts every one in a thead, tbody or tfoot."""
    for section in table.iter():
        if section.tag in ("thead", "tbody", "tfoot"):
            yield from (tr for tr in section.iter() if tr.tag == "tr")


def _span(value: str | None, largest: int) -> int:
    """A colspan or rowspan as browsers read it: a whole number from 1 to
    `largest`, else 1."""
    if value is None:
        return 1
    digits = re.match(r"\s*(\d+)", value)
    return min(max(int(digits.group(1)), 1), largest) if digits else 1


def _cell_text(cell) -> str:
    """A cell's text as a page shows it: runs of white space are one space,
    <br> a line break; what tables inside it and scripts hold is not its."""
    child = cell.child
    if child is None:
        return ""
    if child.tag == "-text" and child.next is None:
        return _line(child.text_content)
    lines, stack = [[]], list(cell.iter(include_text=True))[::-1]
    while stack:
        node = stack.pop()
        if node.tag == "-text":
            lines[-1].append(node.text_content)
        elif node.tag == "br":
            lines.append([])
        elif node.tag not in ("table", "script", "style", "template"):
            stack += list(node.iter(include_text=True))[::-1]
    return "\n".join(filter(None, (_line("".join(line)) for line in lines)))


def _line(text: str) -> str:
    """A line of a cell: no space at its ends, where a browser shows none and
    a page's &nbsp; (an empty cell's usual content) is one too."""
    return _SPACES.sub(" ", text).strip()


class XmlSpreadsheetBook:
    """Excel's XML Spreadsheet 2003: worksheets of rows of typed cells,
    parsed a row at a time by the standard library's expat (each row's
    cells dropped once read), with no DTD accepted."""

    format = "xml"

    def __init__(self, text: str, limits: Limits, deadline: Deadline):
        if "<!DOCTYPE" in text or "<!ENTITY" in text:  # no spreadsheet has one; entities could expand
            raise RosterRefused(CORRUPT)
        grid, parser = _Grid(limits, deadline), ElementTree.XMLPullParser(events=("end",))
        self._sheets: dict[str, tuple[bool, list, frozenset[int]]] = {}
        rows, visible, index, hidden = [], True, -1, set()
        try:
            for start in range(0, len(text), _HEAD):
                parser.feed(text[start:start + _HEAD])  # text: what it declares it is written in is moot
                for _, element in parser.read_events():
                    tag = element.tag
                    if tag == _ROW:
                        index = _index(element.get(_INDEX), index, MAX_ROWS)
                        if element.get(_HIDDEN) in ("1", "true"):
                            hidden.add(index + 1)
                        cells = _row_cells(element)
                        grid.add(cells)
                        rows.append((index, cells))
                        element.clear()
                    elif tag == _VISIBLE:  # in the sheet's options, after its rows
                        visible = (element.text or "").strip() == "SheetVisible"
                    elif tag == _WORKSHEET:
                        name = element.get(_NAME) or f"Sheet{len(self._sheets) + 1}"
                        self._sheets.setdefault(name, (visible, rows, frozenset(hidden)))
                        rows, visible, index, hidden = [], True, -1, set()
                        element.clear()
            parser.close()
        except ElementTree.ParseError:
            raise RosterRefused(CORRUPT) from None
        deadline.check()
        self.sheets = [SheetInfo(name, visible, True) for name, (visible, *_) in self._sheets.items()]

    def load(self, name: str) -> Sheet:
        _, rows, hidden = self._sheets[name]
        return Sheet(name, 0, iter(rows), hidden)


_SS = f"{{{_SPREADSHEET_NS}}}"
_WORKSHEET, _ROW, _CELL, _DATA = (_SS + tag for tag in ("Worksheet", "Row", "Cell", "Data"))
_NAME, _INDEX, _TYPE, _ACROSS, _HIDDEN = (_SS + name for name in ("Name", "Index", "Type", "MergeAcross", "Hidden"))
_VISIBLE = "{urn:schemas-microsoft-com:office:excel}Visible"


def _row_cells(row) -> list:
    """A row's values, each cell placed by its ss:Index where it gives one;
    a cell merged across columns (ss:MergeAcross) is blank in the others."""
    cells = []
    for cell in row:
        if cell.tag != _CELL:
            continue
        cells += [""] * (_index(cell.get(_INDEX), len(cells) - 1, MAX_COLUMNS) - len(cells))
        cells.append(_value(cell.find(_DATA)))
        across = cell.get(_ACROSS)
        if across is not None:
            cells += [""] * _count(across, MAX_COLUMNS)
            if len(cells) > MAX_COLUMNS:
                raise RosterRefused(CORRUPT)
    return cells


def _index(given: str | None, last: int, bound: int) -> int:
    """The 0-based place of a row or cell: its ss:Index, else after the
    last; rows and cells only go forward, and stay within Excel's bounds."""
    if given is None:
        place = last + 1
    else:
        place = _count(given, bound) - 1
        if place <= last:
            raise RosterRefused(CORRUPT)
    if place >= bound:
        raise RosterRefused(CORRUPT)
    return place


def _count(value: str, largest: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise RosterRefused(CORRUPT) from None
    if not 0 <= number <= largest:
        raise RosterRefused(CORRUPT)
    return number


def _value(data):
    """A cell's value as calamine gives an xlsx's: text, a float, a bool, a
    date (or a date and time), an error's text; "" when it has none."""
    if data is None:
        return ""
    text = data.text or "" if not len(data) else "".join(data.itertext())  # rich text: its letters
    kind = data.get(_TYPE)
    try:
        if kind == "Number":
            return float(text)
        if kind == "Boolean":
            return text.strip() in ("1", "true", "TRUE")
        if kind == "DateTime":
            moment = dt.datetime.fromisoformat(text.strip()[:19])
            return moment.date() if moment.time() == dt.time() else moment
    except ValueError:
        pass  # a value its type does not fit is read as what it says
    return text
