"""Cell cleaning (单元格清洗): raw spreadsheet values to the stored values.

A cell arrives from python-calamine (str, int, float, bool, date, datetime,
time, timedelta, None) or from a CSV file (always str). `RowCleaner` turns it
into the JSON-serialisable form of its column type, or into an error that
tells the contact what to write instead. An invalid cell gets no value, so
later checks see it as absent rather than as a half-parsed value.

A roster repeats the same few values in most columns (choices, dates,
hours), so each column remembers the result per distinct raw value: a large
import parses each distinct value once and looks up the rest. A column whose
values never repeat (row numbers, identity numbers, phones) stops being
remembered after a trial, and its usual, already clean values take the fast
paths below.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable

from .findings import Finding, error
from .idcard import check_idcard, normalize_idcard
from .schema import NO, YES, Column, Schema

Cleaned = tuple[object, tuple[Finding, ...]]
EMPTY: Cleaned = (None, ())

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_MIN_YEAR, _MAX_YEAR = 1900, 2100
# Serial 60 is Excel's phantom 1900-02-29; starting at 61 (1900-03-01) keeps
# every accepted serial exact.
_FIRST_SERIAL = 61
_LAST_SERIAL = (dt.date(_MAX_YEAR, 12, 31) - _EXCEL_EPOCH).days

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff\u2060"))
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_NEWLINE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_WHITESPACE = re.compile(r"\s+")

_TIME = r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?" + _TIME)
_DATE_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})")
_MONTH_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?")
_MONTH_DIGITS = re.compile(r"(\d{4})(\d{2})")
_NUMBER_TEXT = re.compile(r"([+-]?\d+(?:\.\d+)?)\s*(?:学时|课时|小时|分)?")
_SCIENTIFIC = re.compile(r"\d+(?:\.\d+)?E[+-]?\d+")

_PHONE_SEPARATOR = re.compile(r"\s*[/、,;]\s*")
_PHONE_COUNTRY = re.compile(r"^\(?(?:\+|00)86\)?[\s-]*")
_PHONE_EXTENSION = re.compile(r"\s*(?:转|分机|ext\.?|x)\s*(\d{1,6})$", re.IGNORECASE)
_PHONE_NOISE = re.compile(r"[\s\-()]+")
_PHONE_DIGITS = re.compile(r"[0-9]{7,12}")

_YES_WORDS = ("是", "√", "✓", "✔", "y", "yes", "true", "有", "已核定")
_NO_WORDS = ("否", "×", "✗", "✘", "n", "no", "false", "无", "未核定")

_DATE_FORMS = "2024-08-01、2024/8/1、2024.8.1、2024年8月1日或20240801"
_MONTH_FORMS = "1985-06、1985.06、1985/6、1985年6月或198506"


class RowCleaner:
    """Cleans the cells of one roster row after another, by column key;
    one per import, as it learns the file's values."""

    def __init__(self, schema: Schema):
        today = dt.date.today()
        self._memos = {column.key: _CellMemo(_cleaner_for(column, today)) for column in schema.columns}
        self._rows = 0

    def clean(self, cells: dict[str, object]) -> tuple[dict[str, object], list[Finding]]:
        """The cleaned values by key and the errors of the invalid cells.

        Only cells that hold a valid value are in the values: an empty or
        invalid cell has no key there, so the values can be stored as they
        are, and an invalid cell's key is the column of its errors."""
        # A copy of the cells has room for every value: each is replaced in
        # place rather than added to a dict that grows as it fills.
        values = cells.copy()
        findings: list[Finding] = []
        memos = self._memos
        for key, raw in cells.items():
            value, errors = memos[key][raw]
            if value is not None:
                values[key] = value
            else:
                del values[key]
                if errors:
                    findings += errors
        self._rows += 1
        if self._rows == _TRIAL_ROWS:
            self._forget_unrepeated_columns()
        return values, findings

    def _forget_unrepeated_columns(self) -> None:
        # A column in which nearly every row brought a value of its own (row
        # numbers, identity numbers, phones) gains nothing from remembering,
        # and holding every value makes more work for the garbage collector.
        for memo in self._memos.values():
            if len(memo) > _TRIAL_ROWS * 0.99:
                memo.forget()


class _CellMemo(dict):
    """One column's results by raw value; a value not seen yet is cleaned
    on the lookup that misses it, and remembered until `forget`."""

    __slots__ = ("_clean", "_remember")

    def __init__(self, clean: Callable[[object], Cleaned]):
        super().__init__(_BLANKS)
        self._clean, self._remember = clean, True

    def __missing__(self, raw: object) -> Cleaned:
        result = self._clean(raw)
        if self._remember and raw not in _NOT_REMEMBERED:
            self[raw] = result
        return result

    def forget(self) -> None:
        """Clean every value afresh from now on."""
        self.clear()
        self.update(_BLANKS)
        self._remember = False


_BLANKS = {"": EMPTY, None: EMPTY}
# Rows after which the columns whose values do not repeat are known.
_TRIAL_ROWS = 1000
# As dict keys True is 1 and 1.0, and False is 0, yet a bool cell cleans
# differently from a number: values equal to 0 or 1 are never remembered, so
# that no entry answers for a value of another type.
_NOT_REMEMBERED = frozenset({0, 1})


def _cleaner_for(column: Column, today: dt.date) -> Callable[[object], Cleaned]:
    if column.type == "text":
        return _text_cleaner(column)
    if column.type == "idcard":
        return _idcard_cleaner(column, today)
    if column.type == "phone":
        return _phone_cleaner(column)
    factories = {
        "date": _date_parser,
        "month": _month_parser,
        "number": _number_parser,
        "choice": _choice_parser,
        "yesno": _yesno_parser,
    }
    return _skipping_blank(factories[column.type](column))


def _skipping_blank(parse: Callable[[object], Cleaned]) -> Callable[[object], Cleaned]:
    """`parse` sees text already normalised and never blank."""

    def clean(raw: object) -> Cleaned:
        if isinstance(raw, str):
            raw = normalize_text(raw)
            if not raw:
                return EMPTY
        return parse(raw)

    return clean


def _fail(column: Column, rule: str, detail: str) -> Cleaned:
    return None, (error(column.key, f"{column.header}：{detail}", rule),)


def compared(text) -> str:
    """Two spellings of one value compare equal: width-folded, no spaces."""
    return "".join(unicodedata.normalize("NFKC", str(text or "")).split())


def normalize_text(raw: str, multiline: bool = False) -> str:
    """NFKC, no invisible or control characters, no Excel text apostrophe.

    Line breaks survive only where `multiline` (free-text columns)."""
    if not raw.isascii():
        # Invisible characters are not printable: most text has none, and
        # isprintable() finds that out faster than translate() drops them.
        if not raw.isprintable():
            raw = raw.translate(_INVISIBLE)
        raw = unicodedata.normalize("NFKC", raw)
    if not raw.isprintable():
        if multiline:
            raw = _CONTROL_BUT_NEWLINE.sub(" ", raw.replace("\r\n", "\n").replace("\r", "\n"))
        else:
            raw = _CONTROL.sub(" ", raw)
    raw = raw.strip()
    if raw.startswith("'"):
        raw = raw[1:].lstrip()
    return raw


def cell_text(raw: object) -> str:
    """A non-text cell as Excel shows it, for messages and text columns."""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime) and raw.time() == dt.time():
        return raw.date().isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return str(raw)


def _quoted(raw: object) -> str:
    text = raw if isinstance(raw, str) else cell_text(raw)
    return f"“{text if len(text) <= 30 else text[:30] + '…'}”"


def _is_number(raw: object) -> bool:
    return isinstance(raw, (int, float)) and not isinstance(raw, bool)


# --- text -------------------------------------------------------------------


def _text_cleaner(column: Column) -> Callable[[object], Cleaned]:
    def clean(raw: object) -> Cleaned:
        text = normalize_text(raw, multiline=True) if isinstance(raw, str) else cell_text(raw)
        if not text:
            return EMPTY
        if len(text) > column.max_length:
            return _fail(
                column, "text.too_long",
                f"共{len(text)}个字，超过{column.max_length}个字的上限，请精简",
            )
        return text, ()

    return clean


# --- identity numbers -------------------------------------------------------


def _idcard_cleaner(column: Column, today: dt.date) -> Callable[[object], Cleaned]:
    def clean(raw: object) -> Cleaned:
        if isinstance(raw, str):
            number = normalize_idcard(raw)
        elif _is_number(raw):
            # A number cell has already lost the digits after the 15th: any
            # string made from it would be a different, wrong identity number.
            return _fail(
                column, "idcard.numeric",
                "单元格是数字格式，Excel只保留15位有效数字，后几位已变成0且无法恢复；"
                "请把该列设置为文本格式后重新录入完整的18位号码",
            )
        else:
            number = normalize_idcard(cell_text(raw))
        if not number:
            return EMPTY
        if "E" in number and _SCIENTIFIC.fullmatch(number):
            return _fail(
                column, "idcard.scientific",
                f"显示为科学计数法（{number}），说明曾是数字格式，后几位已丢失且无法恢复；"
                "请把该列设置为文本格式后重新录入完整的18位号码",
            )
        problems = check_idcard(number, today)
        if problems:
            return None, tuple(
                error(column.key, f"{column.header}：{message}", rule) for rule, message in problems
            )
        return number, ()

    return clean


# --- dates and months -------------------------------------------------------


def _serial_date(serial: float) -> dt.date | None:
    if _FIRST_SERIAL <= serial < _LAST_SERIAL + 1:
        return _EXCEL_EPOCH + dt.timedelta(days=int(serial))
    return None


def _make_date(year: str, month: str, day: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _date_from_text(text: str) -> dt.date | None:
    match = _DATE_TEXT.fullmatch(text) or _DATE_DIGITS.fullmatch(text)
    return _make_date(*match.groups()) if match else None


def _date_from_number(number: float) -> dt.date | None:
    if not math.isfinite(number):
        return None
    if number.is_integer() and 10_000_000 <= number < 100_000_000:
        return _date_from_text(str(int(number)))
    return _serial_date(number)


def parse_date(raw: object) -> dt.date | None:
    """The date a cell means, or None when it does not name one."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if _is_number(raw):
        return _date_from_number(float(raw))
    if isinstance(raw, str):
        return _date_from_text(normalize_text(raw))
    return None


def _in_range(year: int) -> bool:
    return _MIN_YEAR <= year <= _MAX_YEAR


def _date_parser(column: Column) -> Callable[[object], Cleaned]:
    def parse(raw: object) -> Cleaned:
        if raw.__class__ is dt.date and _in_range(raw.year):  # a date cell, as the template asks
            return raw.isoformat(), ()
        day = parse_date(raw)
        if day is None or not _in_range(day.year):
            return _fail(
                column, "date.invalid",
                f"{_quoted(raw)}不是有效日期，请写成 {_DATE_FORMS} 这样的日期",
            )
        return day.isoformat(), ()

    return parse


def _month_from_number(number: float) -> tuple[int, int] | None:
    if not math.isfinite(number):
        return None
    if _in_range(int(number)):
        # A year with the month as decimals, as in 1980.01 or 1980.12. A
        # number cell cannot tell 1980.1 from 1980.10 (both are stored as
        # 1980.1); people write 1980.1 for January, and October written as
        # text "1980.10" keeps its zero, so one decimal digit means the month.
        whole, _, decimals = repr(number).partition(".")
        if decimals == "0" or len(decimals) > 2:
            return None
        return int(whole), int(decimals)
    if number.is_integer() and 100_000 <= number < 1_000_000:
        return divmod(int(number), 100)
    day = _date_from_number(number)
    return (day.year, day.month) if day else None


def _month_from_text(text: str) -> tuple[int, int] | None:
    match = _MONTH_TEXT.fullmatch(text) or _MONTH_DIGITS.fullmatch(text)
    if match:
        return int(match[1]), int(match[2])
    day = _date_from_text(text)
    return (day.year, day.month) if day else None


def parse_month(raw: object) -> tuple[int, int] | None:
    """(year, month) a cell means, or None when it does not name one."""
    if isinstance(raw, dt.date):
        return raw.year, raw.month
    if _is_number(raw):
        found = _month_from_number(float(raw))
    elif isinstance(raw, str):
        found = _month_from_text(normalize_text(raw))
    else:
        return None
    if found and _in_range(found[0]) and 1 <= found[1] <= 12:
        return found
    return None


def _month_parser(column: Column) -> Callable[[object], Cleaned]:
    def parse(raw: object) -> Cleaned:
        found = parse_month(raw)
        if found is None:
            return _fail(
                column, "month.invalid",
                f"{_quoted(raw)}不是有效的年月，请写成 {_MONTH_FORMS} 这样的年月",
            )
        return f"{found[0]:04d}-{found[1]:02d}", ()

    return parse


# --- numbers ----------------------------------------------------------------


def format_number(value: float) -> str:
    """96 rather than 96.0; 96.5 as it is."""
    return str(int(value)) if float(value).is_integer() else str(value)


def _to_number(raw: object) -> int | float | None:
    if isinstance(raw, float):  # a number cell, the usual case
        if raw.is_integer():
            return int(raw)
        return raw if math.isfinite(raw) else None
    if isinstance(raw, str):
        match = _NUMBER_TEXT.fullmatch(raw)
        if not match:
            return None
        raw = float(match[1])
    if not _is_number(raw) or not math.isfinite(raw):
        return None
    return int(raw) if float(raw).is_integer() else raw


def _number_parser(column: Column) -> Callable[[object], Cleaned]:
    low = column.min if column.min is not None else 0
    high = column.max if column.max is not None else math.inf

    def parse(raw: object) -> Cleaned:
        number = _to_number(raw)
        if number is None:
            return _fail(column, "number.invalid", f"{_quoted(raw)}不是数字，请只填数字，如 96")
        if number < low:
            return _fail(column, "number.range", f"填写的是{format_number(number)}，不能小于{format_number(low)}")
        if number > high:
            return _fail(column, "number.range", f"填写的是{format_number(number)}，不能大于{format_number(high)}")
        return number, ()

    return parse


# --- choices ----------------------------------------------------------------


def _choice_key(text: str) -> str:
    return _WHITESPACE.sub("", normalize_text(text)).casefold()


def _choice_parser(column: Column) -> Callable[[object], Cleaned]:
    canonical = {_choice_key(c): c for c in column.choices}
    canonical.update({_choice_key(alias): c for alias, c in column.choice_aliases.items()})
    allowed = "、".join(column.choices)

    def parse(raw: object) -> Cleaned:
        written = raw if isinstance(raw, str) else cell_text(raw)
        key = _choice_key(written)
        if key in canonical:
            return canonical[key], ()
        if column.choices_from and not column.choices:
            # The batch decides these lists; rules.py checks them against it.
            return _WHITESPACE.sub("", written), ()
        return _fail(column, "choice.invalid", f"{_quoted(raw)}不是可选项，请从下拉列表中选择：{allowed}")

    return parse


def _yesno_parser(column: Column) -> Callable[[object], Cleaned]:
    answers = dict.fromkeys(map(_choice_key, _YES_WORDS), YES)
    answers.update(dict.fromkeys(map(_choice_key, _NO_WORDS), NO))

    def parse(raw: object) -> Cleaned:
        if isinstance(raw, bool):
            return (YES if raw else NO), ()
        answer = answers.get(_choice_key(raw)) if isinstance(raw, str) else None
        if answer is None:
            return _fail(column, "yesno.invalid", f"{_quoted(raw)}无法识别，请填“{YES}”或“{NO}”")
        return answer, ()

    return parse


# --- phone numbers ----------------------------------------------------------


def _phone_number(part: str) -> str | None:
    """0575-82212393转123, 13800000000 or 82212393; None if not a phone."""
    extension = None
    if not (part.isascii() and part.isdigit()):
        part = _PHONE_COUNTRY.sub("", part)
        extension = _PHONE_EXTENSION.search(part)
        if extension:
            part = part[: extension.start()]
        part = _PHONE_NOISE.sub("", part)
    if not _PHONE_DIGITS.fullmatch(part):
        return None
    if part[0] == "0" and len(part) >= 10:
        # Beijing (010) and the 02x cities have three-digit area codes.
        cut = 3 if part[1] in "12" else 4
        part = f"{part[:cut]}-{part[cut:]}"
    return part + (f"转{extension[1]}" if extension else "")


def _phone_cleaner(column: Column) -> Callable[[object], Cleaned]:
    parse = _skipping_blank(_phone_parser(column))

    def clean(raw: object) -> Cleaned:
        # Most cells hold one mobile or local number as plain digits, which
        # is already the stored form (see _phone_number).
        if raw.__class__ is str and 7 <= len(raw) <= 12 and raw.isdigit() and raw.isascii() and raw[0] != "0":
            return raw, ()
        return parse(raw)

    return clean


def _phone_parser(column: Column) -> Callable[[object], Cleaned]:
    def parse(raw: object) -> Cleaned:
        written = raw if isinstance(raw, str) else cell_text(raw)
        numbers = [_phone_number(part) for part in _PHONE_SEPARATOR.split(written) if part]
        if not numbers or None in numbers:
            return _fail(
                column, "phone.invalid",
                f"{_quoted(raw)}不是有效的电话号码，请填写11位手机号码或带区号的固定电话，如 0575-82212393",
            )
        return "/".join(numbers), ()

    return parse
