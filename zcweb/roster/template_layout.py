"""Where the roster template puts things, shared by its writer
(`template`) and its instructions (`instructions`): the rows, the mark of a
required column and the length of an identity number.
"""

from __future__ import annotations

from .schema import Column

TITLE_ROW, HEADER_ROW, FIRST_DATA_ROW = 1, 2, 3
REQUIRED_MARK = "*"
ID_NUMBER_LENGTH = 18  # GB 11643-1999
RED = "C00000"


def header_text(column: Column) -> str:
    return REQUIRED_MARK + column.header if column.required else column.header
