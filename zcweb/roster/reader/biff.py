"""The few records of an .xls workbook stream (BIFF8) read here rather
than by python-calamine, which does not tell them: the password to open
(FILEPASS) and the rows Excel hides (a ROW record's fDyZero, which a filter
sets too). A damaged stream gives no answer, never an error: calamine then
judges the file."""

from __future__ import annotations

import struct
from collections.abc import Iterator

_BOF, _EOF, _FILEPASS, _BOUNDSHEET, _ROW = 0x0809, 0x000A, 0x002F, 0x0085, 0x0208
_ROW_HIDDEN = 0x0020  # fDyZero
_HEADER = struct.Struct("<HH")  # a record's kind and length
_U16 = struct.Struct("<H")
_BIFF8 = 0x0600  # a BOF record's version


def _records(stream: bytes, offset: int = 0) -> Iterator[tuple[int, bytes]]:
    """(kind, data) of each record from `offset` to the substream's EOF."""
    while offset + 4 <= len(stream):
        kind, length = _HEADER.unpack_from(stream, offset)
        yield kind, stream[offset + 4:offset + 4 + length]
        if kind == _EOF:
            return
        offset += 4 + length


def has_filepass(stream: bytes) -> bool:
    """Whether the workbook globals hold FILEPASS, the mark of a password
    to open (calamine reports it only as an unknown format)."""
    return any(kind == _FILEPASS for kind, _ in _records(stream))


def hidden_rows(stream: bytes) -> dict[str, frozenset[int]]:
    """Sheet name -> the numbers (1-based) of the rows it hides (BIFF8
    only: Excel 95's names are in another form, and it is rare enough)."""
    found = {}
    if len(stream) < 6 or _U16.unpack_from(stream)[0] != _BOF or _U16.unpack_from(stream, 4)[0] != _BIFF8:
        return found
    for kind, data in _records(stream):
        if kind != _BOUNDSHEET or len(data) < 8:
            continue
        position, count, wide = struct.unpack_from("<I", data)[0], data[6], data[7] & 1
        name = data[8:8 + count * (2 if wide else 1)].decode("utf-16-le" if wide else "latin-1", "replace")
        if position + 2 <= len(stream) and _U16.unpack_from(stream, position)[0] == _BOF:
            found[name] = _hidden_in(stream, position)
    return found


def _hidden_in(stream: bytes, offset: int) -> frozenset[int]:
    """The hidden rows of the sheet whose substream starts at `offset`: a
    sheet has a record per cell, so only the ROW records are unpacked."""
    hidden, end, unpack = [], len(stream), _HEADER.unpack_from
    while offset + 4 <= end:
        kind, length = unpack(stream, offset)
        if kind == _ROW and length >= 14 and offset + 18 <= end:
            if _U16.unpack_from(stream, offset + 16)[0] & _ROW_HIDDEN:
                hidden.append(_U16.unpack_from(stream, offset + 4)[0] + 1)
        elif kind == _EOF:
            break
        offset += 4 + length
    return frozenset(hidden)
