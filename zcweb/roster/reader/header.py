"""Finding the header row and matching its labels to the schema's columns."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain

from ..schema import INFO_HEADERS, Schema, header_key
from .cells import column_letter

HEADER_SCAN_ROWS = 30
MIN_HEADER_MATCHES = 3
# A header cell is a short label; longer texts are data and need no matching.
MAX_HEADER_LENGTH = 100
_INFO_KEYS = frozenset(header_key(h) for h in INFO_HEADERS)


@dataclass
class Header:
    index: int  # 0-based row index
    positions: list[int]  # positions of the columns found, in file order
    keys: list[str]
    extra: list[str]
    notes: list[str]

    @property
    def score(self) -> int:
        return len(self.keys)


def split_head(rows: Iterator[tuple[int, list]]) -> tuple[list, Iterator]:
    """The rows where a header may be, and an iterator over the others."""
    head = []
    for row in rows:
        if row[0] >= HEADER_SCAN_ROWS:
            return head, chain([row], rows)
        head.append(row)
    return head, iter(())


def find_header(head: list[tuple[int, list]], first_column: int, schema: Schema) -> Header | None:
    """The row that names the most columns; with the row below it when the
    two name more together (a two-row header: “继续教育学时” merged above
    “2022年”, “2023年”, “2024年”)."""
    best_score, best = MIN_HEADER_MATCHES - 1, None
    for index, cells in head:
        score = _score(cells, schema)
        if score > best_score:
            best_score, best = score, (index, cells)
    if best is None:
        return None
    index, cells = best
    below = next((row for i, row in head if i == index + 1), None)
    if below is not None:
        joined = _two_rows(cells, below, schema)
        if _score(joined, schema) > best_score:
            index, cells = index + 1, joined
    return _read_header(index, cells, first_column, schema)


def _score(cells: list, schema: Schema) -> int:
    return len({column.key for column in map(schema.match_header, _labels(cells)) if column})


def _two_rows(upper: list, lower: list, schema: Schema) -> list[str]:
    """The labels of a two-row header, position by position: the upper
    row's where it names a column (a label merged down over both rows),
    else the lower row's, alone or with the group label above it (merged
    across its columns, so written in the first of them) before or after."""
    labels, group = [], ""
    for position in range(max(len(upper), len(lower))):
        top, bottom = (_text(row[position]) if position < len(row) else "" for row in (upper, lower))
        if top:
            group = "" if schema.match_header(top) else top
        if top and not group or not bottom:
            labels.append(top)
        else:
            labels.append(next((label for label in (bottom, group + bottom, bottom + group)
                                if schema.match_header(label)), bottom))
    return labels


def _text(value) -> str:
    """A cell as a label: its text, or a whole number (a year typed as a number)."""
    if isinstance(value, float) and value.is_integer() or type(value) is int:
        return str(int(value))
    return " ".join(value.split()) if isinstance(value, str) and len(value) <= MAX_HEADER_LENGTH else ""


def _labels(cells: list) -> Iterator[str]:
    return (c for c in cells if isinstance(c, str) and c and len(c) <= MAX_HEADER_LENGTH)


def _read_header(index: int, cells: list, first_column: int, schema: Schema) -> Header:
    header = Header(index, [], [], [], [])
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
