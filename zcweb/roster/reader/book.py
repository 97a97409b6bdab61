"""What every workbook reader gives: its sheets, and a sheet's rows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple


class SheetInfo(NamedTuple):
    name: str
    visible: bool
    worksheet: bool


class Sheet(NamedTuple):
    name: str
    first_column: int  # 0-based column index of each row's first cell
    rows: Iterator[tuple[int, list]]  # (0-based row index, cells)
    hidden: frozenset[int] = frozenset()  # numbers (1-based) of the rows Excel hides, where the reader knows them
