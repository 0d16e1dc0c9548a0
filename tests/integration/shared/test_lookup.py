"""Batch lookups by one column and by pairs of columns on SQLite and PostgreSQL."""

from collections.abc import Callable

import pytest
from sqlalchemy import Column, MetaData, String, Table, insert, select
from sqlalchemy.orm import Session

from shared.db.engine import make_engine
from shared.db.lookup import one_of, pair_of

pytestmark = pytest.mark.integration

metadata = MetaData()
orders = Table(
    "orders",
    metadata,
    Column("source_system", String(20), primary_key=True),
    Column("order_id", String(20), primary_key=True),
    Column("customer_id", String(20), nullable=False),
)


def test_rows_are_found_by_pairs_and_by_values(
    database_factory: Callable[[str], str],
) -> None:
    engine = make_engine(database_factory("lookup"))
    metadata.create_all(engine)
    rows = [
        {"source_system": system, "order_id": f"o{i}", "customer_id": f"c{i % 7}"}
        for system in ("crm", "shop", "erp")
        for i in range(600)
    ]
    with Session(engine) as session, session.begin():
        session.execute(insert(orders), rows)
    # The same order ids under another system, and pairs that do not exist.
    wanted = [("shop", f"o{i}") for i in range(0, 600, 3)] + [("crm", "o5"), ("crm", "o999")]
    wanted += [("nowhere", "o1")]

    with Session(engine) as session:
        found = session.execute(
            select(orders.c.source_system, orders.c.order_id).where(
                pair_of(session, orders.c.source_system, orders.c.order_id, wanted)
            )
        ).all()
        nothing = session.execute(
            select(orders).where(pair_of(session, orders.c.source_system, orders.c.order_id, []))
        ).all()
        customers = session.scalars(
            select(orders.c.order_id).where(
                orders.c.source_system == "erp", one_of(session, orders.c.customer_id, ["c3"])
            )
        ).all()

    assert sorted(map(tuple, found)) == sorted(
        [("shop", f"o{i}") for i in range(0, 600, 3)] + [("crm", "o5")]
    )
    assert nothing == []
    assert sorted(customers) == sorted(f"o{i}" for i in range(600) if i % 7 == 3)
    engine.dispose()
