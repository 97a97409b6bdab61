"""A roster that is a web page or an XML Spreadsheet 2003, as many systems
export "花名册.xls": HTML tables (HR and platform exports, Excel's and
WPS's "网页" format) or Excel's "XML 电子表格 2003". python-calamine reads
neither; both are text, so they are read here (a page by lxml, a
spreadsheet by the standard library's XML parser) into the same `Sheet`s
as a workbook's, and go through the same `read_book`.

An HTML page's sheets are its tables, laid out as a browser lays them out
(a cell spanning columns or rows is blank in the places it covers, as a
merged cell is in Excel). An XML spreadsheet's sheets are its worksheets,
with their names, hidden ones hidden, and typed values: numbers as floats,
dates as date cells, as calamine gives them from an xlsx.
"""

from __future__ import annotations

import datetime as dt
import re
from xml.etree import ElementTree

from lxml import etree

from ..schema import Schema
from .book import Sheet, SheetInfo
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
        return read_book(HtmlBook(text, limits, deadline), schema, limits, deadline)
    if head.lstrip().startswith("<?xml") and not re.search(r"<html[\s>]", head, re.IGNORECASE):
        raise not_a_roster("XML 文件")
    raise not_a_roster("网页（HTML）文件，其中没有表格")


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
    they start; parsed by libxml2 (lxml), which mends broken pages as a
    browser does and never fetches anything."""

    format = "html"
    sheet_word = "表格"

    def __init__(self, text: str, limits: Limits, deadline: Deadline):
        # Given as UTF-8 bytes, so that what the page declares it is written in
        # (zcweb read its bytes already) is not believed.
        parser = etree.HTMLParser(encoding="utf-8", recover=True, no_network=True, remove_comments=True,
                                  remove_pis=True)
        try:
            root = etree.fromstring(text.encode("utf-8", "surrogatepass"), parser)
        except etree.LxmlError:
            raise RosterRefused(CORRUPT) from None
        deadline.check()
        grid = _Grid(limits, deadline)
        tables = [] if root is None else list(root.iter("table"))
        self._tables = {f"表格{n}": _table_rows(table, grid) for n, table in enumerate(tables, 1)}
        self.sheets = [SheetInfo(name, True, True) for name in self._tables]

    def load(self, name: str) -> Sheet:
        return Sheet(name, 0, enumerate(self._tables[name]))


def _table_rows(table, grid: _Grid) -> list[list[str]]:
    """A table's rows as a browser lays them out: a cell spanning columns
    or rows leaves the places it covers blank. Rows of tables inside its
    cells are theirs, not its."""
    rows, below = [], {}  # below: column -> rows it is still covered by a cell above
    for tr in table.iter("tr"):
        if next(tr.iterancestors("table")) is not table:
            continue
        row = []
        for cell in tr:
            if cell.tag not in ("td", "th"):
                continue
            while below.get(len(row)):
                row.append("")
            column, across, down = len(row), _span(cell.get("colspan"), 1000), _span(cell.get("rowspan"), 65534)
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


def _span(value: str | None, largest: int) -> int:
    """A colspan or rowspan as browsers read it: a whole number from 1 to
    `largest`, else 1."""
    digits = re.match(r"\s*(\d+)", value or "")
    return min(max(int(digits.group(1)), 1), largest) if digits else 1


def _cell_text(cell) -> str:
    """A cell's text as a page shows it: runs of white space are one space,
    <br> a line break; what tables inside it and scripts hold is not its."""
    if not len(cell):
        return _line(cell.text or "")
    lines, stack = [[]], [(cell, False)]
    while stack:
        element, tail = stack.pop()
        if tail:
            lines[-1].append(element.tail or "")
            continue
        if element is not cell:
            stack.append((element, True))
            if element.tag == "br":
                lines.append([])
                continue
            if element.tag in ("table", "script", "style"):
                continue
        lines[-1].append(element.text or "")
        stack += [(child, False) for child in reversed(element)]
    return "\n".join(filter(None, (_line("".join(line)) for line in lines)))


def _line(text: str) -> str:
    """A line of a cell: no space at its ends, where a browser shows none and
    a page's &nbsp; (an empty cell's usual content) is one too."""
    return _SPACES.sub(" ", text).strip()


class XmlSpreadsheetBook:
    """Excel's XML Spreadsheet 2003: worksheets of rows of typed cells,
    parsed a row at a time (each row's elements are dropped once read)."""

    format = "xml"

    def __init__(self, text: str, limits: Limits, deadline: Deadline):
        if "<!DOCTYPE" in text or "<!ENTITY" in text:  # no spreadsheet has one; entities could expand
            raise RosterRefused(CORRUPT)
        grid, parser = _Grid(limits, deadline), ElementTree.XMLPullParser(events=("start", "end"))
        self._sheets: dict[str, tuple[bool, list]] = {}
        rows, name, visible, index = [], "", True, -1
        try:
            for start in range(0, len(text), _HEAD):
                parser.feed(text[start:start + _HEAD])
                for event, element in parser.read_events():
                    tag = element.tag
                    if event == "start":
                        if tag == _ss("Worksheet"):
                            rows, visible, index = [], True, -1
                            name = element.get(_ss("Name")) or f"Sheet{len(self._sheets) + 1}"
                        continue
                    if tag == _ss("Row"):
                        index = _index(element, index, MAX_ROWS)
                        cells = _row_cells(element)
                        grid.add(cells)
                        rows.append((index, cells))
                        element.clear()
                    elif tag.endswith("}Visible") and (element.text or "").strip() != "SheetVisible":
                        visible = False
                    elif tag == _ss("Worksheet"):
                        self._sheets.setdefault(name, (visible, rows))
                        element.clear()
            parser.close()
        except ElementTree.ParseError:
            raise RosterRefused(CORRUPT) from None
        deadline.check()
        self.sheets = [SheetInfo(name, visible, True) for name, (visible, _) in self._sheets.items()]

    def load(self, name: str) -> Sheet:
        return Sheet(name, 0, iter(self._sheets[name][1]))


def _ss(name: str) -> str:
    return f"{{{_SPREADSHEET_NS}}}{name}"


def _row_cells(row: ElementTree.Element) -> list:
    """A row's values, each cell placed by its ss:Index where it gives one;
    a cell merged across columns (ss:MergeAcross) is blank in the others."""
    cells = []
    for cell in row.iter(_ss("Cell")):
        cells += [""] * (_index(cell, len(cells) - 1, MAX_COLUMNS) - len(cells))
        cells.append(_value(cell))
        cells += [""] * _count(cell.get(_ss("MergeAcross")), MAX_COLUMNS)
        if len(cells) > MAX_COLUMNS:
            raise RosterRefused(CORRUPT)
    return cells


def _index(element: ElementTree.Element, last: int, bound: int) -> int:
    """The 0-based place of a row or cell: its ss:Index, else after the
    last; rows and cells only go forward, and stay within Excel's bounds."""
    given = element.get(_ss("Index"))
    place = last + 1 if given is None else _count(given, bound) - 1
    if place <= last or place >= bound:
        raise RosterRefused(CORRUPT)
    return place


def _count(value: str | None, largest: int) -> int:
    if value is None:
        return 0
    try:
        number = int(value)
    except ValueError:
        raise RosterRefused(CORRUPT) from None
    if not 0 <= number <= largest:
        raise RosterRefused(CORRUPT)
    return number


def _value(cell: ElementTree.Element):
    """A cell's value as calamine gives an xlsx's: text, a float, a bool, a
    date (or a date and time), an error's text; "" when it has none."""
    data = cell.find(_ss("Data"))
    if data is None:
        return ""
    text = "".join(data.itertext())  # rich text (<Font>, <B>…) is read as its letters
    kind = data.get(_ss("Type"), "String")
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
