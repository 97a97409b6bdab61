"""Citizen identity numbers (公民身份号码, GB 11643-1999).

18 characters: area code (6), birth date YYYYMMDD (8), sequence (3, odd for
men), check character (1). Any area code is accepted: applicants were born
all over China, and 上虞 numbers carry both 330604 and the older 330682.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from .batch import format_date

LENGTH = 18
OLD_LENGTH = 15
_CHECK_CHARS = "10X98765432"
# The standard's own example (440524188001010014) was born in 1880, so the
# lower bound only rejects typing errors, not old but real dates.
EARLIEST_BIRTH_YEAR = 1800

# ASCII only: other scripts' digits pass \d but not the check arithmetic.
_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
# NFKC turns NBSP and ideographic spaces into plain spaces, which \s removes;
# zero-width characters survive NFKC and are dropped explicitly.
_INVISIBLE = re.compile(r"[\s\u200b-\u200d\ufeff\u2060]+")
_QUOTES = "'\"‘’“”`"


def normalize_idcard(text: str) -> str:
    """The number as written, without the noise Excel and WPS add to it."""
    if text.isascii():
        if text.isalnum():
            return text.upper()
    else:
        text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    return text.lstrip(_QUOTES).upper()


def check_character(first17: str) -> str:
    """The check character that the first 17 digits (ASCII) call for."""
    # The standard's weights 7 9 10 5 ... 2 are 2**17, 2**16, ... 2**1 mod 11
    # (ISO 7064 MOD 11-2). As 13 = 2 mod 11, the weighted sum is, mod 11,
    # twice the digits read as a base-13 number, which int() reads in C.
    return _CHECK_CHARS[2 * int(first17, 13) % 11]


def check_idcard(number: str, today: dt.date | None = None) -> list[tuple[str, str]]:
    """(rule, message) for each problem of a normalised number; [] when valid.

    Messages are the part after the column header, e.g. "身份证号：" + message,
    and never repeat the number: findings are shown where numbers are masked.
    """
    if len(number) != LENGTH:
        if len(number) == OLD_LENGTH and number[:-1].isdigit():
            return [("idcard.old15", "这是15位的旧身份证号码，请改填18位公民身份号码（以现行居民身份证为准）")]
        return [("idcard.length", f"应为18位，填写的是{len(number)}位，请核对")]
    if not _SHAPE.fullmatch(number):
        return [("idcard.chars", "含有不应出现的字符：前17位只能是数字，末位是数字或大写X")]
    problems = []
    digits = number[6:14]
    try:
        # YYYYMMDD is ISO 8601's basic form; ValueError for an impossible date.
        born = dt.date.fromisoformat(digits)
    except ValueError:
        problems.append(("idcard.birth", f"第7至14位是出生日期，“{digits}”不是有效日期，请核对"))
    else:
        if born > (today or dt.date.today()):
            problems.append(("idcard.birth", f"第7至14位的出生日期{format_date(born)}晚于今天，请核对"))
        elif born.year < EARLIEST_BIRTH_YEAR:
            problems.append(
                ("idcard.birth", f"第7至14位的出生日期{format_date(born)}早于{EARLIEST_BIRTH_YEAR}年，请核对")
            )
    if check_character(number[:17]) != number[17]:
        problems.append(("idcard.check", "校验位（末位）不正确，号码中有数字填错，请对照身份证逐位核对"))
    return problems


def birth_date(number: str) -> dt.date:
    """The birth date coded in a valid 18-character number."""
    return dt.date.fromisoformat(number[6:14])


def sex(number: str) -> str:
    """男 or 女, from the parity of the 17th digit."""
    return "男" if number[16] in "13579" else "女"


def mask(number: str) -> str:
    """330604********123X: enough to tell rows apart, not to identify anyone."""
    if len(number) > 10:
        head, tail = 6, 4
    else:
        head = tail = len(number) // 4
    return number[:head] + "*" * (len(number) - head - tail) + number[len(number) - tail :]
