"""An xlsx workbook read by python-calamine in this process, each sheet's
XML checked first (`farcells`) so that calamine's grid stays small."""

from __future__ import annotations

import io
import re
import zipfile
from xml.etree import ElementTree

import python_calamine

from .book import Sheet, SheetInfo
from .farcells import TEXT, BlankFarCells, check_sheet_area
from .limits import Deadline, Limits
from .refusals import CORRUPT, PASSWORD, RosterRefused
from .zipped import inflate, inflate_pieces, replace_member, tag_pieces

_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class XlsxBook:
    """An xlsx workbook read in this process, each sheet checked first."""

    format = "xlsx"

    def __init__(self, data: bytes, members: dict[str, zipfile.ZipInfo], limits: Limits,
                 deadline: Deadline):
        self._data, self._limits, self._members = data, limits, members
        self.notes: list[str] = []  # remarks on what reading the sheets ignored
        self._sheet_members = _sheet_members(data, members)
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
        workbook = self._workbook
        try:
            check_sheet_area(lambda: tag_pieces(self._data, member), name, self._limits,
                             lambda: _shared_strings(self._data, self._members))
        except BlankFarCells as blank:
            # Read the sheet from a copy of the file without those cells.
            data = replace_member(self._data, self._members, member, blank.xml)
            workbook = calamine(lambda: python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)))
            self.notes.append(
                f"工作表“{name}”的 {blank.names} 单元格只有空格，离花名册数据太远，已忽略。")
        sheet = calamine(lambda: workbook.get_sheet_by_name(name))
        start = sheet.start
        return Sheet(name, start[1] if start else 0, enumerate(sheet.iter_rows()))


def _sheet_members(data: bytes, members: dict[str, zipfile.ZipInfo]) -> dict[str, zipfile.ZipInfo]:
    """Sheet name -> the member holding its XML, found as calamine finds it."""
    targets = {
        element.get("Id"): element.get("Target", "")
        for element in _parse_member(data, members, "xl/_rels/workbook.xml.rels").iter()
        if _local(element.tag) == "Relationship"
    }
    found = {}
    for element in _parse_member(data, members, "xl/workbook.xml").iter():
        if _local(element.tag) != "sheet":
            continue
        target = targets.get(element.get(f"{{{_RELATIONSHIPS}}}id"), "")
        path = target[1:] if target.startswith("/xl/") else (
            target if target.startswith("xl/") else f"xl/{target}")
        if path.lower() in members:
            found[element.get("name")] = members[path.lower()]
    return found


def _parse_member(data: bytes, members: dict[str, zipfile.ZipInfo], name: str) -> ElementTree.Element:
    if name not in members:
        raise RosterRefused(CORRUPT)
    try:
        return ElementTree.fromstring(inflate(data, members[name]))
    except ElementTree.ParseError:
        raise RosterRefused(CORRUPT) from None


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _shared_strings(data: bytes, members: dict[str, zipfile.ZipInfo]) -> list[bytes]:
    """The workbook's shared strings, as raw text of each <si>."""
    info = members.get("xl/sharedstrings.xml")
    if info is None:
        return []
    xml = inflate(data, info)
    return [b"".join(TEXT.findall(item)) for item in re.findall(rb"<si>(.*?)</si>", xml, re.DOTALL)]


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
