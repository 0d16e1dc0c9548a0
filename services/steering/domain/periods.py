"""Reporting periods: calendar months (2026-11), quarters (2026-Q4) and years (2026), in UTC."""

import re
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Literal

Granularity = Literal["month", "quarter", "year"]
PERIOD_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$"
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


def month_of(moment: datetime) -> str:
    """The UTC calendar month of `moment`, e.g. 2026-11."""
    utc = moment.astimezone(UTC)
    return f"{utc.year:04d}-{utc.month:02d}"


def enclosing(month: str) -> tuple[str, str, str]:
    """The month, its quarter and its year."""
    year, number = _parts(month)
    return month, f"{year:04d}-Q{(number - 1) // 3 + 1}", f"{year:04d}"


def granularity(period: str) -> Granularity:
    if _MONTH.match(period):
        return "month"
    if _QUARTER.match(period):
        return "quarter"
    if _YEAR.match(period):
        return "year"
    raise ValueError(f"{period!r} is not a month (2026-11), quarter (2026-Q4) or year (2026)")


def current(moment: datetime, kind: Granularity) -> str:
    month, quarter, year = enclosing(month_of(moment))
    return {"month": month, "quarter": quarter, "year": year}[kind]


def shift(period: str, steps: int) -> str:
    """The period `steps` periods of the same kind later (earlier when negative)."""
    kind = granularity(period)
    if kind == "year":
        return f"{int(period) + steps:04d}"
    if kind == "quarter":
        match = _QUARTER.match(period)
        assert match is not None
        index = int(match[1]) * 4 + int(match[2]) - 1 + steps
        return f"{index // 4:04d}-Q{index % 4 + 1}"
    year, number = _parts(period)
    index = year * 12 + number - 1 + steps
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_in(period: str) -> int:
    return {"month": 1, "quarter": 3, "year": 12}[granularity(period)]


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
