"""Column types: UTC-aware timestamps on every backend, and money as Decimal."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect, Integer, Numeric, TypeDecorator

# SQLite only autoincrements INTEGER PRIMARY KEY, PostgreSQL wants BIGINT for large tables.
BigIntId = BigInteger().with_variant(Integer(), "sqlite")


def as_utc(stored: datetime) -> datetime:
    """A stored time in UTC: a naive one (SQLite keeps no offset) is UTC already."""
    return stored.replace(tzinfo=UTC) if stored.tzinfo is None else stored.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes in UTC and always returns them UTC-aware (SQLite too)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC-aware one is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


def Money() -> Numeric[Any]:  # noqa: N802 - reads as a column type
    return Numeric(18, 4, asdecimal=True)
