"""Zip members read with care: sizes checked before anything is inflated,
and no member allowed to grow beyond the size it declares."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterator

from .limits import Limits
from .refusals import BOMB, CORRUPT, RosterRefused

# The ratio check only concerns members large enough to matter.
RATIO_CHECKED_ABOVE = 4 * 1024 * 1024
INFLATE_PIECE = 1024 * 1024


def check_sizes(archive: zipfile.ZipFile, limits: Limits) -> None:
    """The zip-bomb guard, on the sizes the archive declares;
    `inflate_pieces` makes sure no member grows beyond its declared size."""
    total = 0
    for info in archive.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > limits.max_uncompressed or (
                info.file_size > RATIO_CHECKED_ABOVE and ratio > limits.max_ratio):
            raise RosterRefused(BOMB)


def inflate(data: bytes, info: zipfile.ZipInfo) -> bytes:
    return b"".join(inflate_pieces(data, info))


def inflate_pieces(data: bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A member's bytes in pieces, never more than it declares: a member
    that inflates beyond its declared size is a bomb whatever its header
    claims, and python-calamine would not notice."""
    header = info.header_offset
    if data[header:header + 4] != b"PK\x03\x04":
        raise RosterRefused(CORRUPT)
    name_length, extra_length = struct.unpack_from("<HH", data, header + 26)
    start = header + 30 + name_length + extra_length
    raw = memoryview(data)[start:start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        yield bytes(raw[:info.file_size])
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise RosterRefused(CORRUPT)
    inflater, left = zlib.decompressobj(-15), info.file_size
    try:
        while not inflater.eof:
            piece = inflater.decompress(raw, INFLATE_PIECE)
            raw, left = inflater.unconsumed_tail, left - len(piece)
            if left < 0:
                raise RosterRefused(BOMB)
            if not piece and not raw:  # a truncated stream
                break
            yield piece
    except zlib.error:
        raise RosterRefused(CORRUPT) from None


def tag_pieces(data: bytes, member: zipfile.ZipInfo) -> Iterator[bytes]:
    """A member's XML in pieces that split no tag: a tag left open at the
    end of a piece moves on to the next one."""
    carry = b""
    for piece in inflate_pieces(data, member):
        piece = carry + piece
        cut = piece.rfind(b"<")
        if cut < piece.rfind(b">"):
            cut = len(piece)
        carry = piece[cut:]
        if len(carry) > INFLATE_PIECE:  # no tag is that long
            raise RosterRefused(CORRUPT)
        yield piece[:cut]
    yield carry


def replace_member(data: bytes, members: dict[str, zipfile.ZipInfo], replaced: zipfile.ZipInfo,
                   content: bytes) -> bytes:
    """A copy of the archive with one member's content replaced."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in members.values():
            archive.writestr(info.filename, content if info is replaced else inflate(data, info))
    return buffer.getvalue()
