"""From a workbook's sheets to the raw roster: which sheet, which header,
the template's token and the remarks on what was skipped."""

from __future__ import annotations

from itertools import chain

from ..schema import INSTRUCTIONS_SHEET, LISTS_SHEET, META_SHEET, Schema
from .header import find_header, split_head
from .limits import Deadline, Limits
from .refusals import NO_HEADER, RosterRefused
from .rows import RawRoster, roster


def read_book(book, schema: Schema, limits: Limits, deadline: Deadline) -> RawRoster:
    """`book` is an `XlsxBook`, an `IsolatedBook`, an `HtmlBook` or an
    `XmlSpreadsheetBook`: its `format`, `sheets` (`SheetInfo`s) and
    `load(name)` (a `Sheet`)."""
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
        sheets = getattr(book, "sheet_word", "工作表")  # a web page's are its tables
        notes.append(f"文件有多张{sheets}，读取的是表头最完整的“{sheet.name}”，其他{sheets}未读取。")
    rows = chain(((i, cells) for i, cells in head if i > header.index), rest)
    return roster(book.format, sheet.name, header, rows, schema, limits, deadline, token, notes, sheet.hidden)


def _read_token(book) -> str | None:
    if META_SHEET not in {info.name for info in book.sheets}:
        return None
    sheet = book.load(META_SHEET)
    for index, cells in sheet.rows:
        first = cells[0] if index == 0 and sheet.first_column == 0 and cells else None
        return first if isinstance(first, str) and first.strip() else None
    return None


def _choose_sheet(book, candidates: list[str], schema: Schema, deadline: Deadline):
    """The schema's sheet if it has a header row, else the sheet whose header
    row names the most columns."""
    best = None
    for name in candidates:
        sheet = book.load(name)
        head, rest = split_head(sheet.rows)
        header = find_header(head, sheet.first_column, schema)
        deadline.check()
        if header and (best is None or header.score > best[3].score):
            best = (sheet, head, rest, header)
            if name == schema.sheet:
                break
    if best is None:
        raise RosterRefused(NO_HEADER)
    return best
