"""An xlsx workbook read by python-calamine in this process, each sheet's
XML checked first (`farcells`) so that calamine's grid stays small."""

from __future__ import annotations

import io
import re
import zipfile

import python_calamine

from .book import Sheet, SheetInfo
from .farcells import TEXT, BlankFarCells, check_sheet_area
from .limits import Deadline, Limits
from .package import local, parse, relationship_id, relationships
from .refusals import CORRUPT, PASSWORD, RosterRefused
from .zipped import inflate, inflate_pieces, replace_member, tag_pieces


# A row that Excel hides (<row r="5" … hidden="1">): its number.
_HIDDEN_ROW = re.compile(rb'<row\s(?=[^>]*?\shidden="(?:1|true)")[^>]*?\br="(\d+)"')


class XlsxBook:
    """An xlsx workbook read in this process, each sheet checked first."""

    format = "xlsx"

    def __init__(self, data: bytes, members: dict[str, zipfile.ZipInfo], workbook: str,
                 limits: Limits, deadline: Deadline):
        """`members` by part name (`package.members_by_part`); `workbook`
        is the workbook part's name."""
        self._data, self._limits, self._members = data, limits, members
        self._workbook_part = workbook
        self.notes: list[str] = []  # remarks on what reading the sheets ignored
        self._sheet_members = _sheet_members(data, members, workbook)
        worksheets = set(self._sheet_members.values())
        for info in members.values():  # calamine reads some of these on opening
            if info not in worksheets:
                for _ in inflate_pieces(data, info):
                    deadline.check()
        self._workbook = calamine(
            lambda: python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)))
        self.sheets = [
            SheetInfo(m.name, m.visible == python_calamine.SheetVisibleEnum.Visible,
                      m.typ == python_calamine.SheetTypeEnum.WorkSheet)
            for m in self._workbook.sheets_metadata
        ]
        deadline.check()

    def load(self, name: str) -> Sheet:
        member = self._sheet_members.get(name)
        if member is None:
            raise RosterRefused(CORRUPT)
        workbook, hidden = self._workbook, set()

        def pieces():
            """The sheet's XML, noting on the way the rows it hides."""
            for xml in tag_pieces(self._data, member):
                if b'hidden="' in xml:
                    hidden.update(int(number) for number in _HIDDEN_ROW.findall(xml))
                yield xml

        try:
            check_sheet_area(pieces, name, self._limits,
                             lambda: _shared_strings(self._data, self._members, self._workbook_part))
        except BlankFarCells as blank:
            # Read the sheet from a copy of the file without those cells.
            data = replace_member(self._data, self._members, member, blank.xml)
            workbook = calamine(lambda: python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)))
            self.notes.append(
                f"工作表“{name}”的 {blank.names} 单元格只有空格，离花名册数据太远，已忽略。")
        sheet = calamine(lambda: workbook.get_sheet_by_name(name))
        start = sheet.start
        return Sheet(name, start[1] if start else 0, enumerate(sheet.iter_rows()), frozenset(hidden))


def _sheet_members(data: bytes, members: dict[str, zipfile.ZipInfo],
                   workbook: str) -> dict[str, zipfile.ZipInfo]:
    """Sheet name -> the member holding its XML, found as calamine finds it."""
    if workbook not in members:
        raise RosterRefused(CORRUPT)
    targets = relationships(data, members, workbook)
    found = {}
    for element in parse(data, members[workbook]).iter():
        if local(element.tag) != "sheet":
            continue
        path = targets.get(relationship_id(element), "")
        if path in members:
            found[element.get("name")] = members[path]
    return found


def _shared_strings(data: bytes, members: dict[str, zipfile.ZipInfo], workbook: str) -> list[bytes]:
    """The workbook's shared strings, as raw text of each <si>."""
    info = next((members[path] for path in relationships(data, members, workbook, "sharedStrings").values()
                 if path in members), None)
    if info is None:
        return []
    xml = inflate(data, info)
    return [b"".join(TEXT.findall(item)) for item in re.findall(rb"<(?:\w+:)?si>(.*?)</(?:\w+:)?si>", xml, re.DOTALL)]


def calamine(call):
    """Calls python-calamine, turning any failure into a refusal."""
    try:
        return call()
    except python_calamine.PasswordError:
        raise RosterRefused(PASSWORD) from None
    except Exception:
        raise RosterRefused(CORRUPT) from None
    except BaseException as error:
        # pyo3 raises a Rust panic as PanicException, a BaseException.
        if type(error).__name__ != "PanicException":
            raise
        raise RosterRefused(CORRUPT) from None
