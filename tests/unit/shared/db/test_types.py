"""Column types: UTC-aware timestamps on SQLite and money as Decimal."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, Table, insert, select
from sqlalchemy.exc import StatementError

from shared.db.engine import make_engine
from shared.db.types import Money, UTCDateTime

metadata = MetaData()
moments = Table(
    "moments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=True),
    Column("amount", Money(), nullable=True),
)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'types.db'}")
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def _store(engine: Engine, **values: object) -> dict[str, object]:
    with engine.begin() as connection:
        connection.execute(insert(moments).values(id=1, **values))
    with engine.connect() as connection:
        return dict(connection.execute(select(moments)).one()._mapping)


def test_naive_datetime_is_refused(engine: Engine) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        _store(engine, at=datetime(2024, 5, 1, 12, 0))


def test_utc_datetime_comes_back_utc_aware(engine: Engine) -> None:
    stored = _store(engine, at=datetime(2024, 5, 1, 12, 0, 30, 123456, tzinfo=UTC))

    assert stored["at"] == datetime(2024, 5, 1, 12, 0, 30, 123456, tzinfo=UTC)
    assert stored["at"].utcoffset() == timedelta(0)


def test_datetime_with_another_offset_is_stored_as_the_same_instant_in_utc(
    engine: Engine,
) -> None:
    vienna_summer = timezone(timedelta(hours=2))

    stored = _store(engine, at=datetime(2024, 5, 1, 14, 0, tzinfo=vienna_summer))

    assert stored["at"] == datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert stored["at"].tzinfo == UTC


def test_missing_datetime_stays_missing(engine: Engine) -> None:
    assert _store(engine, at=None)["at"] is None


def test_money_comes_back_as_decimal(engine: Engine) -> None:
    stored = _store(engine, amount=Decimal("1234.5678"))

    assert stored["amount"] == Decimal("1234.5678")
    assert isinstance(stored["amount"], Decimal)
