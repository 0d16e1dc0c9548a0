"""Reporting periods in UTC: calendar months (2026-11), quarters (2026-Q4), years (2026) and
ranges of whole months (2026-02..2026-07)."""

import re
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Literal

Granularity = Literal["month", "quarter", "year"]
Kind = Literal["month", "quarter", "year", "range"]
PERIOD_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$"
_MONTH_PATTERN = r"\d{4}-(0[1-9]|1[0-2])"
RANGE_PATTERN = rf"^{_MONTH_PATTERN}\.\.{_MONTH_PATTERN}$"
ANY_PERIOD_PATTERN = rf"{PERIOD_PATTERN}|{RANGE_PATTERN}"
MAX_RANGE_MONTHS = 120
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2})\.\.(\d{4}-\d{2})$")


def month_of(moment: datetime) -> str:
    """The UTC calendar month of `moment`, e.g. 2026-11."""
    utc = moment.astimezone(UTC)
    return f"{utc.year:04d}-{utc.month:02d}"


def enclosing(month: str) -> tuple[str, str, str]:
    """The month, its quarter and its year."""
    year, number = _parts(month)
    return month, f"{year:04d}-Q{(number - 1) // 3 + 1}", f"{year:04d}"


def granularity(period: str) -> Kind:
    if _MONTH.match(period):
        return "month"
    if _QUARTER.match(period):
        return "quarter"
    if _YEAR.match(period):
        return "year"
    if _RANGE.match(period):
        return "range"
    raise ValueError(
        f"{period!r} is not a month (2026-11), quarter (2026-Q4), year (2026) "
        "or range of months (2026-02..2026-07)"
    )


def check_range(period: str) -> str:
    """`period` itself if it is a calendar period or a range of at most MAX_RANGE_MONTHS
    months that does not end before it starts; ValueError saying what is wrong otherwise."""
    if granularity(period) == "range":
        first, last = _bounds(period)
        count = _index(last) - _index(first) + 1
        if count < 1:
            raise ValueError(f"the range {period!r} ends before it starts")
        if count > MAX_RANGE_MONTHS:
            raise ValueError(
                f"the range {period!r} spans {count} months; at most {MAX_RANGE_MONTHS}"
            )
    return period


def calendar(period: str) -> str:
    """The month, quarter or year a range covers exactly; else the period itself."""
    if granularity(period) != "range":
        return period
    first, last = _bounds(period)
    start, end = _index(first), _index(last)
    if start == end:
        return first
    if end - start == 2 and start % 3 == 0:
        return f"{start // 12:04d}-Q{start % 12 // 3 + 1}"
    if end - start == 11 and start % 12 == 0:
        return f"{start // 12:04d}"
    return period


def months_of(period: str) -> list[str]:
    """The calendar months of a period, oldest first."""
    first, last = _bounds(period)
    return [_month(index) for index in range(_index(first), _index(last) + 1)]


def last_month(period: str) -> str:
    """The month a period ends with."""
    return _bounds(period)[1]


def _bounds(period: str) -> tuple[str, str]:
    kind = granularity(period)
    if kind == "month":
        return period, period
    if kind == "quarter":
        year, quarter = period.split("-Q")
        return f"{year}-{int(quarter) * 3 - 2:02d}", f"{year}-{int(quarter) * 3:02d}"
    if kind == "year":
        return f"{period}-01", f"{period}-12"
    match = _RANGE.match(period)
    assert match is not None
    return match[1], match[2]


def _index(month: str) -> int:
    year, number = _parts(month)
    return year * 12 + number - 1


def _month(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def current(moment: datetime, kind: Granularity) -> str:
    month, quarter, year = enclosing(month_of(moment))
    return {"month": month, "quarter": quarter, "year": year}[kind]


def shift(period: str, steps: int) -> str:
    """The period `steps` periods of the same kind later (earlier when negative); a range
    moves by its own length."""
    kind = granularity(period)
    if kind == "range":
        first, last = (_index(month) for month in _bounds(period))
        length = last - first + 1
        return f"{_month(first + steps * length)}..{_month(last + steps * length)}"
    if kind == "year":
        return f"{int(period) + steps:04d}"
    if kind == "quarter":
        match = _QUARTER.match(period)
        assert match is not None
        index = int(match[1]) * 4 + int(match[2]) - 1 + steps
        return f"{index // 4:04d}-Q{index % 4 + 1}"
    return _month(_index(period) + steps)


def months_in(period: str) -> int:
    first, last = _bounds(period)
    return _index(last) - _index(first) + 1


def series(last: str, count: int) -> list[str]:
    """`count` consecutive periods ending with `last`, oldest first."""
    return [shift(last, steps) for steps in range(1 - count, 1)]


def open_month(month: str, closed: Collection[str]) -> str:
    """`month` itself if open, else the first month after it that is not closed."""
    while month in closed:
        month = shift(month, 1)
    return month


def _parts(month: str) -> tuple[int, int]:
    match = _MONTH.match(month)
    if match is None:
        raise ValueError(f"{month!r} is not a month like 2026-11")
    number = int(match[2])
    if not 1 <= number <= 12:
        raise ValueError(f"{month!r} is not a month like 2026-11")
    return int(match[1]), number
