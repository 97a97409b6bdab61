"""Writing cells, sizes and print setup: what every workbook writer shares.

The template (`template`), the exports (`export`) and the official roster
(`official`) each hold only what makes them different. `StreamSheet` writes
a table top to bottom in openpyxl's write-only mode with named styles, so an
export's time is linear in its rows and its memory flat. openpyxl builds and
serialises an XML element for every cell, which is most of an export's time;
a data row is therefore written as one XML string (`_RawRow`), the same
bytes openpyxl would write for the same cells (a test compares the two).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from openpyxl import LXML, Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.compat import safe_string
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.page import PageMargins

TEXT_FORMAT = "@"
DATE_FORMAT = "yyyy-mm-dd"
MONTH_FORMAT = "yyyy-mm"
# Cells of these types hold text, so Excel cannot turn an 18-digit number
# into a float or "1985-06" into a date.
TEXT_TYPES = ("text", "idcard", "phone", "month", "choice", "yesno")
PAGE_FOOTER = "第 &P 页 共 &N 页"
A4, A3 = 9, 8

FONT_NAME = "宋体"
LINE_HEIGHT = 15  # points per line of 11 pt CJK text
BOLD = Font(name=FONT_NAME, bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="808080")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(wrap_text=True, horizontal="center", vertical="center")
TOP = Alignment(wrap_text=True, vertical="top")
RIGHT = Alignment(horizontal="right", vertical="center")

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def write_value(cell, value, column_type: str = "text") -> None:
    """Writes `value` so that Excel shows exactly it: strings stay strings
    (openpyxl would make "=..." a formula), ISO dates become real dates."""
    if column_type == "date" and isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        value = _parse_iso(value.strip())
    elif column_type in ("idcard", "phone") and _is_number(value):
        # A number here was read from a number cell, so Excel kept at most 15
        # significant digits: write what Excel showed (3.30682199001011E+17),
        # never an 18-digit string that looks right and is not.
        value = f"{value:.15G}"
    if isinstance(value, str):
        cell.value = value if value.isprintable() else ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"
        return
    cell.value = value
    if isinstance(value, dt.date):
        cell.number_format = MONTH_FORMAT if column_type == "month" else DATE_FORMAT


def _parse_iso(text: str) -> dt.date:
    value = dt.datetime.fromisoformat(text)
    return value.date() if len(text) == 10 else value


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def setup_print(sheet, title_rows: str | None, landscape: bool = True, paper: int = A4) -> None:
    """One page wide on `paper`, `title_rows` repeated on every page, page
    numbers in the footer."""
    sheet.page_setup.paperSize = paper
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        sheet.print_title_rows = title_rows
    sheet.page_margins = PageMargins(left=0.3, right=0.3, top=0.4, bottom=0.5, header=0.2, footer=0.25)
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = PAGE_FOOTER


def text_width(text: str) -> int:
    """Width in Excel's character units: a CJK character takes two."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def row_height(texts_and_widths, font_size: float = 11) -> float:
    """A row height that shows every wrapped text whole; Excel does not fit
    rows to wrapped text by itself, and never for merged cells."""
    pairs = list(texts_and_widths)
    return values_height([text for text, _ in pairs], [width for _, width in pairs], font_size)


def values_height(values, widths, font_size: float = 11) -> float:
    """The height of a row of `values` in columns of `widths`, from the
    values themselves (never by reading the sheet back, which is quadratic)."""
    return _height(_line_count(values, [_usable(w) for w in widths]), font_size)


def _usable(width: float) -> float:
    return max(width - 1.5, 1)


def _height(lines: int, font_size: float) -> float:
    return round(lines * LINE_HEIGHT * font_size / 11 + 6, 1)


def _line_count(values, usables) -> int:
    """The most lines any of `values` wraps to in its column's `usables` width."""
    lines = 1
    for value, usable in zip(values, usables):
        if value is None or value == "":
            continue
        text = value if type(value) is str else shown(value)
        if len(text) * 2 > usable or "\n" in text:  # else one line whatever its characters
            count = _lines(text, usable)
            if count > lines:
                lines = count
    return lines


@lru_cache(maxsize=65536)
def _lines(text: str, usable: float) -> int:
    """Lines `text` wraps to in `usable` character units (values repeat a lot: cached)."""
    return sum(max(1, math.ceil(text_width(part) / usable)) for part in text.split("\n"))


def shown(value) -> str:
    return value.strftime("%Y-%m-%d") if isinstance(value, dt.date) else str(value)


def frozen_cell(keys: list[str], first_data_row: int) -> str:
    """Where to freeze panes: below the header and, so a row's person stays
    in view while scrolling right, after the name column."""
    column = keys.index("name") + 2 if "name" in keys else 1
    return f"{get_column_letter(column)}{first_data_row}"


def safe_filename(stem: str) -> str:
    return _UNSAFE_FILENAME.sub("_", stem).strip() + ".xlsx"


def to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- streaming tables

class Col(NamedTuple):
    """A column of a streamed table: key, header, width, schema type."""

    key: str
    header: str
    width: float
    type: str = "text"


def _number_format(column_type: str) -> str:
    if column_type == "date":
        return DATE_FORMAT
    return TEXT_FORMAT if column_type in TEXT_TYPES else "General"


class StreamSheet:
    """A write-only sheet written top to bottom: banner lines across the
    table, one header row, data rows, lines below. Styles are named styles
    registered once per workbook. A data row is written as one XML string
    (see `_RawRow`), so writing a cell costs less than openpyxl takes to
    write its bare value."""

    # openpyxl writes through et_xmlfile, whose writer takes raw text, unless
    # lxml is installed; then data rows go through openpyxl's cells too.
    raw_rows = not LXML

    def __init__(self, workbook: Workbook, title: str, columns: list[Col], *, font_size: float = 11,
                 freeze: str | None = None, data_align: Alignment = WRAP, min_height: float = 0):
        self.workbook = workbook
        self.sheet = workbook.create_sheet(title)
        # The sheet's head (views, columns, fit to page) is written with the first row.
        self.sheet.sheet_properties.pageSetUpPr.fitToPage = True
        if freeze:
            self.sheet.freeze_panes = freeze
        self.columns = columns
        self._usables = [_usable(c.width) for c in columns]
        self.font_size = font_size
        self.min_height = min_height
        # Every data row has its height written: LibreOffice ignores a
        # sheet's default row height, and a printed checklist needs its rows tall.
        self.sheet.sheet_format.defaultRowHeight = _height(1, font_size)
        self.row_number = 0
        self.header_row = self.data_rows = 0
        self.sheet._values_to_row = _positioned  # rows are appended as cells, see _positioned
        for index, column in enumerate(columns, 1):
            self.sheet.column_dimensions[get_column_letter(index)].width = column.width
        align_name = "c" if data_align.horizontal == "center" else "l"
        self._data_styles = [self._style(f"data-{align_name}-{_number_format(c.type)}", align=data_align,
                                         number_format=_number_format(c.type)) for c in columns]
        self._types = [c.type for c in columns]
        self._letters = [get_column_letter(index) for index in range(1, len(columns) + 1)]
        self._style_ids = [self._cell(None, style).style_id for style in self._data_styles]
        self._date_style_ids: dict[tuple[int, str], int] = {}
        self._raw_writer = False

    def _style(self, name: str, *, bold=False, size=None, align=WRAP, border=GRID, fill=None,
               number_format="General") -> str:
        """The name of a named style, registered on first use."""
        name = f"zc-{name}-{size or self.font_size:g}"
        if name not in self.workbook.named_styles:
            style = NamedStyle(name, font=Font(name=FONT_NAME, bold=bold, size=size or self.font_size),
                               alignment=align, number_format=number_format)
            if border is not None:
                style.border = border
            if fill is not None:
                style.fill = fill
            self.workbook.add_named_style(style)
        return name

    def _append(self, cells, height: float | None) -> int:
        self.row_number += 1
        if height is not None:
            self.sheet.row_dimensions[self.row_number].height = height
        self.sheet.append(cells)
        self.sheet.row_dimensions.pop(self.row_number, None)  # written; keep memory flat
        return self.row_number

    def _cell(self, value, style: str, column_type: str = "text") -> WriteOnlyCell:
        cell = WriteOnlyCell(self.sheet)
        cell.style = style
        if value is not None and value != "":
            write_value(cell, value, column_type)
        return cell

    def line(self, text: str, *, bold=False, size=None, align=WRAP, height: float | None = None,
             merge: bool = True) -> int:
        """A line of text across the table (title, 推荐单位 line, footer)."""
        style = self._style(f"line-{'b' if bold else 'n'}-{align.horizontal or 'l'}", bold=bold, size=size,
                            align=align, border=None)
        number = self._append([self._cell(text, style)], height)
        if merge and len(self.columns) > 1:
            self.sheet.merged_cells.add(f"A{number}:{get_column_letter(len(self.columns))}{number}")
        return number

    def pair(self, left: str, right: str, *, right_columns: int, height: float | None = None) -> int:
        """A line with `left` across most of the table and `right`, aligned
        right, across its last `right_columns` columns."""
        if len(self.columns) < 2:
            return self.line(f"{left}　　{right}", height=height)
        split = max(len(self.columns) - right_columns, 1)
        left_style = self._style("line-n-l", align=WRAP, border=None)
        right_style = self._style("line-n-r", align=RIGHT, border=None)
        cells = [self._cell(left, left_style)] + [None] * (split - 1) + [self._cell(right, right_style)]
        number = self._append(cells, height)
        for first, end in ((1, split), (split + 1, len(self.columns))):
            if end > first:
                self.sheet.merged_cells.add(f"{get_column_letter(first)}{number}:{get_column_letter(end)}{number}")
        return number

    def header(self) -> int:
        style = self._style("header", bold=True, align=CENTER, fill=HEADER_FILL)
        cells = [self._cell(c.header, style) for c in self.columns]
        self.header_row = self._append(cells, row_height([(c.header, c.width) for c in self.columns],
                                                         self.font_size))
        return self.header_row

    def row(self, values: list) -> int:
        """A data row: `values` in column order, each written by its type."""
        self.data_rows += 1
        height = max(_height(_line_count(values, self._usables), self.font_size), self.min_height)
        if not self.raw_rows:
            return self._append([self._cell(value, style, column_type) for value, style, column_type
                                 in zip(values, self._data_styles, self._types)], height)
        if not self._raw_writer:
            self._install_raw_writer()
        self.row_number += 1
        number = str(self.row_number)
        head = f'<row r="{number}" ht="{safe_string(height)}" customHeight="1">'
        cells = "".join([self._cell_xml(letter + number, value, index)
                         for index, (letter, value) in enumerate(zip(self._letters, values))])
        self.sheet.append(_RawRow((f"{head}{cells}</row>",)))
        return self.row_number

    def _install_raw_writer(self) -> None:
        self.sheet._get_writer()  # writes the sheet's head, if no row has yet
        write_cells = self.sheet._writer.write_row

        def write_row(xf, row, row_number):
            if type(row) is _RawRow:
                xf._file(row[0])
            else:
                write_cells(xf, row, row_number)
        self.sheet._writer.write_row = write_row
        self._raw_writer = True

    def _cell_xml(self, ref: str, value, index: int) -> str:
        """The XML openpyxl writes for `value` in a styled cell of column `index`."""
        style_id = self._style_ids[index]
        if value is None or value == "":
            return f'<c r="{ref}" s="{style_id}" t="n" />'
        column_type = self._types[index]
        kind = type(value)
        if kind is str and column_type != "date":
            return _text_xml(ref, style_id, value)
        if (kind is int or kind is float) and column_type not in ("idcard", "phone") and math.isfinite(value):
            return f'<c r="{ref}" s="{style_id}" t="n"><v>{safe_string(value)}</v></c>'
        cell = self._cell(value, self._data_styles[index], column_type)  # dates, numbers, rarer values
        if cell.data_type == "s":
            return _text_xml(ref, style_id, cell._value)
        kind, value = cell.data_type, cell._value
        if kind == "d":
            style_key = (index, cell.number_format)
            if style_key not in self._date_style_ids:
                self._date_style_ids[style_key] = cell.style_id
            kind, style_id, value = "n", self._date_style_ids[style_key], to_excel(value, self.workbook.epoch)
        text = safe_string(value)
        content = f"<v>{text}</v>" if text else "<v />"
        return f'<c r="{ref}" s="{style_id}" t="{kind}">{content}</c>'

    def finish(self, *, paper: int = A4, landscape: bool = True, auto_filter: bool = False,
               title_rows: str | None = None) -> None:
        """Print setup and filter (written with the sheet's tail)."""
        last = get_column_letter(len(self.columns))
        if auto_filter:
            self.sheet.auto_filter.ref = f"A{self.header_row}:{last}{self.header_row + self.data_rows}"
        setup_print(self.sheet, title_rows or f"{self.header_row}:{self.header_row}", landscape, paper)


def _text_xml(ref: str, style_id: int, text: str) -> str:
    """An inline string cell, as openpyxl writes one: text without the
    characters XML forbids, at most 32,767 of them, escaped."""
    if not text.isprintable():
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
    text = text[:32767]
    space = ' xml:space="preserve"' if text != text.strip() else ""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return f'<c r="{ref}" s="{style_id}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


class _RawRow(tuple):
    """A data row already serialised: (xml,). The sheet's writer writes it
    to the sheet's stream as it is."""


def _positioned(cells, row_number: int):
    """Stands in for openpyxl's `WriteOnlyWorksheet._values_to_row`, which
    makes a new cell of every appended value (and of every styled cell it
    is given, raising and catching an error on the way): our rows are cells
    already, written as soon as appended, so they only need their position."""
    if type(cells) is _RawRow:
        return cells
    return _placed(cells, row_number)


def _placed(cells, row_number: int):
    for column, cell in enumerate(cells, 1):
        if cell is not None:
            cell.row, cell.column = row_number, column
            yield cell


def stream_workbook() -> Workbook:
    return Workbook(write_only=True)
