"""Working days (工作日) with statutory holidays and 调休.

`chinese_calendar` knows each year's holidays and the weekend days declared
working days, but only for the years it has data for. For any other day we
count Monday to Friday and tell the caller, so a message can say the count
is approximate.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar

_DAY = dt.timedelta(days=1)


@lru_cache(maxsize=4096)
def _is_workday(day: dt.date) -> tuple[bool, bool]:
    """(is a working day, Monday-Friday fallback used)."""
    try:
        return chinese_calendar.is_workday(day), False
    except NotImplementedError:
        return day.weekday() < 5, True


def count_workdays(start: dt.date, end: dt.date, first_day_counts: bool = True) -> tuple[int, bool]:
    """Working days from `start` to `end`, both included unless the first day
    does not count; (count, used_fallback). 0 when `end` is before `start`."""
    day = start if first_day_counts else start + _DAY
    count, fallback = 0, False
    while day <= end:
        workday, guessed = _is_workday(day)
        count += workday
        fallback |= guessed
        day += _DAY
    return count, fallback


def earliest_end(start: dt.date, n: int, first_day_counts: bool = True) -> tuple[dt.date, bool]:
    """The first day on which a notice starting on `start` has lasted `n`
    working days; (that day, used_fallback)."""
    day = start if first_day_counts else start + _DAY
    count, fallback = 0, False
    while True:
        workday, guessed = _is_workday(day)
        count += workday
        fallback |= guessed
        if count >= n:
            return day, fallback
        day += _DAY
