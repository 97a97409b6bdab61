"""Which kind of file was uploaded, told by its bytes, never by its name,
and the reader each kind goes to."""

from __future__ import annotations

import io
import struct
import zipfile

import olefile

from ..schema import Schema
from .csvfile import read_csv
from .farcells import NonstandardXml
from .isolated import IsolatedBook
from .limits import Deadline, Limits
from .refusals import CORRUPT, EMPTY, MACROS, NOT_TEXT, PASSWORD, XLSB, RosterRefused, archive, not_a_roster
from .rows import RawRoster
from .workbook import read_book
from .xlsx import XlsxBook
from .zipped import check_sizes, inflate

_ARCHIVES = {b"Rar!": "RAR 压缩包", b"7z\xbc\xaf\x27\x1c": "7z 压缩包"}
_OTHER_FILES = {
    b"%PDF": "PDF 文件",
    b"\x89PNG": "图片（PNG）",
    b"\xff\xd8\xff": "图片（JPEG）",
    b"GIF8": "图片（GIF）",
    b"{\\rtf": "RTF 文档",
}
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def read_roster(data: bytes, schema: Schema, limits: Limits = Limits()) -> RawRoster:
    """The raw rows of an uploaded roster; raises RosterRefused."""
    deadline = Deadline(limits.time_limit)
    if not data:
        raise RosterRefused(EMPTY)
    if data.startswith(_ZIP):
        return _read_zip(data, schema, limits, deadline)
    if data.startswith(_OLE):
        return _read_ole(data, schema, limits, deadline)
    for magic, what in _ARCHIVES.items():
        if data.startswith(magic):
            raise archive(what)
    for magic, what in _OTHER_FILES.items():
        if data.startswith(magic):
            raise not_a_roster(what)
    return read_csv(data, schema, limits, deadline)


def _read_zip(data: bytes, schema: Schema, limits: Limits, deadline: Deadline) -> RawRoster:
    try:
        zipped = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise RosterRefused(CORRUPT) from None
    check_sizes(zipped, limits)
    members = {info.filename.lower(): info for info in zipped.infolist()}
    kind = _zip_kind(data, members)
    if kind == "ods":
        return read_book(IsolatedBook("ods", data, limits, deadline), schema, limits, deadline)
    try:
        book = XlsxBook(data, members, limits, deadline)
        return read_book(book, schema, limits, deadline)
    except NonstandardXml:
        return read_book(IsolatedBook("xlsx", data, limits, deadline), schema, limits, deadline)


def _zip_kind(data: bytes, members: dict[str, zipfile.ZipInfo]) -> str:
    if "word/document.xml" in members:
        raise not_a_roster("Word 文档")
    if "ppt/presentation.xml" in members:
        raise not_a_roster("PowerPoint 演示文稿")
    content_types = members.get("[content_types].xml")
    if "xl/vbaproject.bin" in members or (
            content_types and b"macroenabled" in inflate(data, content_types).lower()):
        raise RosterRefused(MACROS)
    if "xl/workbook.xml" in members:
        return "xlsx"
    if "xl/workbook.bin" in members:
        raise RosterRefused(XLSB)
    mimetype = members.get("mimetype")
    if mimetype and inflate(data, mimetype).strip() == _ODS_MIMETYPE:
        return "ods"
    if mimetype:
        raise not_a_roster("OpenDocument 文档（非表格）")
    raise archive("ZIP 压缩包")


def _read_ole(data: bytes, schema: Schema, limits: Limits, deadline: Deadline) -> RawRoster:
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            entries = {"/".join(path).lower() for path in ole.listdir(streams=True, storages=True)}
            stream = next((name for name in ("Workbook", "Book") if ole.exists(name)), None)
            workbook = ole.openstream(stream).read() if stream else b""
    except Exception:  # olefile raises assorted errors on damaged files
        raise RosterRefused(CORRUPT) from None
    if {"encryptioninfo", "encryptedpackage"} & entries or _has_filepass(workbook):
        raise RosterRefused(PASSWORD)
    if "_vba_project_cur" in entries:
        raise RosterRefused(MACROS)
    if workbook:
        return read_book(IsolatedBook("xls", data, limits, deadline), schema, limits, deadline)
    if "worddocument" in entries:
        raise not_a_roster("Word 文档")
    if "powerpoint document" in entries:
        raise not_a_roster("PowerPoint 演示文稿")
    raise RosterRefused(NOT_TEXT)


def _has_filepass(stream: bytes) -> bool:
    """Whether an .xls's workbook globals hold FILEPASS, the mark of a
    password to open (calamine reports it only as an unknown format)."""
    offset = 0
    while offset + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, offset)
        if kind == 0x002F:
            return True
        if kind == 0x000A:  # EOF: the globals end here
            return False
        offset += 4 + length
    return False
