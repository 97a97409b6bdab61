"""A roster saved as CSV or as Excel's "Unicode 文本"."""

from __future__ import annotations

import codecs
import csv
import io
from itertools import chain

from ..schema import Schema
from .header import find_header, split_head
from .limits import Deadline, Limits
from .refusals import BAD_CSV, ENCODING, HTML, NO_HEADER, NOT_TEXT, RosterRefused
from .rows import RawRoster, roster


def read_csv(data: bytes, schema: Schema, limits: Limits, deadline: Deadline) -> RawRoster:
    text = _decode(data)
    deadline.check()
    if text[:4096].lstrip()[:1] == "<":
        raise RosterRefused(HTML)
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


def _decode(data: bytes) -> str:
    """UTF-16 with a byte order mark (Excel's "Unicode 文本"), UTF-8 with or
    without one, else GB18030, which covers GBK and GB2312."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    elif b"\x00" in data:
        raise RosterRefused(NOT_TEXT)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    raise RosterRefused(ENCODING)
