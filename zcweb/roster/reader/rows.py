"""The raw roster: its header's columns and its rows, made one at a time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter

from ..schema import Schema
from .header import Header
from .limits import Deadline, Limits
from .refusals import RosterRefused, too_many_rows

_EMPTY_TO_NONE = {"": None}


@dataclass(slots=True)
class RawRow:
    number: int  # the row number Excel shows (CSV: the record number), 1-based
    cells: dict[str, object]  # column key -> raw value; empty cells are None


@dataclass
class RawRoster:
    """A roster read up to its header row; `rows` reads the rest as it is
    iterated, once, so that the raw rows of a large file are never all held
    at once. Iterating may still refuse the file (too many rows, too slow)."""

    format: str  # "xlsx" | "xlsb" | "xls" | "ods" | "csv"
    sheet: str  # the sheet read ("" for csv)
    header_row: int
    columns: list[str]  # column keys found, in file order
    extra_headers: list[str]  # unknown headers, ignored
    rows: Iterator[RawRow]  # rows with a value in some column found; raises RosterRefused
    token: str | None  # A1 of the template's hidden metadata sheet
    notes: list[str]  # file-level remarks for the contact


def roster(format: str, sheet: str, header: Header, rows, schema: Schema, limits: Limits,
           deadline: Deadline, token: str | None, notes: list[str]) -> RawRoster:
    missing = [c.header for c in schema.columns if c.required and c.key not in header.keys]
    if missing:
        raise RosterRefused(f"缺少必填列：{'、'.join(missing)}。"
                            "请使用本批次模板填写，或在表头行补上这些列后重新上传。")
    return RawRoster(
        format=format, sheet=sheet, header_row=header.index + 1, columns=header.keys,
        extra_headers=header.extra, rows=_raw_rows(rows, header, limits, deadline),
        token=token, notes=notes + header.notes)


def _raw_rows(rows, header: Header, limits: Limits, deadline: Deadline) -> Iterator[RawRow]:
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
            raise too_many_rows(limits.max_rows)
        yield RawRow(index + 1, dict(zip(keys, map(none_for_empty, values, values) if empty else values)))


def _blank(values) -> bool:
    """Whether every value is an empty or whitespace-only string."""
    return all(isinstance(value, str) and not value.strip() for value in values)
