"""The raw roster: its header's columns and its rows, made one at a time."""

from __future__ import annotations

import re
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
           deadline: Deadline, token: str | None, notes: list[str], hidden: frozenset[int] = frozenset()) -> RawRoster:
    """`hidden`: the numbers of the rows Excel hides, where the reader knows them."""
    missing = [c.header for c in schema.columns if c.required and c.key not in header.keys]
    if missing:
        raise RosterRefused(f"缺少必填列：{'、'.join(missing)}。"
                            "请使用本批次模板填写，或在表头行补上这些列后重新上传。")
    notes = notes + header.notes
    return RawRoster(
        format=format, sheet=sheet, header_row=header.index + 1, columns=header.keys,
        extra_headers=header.extra,
        rows=_raw_rows(rows, header, limits, deadline, _Skipped(header.keys, notes), hidden),
        token=token, notes=notes)


def _raw_rows(rows, header: Header, limits: Limits, deadline: Deadline, skipped: _Skipped,
              hidden: frozenset[int]) -> Iterator[RawRow]:
    """The rows with a value in some column found, but for the lines that
    are nobody's (`_Skipped`), each made when it is asked for: the row
    limit and the deadline are checked on the way. Rows that Excel hides
    (`hidden`) are read, and named in the notes: a contact who filtered
    last year's people out of sight would not see them go in."""
    read_hidden = []
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
        if empty and skipped.nobody(index + 1, values):
            continue
        found += 1
        if found > limits.max_rows:
            raise too_many_rows(limits.max_rows)
        if hidden and index + 1 in hidden:
            read_hidden.append(index + 1)
        yield RawRow(index + 1, dict(zip(keys, map(none_for_empty, values, values) if empty else values)))
    skipped.finish()
    if read_hidden:
        skipped.notes.append(f"第 {_spans(read_hidden)} 行在 Excel 中是隐藏的（可能被筛选或隐藏了），这些行也已读取。"
                             "如其中的人员不应报送，请删除这些行后重新上传。")


# How a line under a table that is no one's begins (who filled it in, a
# total, a note), and how many cells it fills at most: a person's row, even
# one without a name and identity number, fills many more.
_FOOTER = re.compile(r"(?:填表人|填报人|制表人?|经办人|联系人|负责人|审核人|审批人|单位负责人|单位（盖章）|单位\(盖章\)"
                     r"|盖章|日期|填报日期|填表日期|合计|小计|总计|共计|注|说明|备注)\s*[:：]?")
_FOOTER_CELLS = 6
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


class _Skipped:
    """Lines of a roster that hold no person: a row numbered in advance and
    left empty (only its 序号), a line such as "填表人：王丽" or "合计"
    under the table. They are skipped, and the contact told so in the
    roster's notes, rather than shown as people with every cell missing."""

    def __init__(self, keys: list[str], notes: list[str]):
        self.notes, self._numbered, self._footers = notes, [], []
        self._first_note = len(notes)  # the rows numbered ahead are named before the lines under the table
        place = {key: position for position, key in enumerate(keys)}
        self._name, self._id, self._seq = (place.get(key) for key in ("name", "id_number", "seq"))

    def nobody(self, number: int, values) -> bool:
        """Whether row `number` (its values in header order) is no one's."""
        if self._name is None or self._id is None or _filled(values[self._name]):
            return False
        identity = values[self._id]  # "联系电话：…" may run into it, a number has no Chinese
        if _filled(identity) and not (isinstance(identity, str) and _CHINESE.search(identity)):
            return False
        filled = [position for position, value in enumerate(values) if _filled(value)]
        text = next((values[p].strip() for p in filled if isinstance(values[p], str)), "")
        if len(filled) > _FOOTER_CELLS or not _FOOTER.match(text):
            if filled == [self._seq]:
                self._numbered.append(number)
                return True
            return False
        self._footers.append(number)
        if len(self._footers) <= 3:
            shown = " ".join(text.split())
            shown = shown if len(shown) <= 20 else shown[:20] + "…"
            self.notes.append(f"第 {number} 行“{shown}”不是人员信息，已跳过。")
        if len(self._footers) == 4:
            self.notes.append("还有其他不是人员信息的行，已跳过。")
        return True

    def finish(self) -> None:
        """The note on the rows numbered and left empty, once all are read."""
        if not self._numbered:
            return
        self.notes.insert(self._first_note, f"第 {_spans(self._numbered)} 行只填了序号，没有人员信息，已跳过。")


def _spans(numbers: list[int]) -> str:
    """Ascending row numbers as the notes name them: "3—5、7"."""
    spans, start = [], numbers[0]
    for previous, number in zip(numbers, numbers[1:] + [None]):
        if number != previous + 1:
            spans.append(str(start) if start == previous else f"{start}—{previous}")
            start = number
    return "、".join(spans[:5]) + ("等" if len(spans) > 5 else "")


def _filled(value) -> bool:
    return value is not None and value != "" and not (isinstance(value, str) and value.isspace())


def _blank(values) -> bool:
    """Whether every value is an empty or whitespace-only string."""
    return all(isinstance(value, str) and not value.strip() for value in values)
