"""Rows brought as JSON inside another statement read back as the table gives them."""

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    select,
)
from sqlalchemy.orm import Session

from shared.db.engine import make_engine
from shared.db.json_rows import JsonRows
from shared.db.types import Money, UTCDateTime

pytestmark = pytest.mark.integration

metadata = MetaData()
lines = Table(
    "lines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", String(20), nullable=False),
    Column("label", String(40)),
    Column("amount", Money()),
    Column("at", UTCDateTime),
    Column("on_day", Date),
    Column("open", Boolean),
    Column("detail", JSON),
)


def test_rows_read_through_json_equal_the_rows_read_directly(
    database_factory: Callable[[str], str],
) -> None:
    engine = make_engine(database_factory("json_rows"))
    metadata.create_all(engine)
    rows = [
        {
            "id": 1,
            "customer_id": "c1",
            "label": 'Müller & Söhne "A"',
            "amount": Decimal("19.99"),
            "at": datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC),
            "on_day": date(2026, 2, 28),
            "open": True,
            "detail": {"net_revenue": "0.10", "n": [1, 2]},
        },
        {
            "id": 2,
            "customer_id": "c1",
            "label": None,
            "amount": Decimal("0.1"),
            "at": None,
            "on_day": None,
            "open": False,
            "detail": None,
        },
        {
            "id": 3,
            "customer_id": "c2",
            "label": "other",
            "amount": Decimal("1"),
            "at": None,
            "on_day": None,
            "open": None,
            "detail": None,
        },
    ]
    with Session(engine) as session, session.begin():
        session.execute(insert(lines), rows)
    reader = JsonRows(tuple(lines.columns), order_by=(lines.c.id,))
    statement = select(reader.of_key(engine.dialect.name))
    with Session(engine) as session:
        direct = [
            dict(row._mapping)
            for row in session.execute(
                select(lines).where(lines.c.customer_id == "c1").order_by(lines.c.id)
            )
        ]
        through_json = reader.read(session.scalar(statement, {"customer_id": "c1"}))
        nothing = reader.read(session.scalar(statement, {"customer_id": "none"}))
    assert through_json == direct
    assert [type(row["open"]) for row in through_json] == [bool, bool]
    assert through_json[0]["amount"] == Decimal("19.9900")
    assert nothing == []
    engine.dispose()
