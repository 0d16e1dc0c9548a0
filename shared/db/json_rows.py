"""A table's rows brought inside another statement as one JSON array, and read back with the
types their columns give (JSON has neither decimals nor times): a round trip less than a
statement of their own."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property, partial
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Numeric,
    ScalarSelect,
    Text,
    bindparam,
    cast,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by

from shared.db.types import UTCDateTime, as_utc


def _utc_time(text: str) -> datetime:
    return as_utc(datetime.fromisoformat(text))


def _quantized(exponent: Decimal, number: Any) -> Decimal:
    return Decimal(number).quantize(exponent)


def _reader(column: Column[Any]) -> Callable[[Any], Any] | None:
    """How a column's value read from JSON becomes what its type gives (None: as it is)."""
    kind = column.type
    if isinstance(kind, UTCDateTime):
        # SQLite stores naive UTC; PostgreSQL renders a timestamptz with its offset.
        return _utc_time
    if isinstance(kind, Numeric) and kind.asdecimal and kind.scale is not None:
        # To the scale, as the column gives it: PostgreSQL renders a numeric to its scale,
        # SQLite a float to 15 digits.
        return partial(_quantized, Decimal(1).scaleb(-kind.scale))
    if isinstance(kind, Numeric):
        return Decimal if kind.asdecimal else float
    if isinstance(kind, Boolean):
        return bool  # SQLite's JSON has 0 and 1
    if isinstance(kind, Date):
        return date.fromisoformat
    return None


@dataclass(frozen=True)
class JsonRows:
    """The rows of one table's `columns` with one `key`, as one JSON array of arrays inside
    another statement, and read back as the columns' types give them.

    Text, numbers, times, dates, booleans and JSON columns come back as they would from the
    table; binary columns do not. On SQLite, numbers pass through its JSON's 15 significant
    digits (SQLite stores them as floats anyway)."""

    columns: tuple[Column[Any], ...]
    order_by: tuple[Column[Any], ...] = ()
    key: str = "customer_id"
    """The column that picks the rows, equal to the statement's parameter of that name."""

    def of_key(self, dialect: str) -> ScalarSelect[Any]:
        """The rows whose `key` is the statement's parameter `key`, as JSON text."""
        mine = self.columns[0].table.c[self.key] == bindparam(self.key)
        if dialect == "postgresql":
            row = func.json_build_array(*self.columns)
            rows = func.json_agg(aggregate_order_by(row, *self.order_by) if self.order_by else row)
            # As text: psycopg would parse the JSON itself, its numbers as floats.
            return select(cast(rows, Text)).where(mine).scalar_subquery()
        # SQLite (before 3.44) orders an aggregate's input only by a subquery's ORDER BY, and
        # nests a JSON column's text as a string unless json() marks it as JSON.
        ordered = select(*self.columns).where(mine).order_by(*self.order_by).subquery()
        values = [func.json(c) if isinstance(c.type, JSON) else c for c in ordered.c]
        return select(func.json_group_array(func.json_array(*values))).scalar_subquery()

    @cached_property
    def _readers(self) -> list[tuple[str, Callable[[Any], Any] | None]]:
        return [(column.name, _reader(column)) for column in self.columns]

    def read(self, text: str | None) -> list[dict[str, Any]]:
        """The rows, by column name; JSON numbers never pass through a float."""
        rows = json.loads(text, parse_float=Decimal) if text else []
        return [
            {
                name: value if read is None or value is None else read(value)
                for (name, read), value in zip(self._readers, row, strict=True)
            }
            for row in rows
        ]
