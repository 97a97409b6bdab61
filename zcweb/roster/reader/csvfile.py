"""A roster saved as CSV or as Excel's "Unicode 文本", and the text of any text file."""

from __future__ import annotations

import codecs
import csv
import io
from itertools import chain

from ..schema import Schema
from .header import find_header, split_head
from .limits import Deadline, Limits
from .refusals import BAD_CSV, NO_HEADER, NOT_TEXT, RosterRefused, undecodable
from .rows import RawRoster, roster


def read_csv(text: str, schema: Schema, limits: Limits, deadline: Deadline) -> RawRoster:
    """`text` as `decode` gives it."""
    best = None
    try:
        for delimiter in (",", "\t", ";"):
            rows = enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
            head, rest = split_head(rows)
            header = find_header(head, 0, schema)
            if header and (best is None or header.score > best[2].score):
                best = (head, rest, header)
        if best is None:
            raise RosterRefused(NO_HEADER)
        head, rest, header = best
        rows = chain(((i, cells) for i, cells in head if i > header.index), rest)
        return roster("csv", "", header, rows, schema, limits, deadline, None, [])
    except csv.Error:
        raise RosterRefused(BAD_CSV) from None


def decode(data: bytes) -> str:
    """A text file's text (CSV, a web page): UTF-16 with a byte order mark
    (Excel's "Unicode 文本"), UTF-8 with or without one, else GB18030, which
    covers GBK and GB2312. What a page declares it is written in is not
    needed, and not always true."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            text = data.decode("utf-16", "replace")  # U+FFFD where a code unit makes no character
            raise undecodable(text.count("\n", 0, text.find("\ufffd")) + 1, _kind(text)) from None
    if b"\x00" in data:
        raise RosterRefused(NOT_TEXT)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    raise undecodable(_line_of(data, _first_bad_byte(data)),
                      _kind(data.removeprefix(codecs.BOM_UTF8).decode("latin-1")))


def is_markup(text: str) -> bool:
    """Whether a text file is a web page or XML rather than CSV."""
    return text[:4096].lstrip("\ufeff \t\r\n")[:1] == "<"


def _kind(text: str) -> str:
    return "文件" if is_markup(text) else "CSV 文件"


def _first_bad_byte(data: bytes) -> int:
    """Where a file that is neither UTF-8 nor GB18030 goes wrong: as UTF-8
    when it has other characters before that (UTF-8 is strict: such a file
    is UTF-8 with a damaged byte), else as GB18030."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        if not data[:e.start].isascii():
            return e.start
    try:
        data.decode("gb18030")
    except UnicodeDecodeError as e:
        return e.start
    return 0


def _line_of(data: bytes, position: int) -> int:
    """The line number (from 1) of a byte of the file."""
    return data.count(b"\n", 0, position) + 1
