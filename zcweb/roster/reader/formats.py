"""Which kind of file was uploaded, told by its bytes, never by its name,
and the reader each kind goes to."""

from __future__ import annotations

import io
import posixpath
import zipfile

import olefile

from ..schema import Schema
from .biff import has_filepass, hidden_rows
from .csvfile import decode, is_markup, read_csv
from .farcells import NonstandardXml
from .isolated import IsolatedBook
from .limits import Deadline, Limits
from .markup import is_web_archive, read_markup, read_web_archive
from .package import main_part, members_by_part
from .refusals import CORRUPT, EMPTY, MACROS, NOT_TEXT, PASSWORD, RosterRefused, archive, not_a_roster
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
# The folders of an Office package's own parts (part names are lower case).
_OFFICE_FOLDERS = ("_rels/", "docprops/", "xl/")
# The storages that hold a VBA project in an OLE file (.xls, or Excel 5).
_VBA_STORAGES = {"_vba_project_cur", "_vba_project", "vba"}
_NAMES_SHOWN = 3


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
    if is_web_archive(data):
        return read_web_archive(data, schema, limits, deadline)
    text = decode(data)
    deadline.check()
    if is_markup(text):
        return read_markup(text, schema, limits, deadline)
    return read_csv(text, schema, limits, deadline)


def _read_zip(data: bytes, schema: Schema, limits: Limits, deadline: Deadline) -> RawRoster:
    try:
        zipped = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):  # the last: a "zip version" no one writes
        raise RosterRefused(CORRUPT) from None
    check_sizes(zipped, limits)
    members = members_by_part(zipped)
    kind, workbook = _zip_kind(data, members)
    if kind in ("ods", "xlsb"):
        return read_book(IsolatedBook(kind, data, limits, deadline), schema, limits, deadline)
    try:
        book = XlsxBook(data, members, workbook, limits, deadline)
        return read_book(book, schema, limits, deadline)
    except NonstandardXml:
        return read_book(IsolatedBook("xlsx", data, limits, deadline), schema, limits, deadline)


def _zip_kind(data: bytes, members: dict[str, zipfile.ZipInfo]) -> tuple[str, str]:
    """("xlsx" | "xlsb" | "ods", the workbook part), or the refusal that
    says what the zip is instead."""
    mimetype = members.get("mimetype")
    if mimetype:
        return _odf_kind(data, members, inflate(data, mimetype).strip())
    main = main_part(data, members)
    if main is None:
        if _is_office_package(members):
            raise RosterRefused(CORRUPT)  # without its workbook (or document): damaged
        raise _zip_of_other_files(members)
    if main.endswith("document.xml"):
        raise not_a_roster("Word 文档")
    if main.endswith("presentation.xml"):
        raise not_a_roster("PowerPoint 演示文稿")
    if any(name.rpartition("/")[2] == "vbaproject.bin" for name in members):
        raise RosterRefused(MACROS)
    return ("xlsb" if main.endswith(".bin") else "xlsx"), main


def _is_office_package(members: dict[str, zipfile.ZipInfo]) -> bool:
    """Whether the zip has the parts of an Office file's package (its
    content types, relationships, properties, or Excel's folder `xl/`):
    a zip that has them and no main part is a damaged file, which may
    have lost the rest from its directory, not a zip of other files."""
    return any(name == "[content_types].xml" or name.startswith(_OFFICE_FOLDERS) for name in members)


def _odf_kind(data: bytes, members: dict[str, zipfile.ZipInfo], mimetype: bytes) -> tuple[str, str]:
    if mimetype != _ODS_MIMETYPE:
        raise not_a_roster("OpenDocument 文档（非表格）")
    manifest = members.get("meta-inf/manifest.xml")
    if manifest and b"encryption-data" in inflate(data, manifest):
        raise RosterRefused(PASSWORD)
    return "ods", ""


def _zip_of_other_files(members: dict[str, zipfile.ZipInfo]) -> RosterRefused:
    """The refusal of a zip that holds no workbook, naming what it holds."""
    names = [_zip_name(info) for info in members.values() if not info.is_dir()]
    shown = "、".join(posixpath.basename(name) for name in names[:_NAMES_SHOWN])
    more = "等" if len(names) > _NAMES_SHOWN else ""
    return archive(f"ZIP 压缩包（其中有 {len(names)} 个文件：{shown}{more}）" if names else "ZIP 压缩包")


def _zip_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its writer meant it: zips made on a Chinese
    Windows store GBK names without the UTF-8 flag."""
    if info.flag_bits & 0x800:
        return info.filename.replace("\\", "/")
    try:
        return info.filename.encode("cp437").decode("gbk").replace("\\", "/")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename.replace("\\", "/")


def _read_ole(data: bytes, schema: Schema, limits: Limits, deadline: Deadline) -> RawRoster:
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            entries = {"/".join(path).lower() for path in ole.listdir(streams=True, storages=True)}
            stream = next((name for name in ("Workbook", "Book") if ole.exists(name)), None)
            workbook = ole.openstream(stream).read() if stream else b""
    except Exception:  # olefile raises assorted errors on damaged files
        raise RosterRefused(CORRUPT) from None
    if {"encryptioninfo", "encryptedpackage"} & entries or has_filepass(workbook):
        raise RosterRefused(PASSWORD)
    if any(_VBA_STORAGES & set(entry.split("/")) for entry in entries):
        raise RosterRefused(MACROS)
    if workbook:
        return read_book(IsolatedBook("xls", data, limits, deadline, hidden_rows(workbook)), schema, limits, deadline)
    if "worddocument" in entries:
        raise not_a_roster("Word 文档")
    if "powerpoint document" in entries:
        raise not_a_roster("PowerPoint 演示文稿")
    raise RosterRefused(NOT_TEXT)
