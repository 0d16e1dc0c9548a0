"""Upserts through a staging table on a real PostgreSQL database."""

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import JSON, Column, Integer, MetaData, Numeric, String, Table, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.db.engine import make_engine
from shared.db.staged import staged_upsert
from shared.db.types import UTCDateTime
from tests.fixtures.databases import PostgresDatabases

pytestmark = pytest.mark.integration

metadata = MetaData()
cells = Table(
    "cells",
    metadata,
    Column("day", String(10), primary_key=True),
    Column("member", String(50), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("amount", Numeric(18, 2), nullable=False),
    Column("seen_at", UTCDateTime),
    Column("tags", JSON),
)
COLUMNS = ["day", "member", "count", "amount", "seen_at", "tags"]
ADD = {"count": "cells.count + excluded.count", "amount": "cells.amount + excluded.amount"}


@pytest.fixture
def engine(postgres: PostgresDatabases) -> Iterator[Engine]:
    engine = make_engine(postgres.create("staged"))
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def _rows(engine: Engine) -> dict[tuple[str, str], tuple[object, ...]]:
    with Session(engine) as session:
        return {
            (row.day, row.member): (row.count, row.amount, row.seen_at, row.tags)
            for row in session.execute(select(cells))
        }


def _processed(engine: Engine, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Values as the callers hand them over: through the columns' bind processors."""
    dialect = engine.dialect
    processors = [
        cells.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in COLUMNS
    ]
    return [
        tuple(v if p is None or v is None else p(v) for v, p in zip(row, processors, strict=True))
        for row in rows
    ]


def test_many_rows_are_added_to_existing_ones_and_new_ones_inserted(engine: Engine) -> None:
    at = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    first = [("2026-03-01", f"m{i}", 1, Decimal("1.50"), at, {"i": i}) for i in range(1500)]
    with Session(engine) as session, session.begin():
        staged_upsert(session, cells, COLUMNS, _processed(engine, first), ADD)
    again = [("2026-03-01", f"m{i}", 2, Decimal("0.25"), None, None) for i in range(1000, 2000)]
    with Session(engine) as session, session.begin():
        # Twice in one transaction: the second upsert must not see the first one's rows.
        staged_upsert(session, cells, COLUMNS, _processed(engine, again[:500]), ADD)
        staged_upsert(session, cells, COLUMNS, _processed(engine, again[500:]), ADD)

    stored = _rows(engine)
    assert len(stored) == 2000
    assert stored[("2026-03-01", "m0")] == (1, Decimal("1.50"), at, {"i": 0})
    # Added where the key existed; the columns not assigned keep their values.
    assert stored[("2026-03-01", "m1200")] == (3, Decimal("1.75"), at, {"i": 1200})
    assert stored[("2026-03-01", "m1999")] == (2, Decimal("0.25"), None, None)


def test_replace_and_keep_on_a_key_that_exists(engine: Engine) -> None:
    columns = ["day", "member", "count", "amount"]
    with Session(engine) as session, session.begin():
        staged_upsert(session, cells, columns, [("d", "a", 1, Decimal("1"))], None)
        staged_upsert(session, cells, columns, [("d", "a", 5, Decimal("5"))], None)
        staged_upsert(session, cells, columns, [("d", "b", 1, Decimal("1"))], None)
    with Session(engine) as session, session.begin():
        replace = {"count": "excluded.count"}
        staged_upsert(session, cells, columns, [("d", "b", 7, Decimal("9"))], replace)

    stored = _rows(engine)
    assert stored[("d", "a")][:2] == (1, Decimal("1"))  # kept
    assert stored[("d", "b")][:2] == (7, Decimal("1"))  # count replaced, amount not assigned


def test_a_failing_upsert_raises_the_database_error_and_keeps_nothing(engine: Engine) -> None:
    with pytest.raises(IntegrityError), Session(engine) as session, session.begin():
        staged_upsert(session, cells, ["day", "member", "count"], [("d", "x", 1)], ADD)
        staged_upsert(session, cells, ["day", "member", "count"], [("d", "y", None)], ADD)

    assert _rows(engine) == {}
    with Session(engine) as session, session.begin():  # the connection is usable again
        staged_upsert(session, cells, ["day", "member", "count", "amount"], [("d", "z", 1, 0)], ADD)
    assert list(_rows(engine)) == [("d", "z")]
