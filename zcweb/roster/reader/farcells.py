"""The guard against an xlsx sheet whose grid would not fit in memory.

python-calamine builds a sheet as a dense grid of 32-byte cells reaching
from the first to the last cell that holds a value: one stray value at
A1048576 of a 30-column roster costs 1 GB, one at XFD1048576 asks for
550 GB and aborts the whole process, uncatchably. So a sheet's XML is
scanned here before calamine sees it.
"""

from __future__ import annotations

import re

from .cells import column_index
from .limits import Limits
from .refusals import RosterRefused

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
# A whole cell element with a plain reference: (column, row, attributes, content).
_WHOLE_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"([^>]*?)(?:/>|>(.*?)</c>)', re.DOTALL)
_CELL_TYPE = re.compile(rb'\st="([a-zA-Z]+)"')
TEXT = re.compile(rb"<(?:\w+:)?t(?:\s[^>]*)?>(.*?)</(?:\w+:)?t>", re.DOTALL)
_VALUE = re.compile(rb"<v>(.*?)</v>", re.DOTALL)


class NonstandardXml(Exception):
    """An xlsx sheet whose cells only calamine can place: read it isolated."""


class BlankFarCells(Exception):
    """The sheet is within the budget once its far blank cells are dropped."""

    def __init__(self, xml: bytes, names: str):
        super().__init__(names)
        self.xml, self.names = xml, names


def check_sheet_area(xml_pieces, sheet: str, limits: Limits, shared_strings) -> None:
    """Refuses a sheet whose cells would make calamine's grid too large;
    `xml_pieces()` gives the sheet's XML afresh at each call. Raises
    `BlankFarCells` when the only far cells hold nothing but spaces (a
    stray space typed at AD1048576 is a common accident)."""
    if limits.max_cells >= SMALL_ROWS * SMALL_COLUMNS and not any(
            _OUTSIDE_SMALL_AREA.search(xml) or _PREFIXED_CELL.search(xml) for xml in xml_pieces()):
        return
    lowest = rightmost = (b"A", b"1")
    for xml in xml_pieces():
        cells = _CELL.findall(xml)
        if (b"", b"") in cells or _PREFIXED_CELL.search(xml):
            raise NonstandardXml
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


def _raise_if_only_blank_far_cells(xml: bytes, shared: list[bytes], limits: Limits) -> None:
    """Raises `BlankFarCells` with the XML without the cells outside the
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
        raise BlankFarCells(kept, "、".join(dropped[:3]) + ("等" if len(dropped) > 3 else ""))


def _is_blank(attributes: bytes, content: bytes, shared: list[bytes]) -> bool:
    """Whether a cell holds nothing, or only whitespace text."""
    kind = _CELL_TYPE.search(attributes)
    kind = kind.group(1) if kind else b"n"
    if b"<f" in content:
        return False
    if kind == b"inlineStr":
        text = b"".join(TEXT.findall(content))
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
