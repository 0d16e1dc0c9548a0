"""The statistics keeper analyses a growing table on a real PostgreSQL database, so array
lookups keep probing its primary key."""

import re
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, text
from sqlalchemy.engine import Engine

from shared.db.engine import make_engine
from shared.db.statistics import MIN_CHANGES, StatisticsKeeper
from tests.fixtures.databases import PostgresDatabases

pytestmark = pytest.mark.integration

ROWS = 100_000
STATS_FLUSH_SECONDS = 15.0
metadata = MetaData()
identifiers = Table(
    "identifiers",
    metadata,
    Column("kind", String(10), primary_key=True),
    Column("value", String(100), primary_key=True),
    Column("customer_id", Integer, nullable=False),
)
untouched = Table("untouched", metadata, Column("id", Integer, primary_key=True))


@pytest.fixture
def engine(postgres: PostgresDatabases) -> Iterator[Engine]:
    engine = make_engine(postgres.create("statistics"))
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def _fill(engine: Engine, start: int, count: int) -> None:
    """`count` customers' e-mail address and phone number, numbered from `start`."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO identifiers (kind, value, customer_id) "
                "SELECT kind, kind || '-' || i, i FROM generate_series(:first, :last) AS i, "
                "unnest(ARRAY['email', 'phone']) AS kind"
            ),
            {"first": start, "last": start + count - 1},
        )


def _analysed_rows(engine: Engine, table: str) -> float:
    with engine.connect() as conn:
        return float(
            conn.execute(
                text("SELECT reltuples FROM pg_class WHERE relname = :t"), {"t": table}
            ).scalar_one()
        )


def _lookup_plan(engine: Engine) -> str:
    values = [f"email-{i}" for i in range(ROWS, ROWS + 1000)]
    with engine.connect() as conn:
        conn.execute(text("SET plan_cache_mode = force_custom_plan"))
        plan = conn.exec_driver_sql(
            "EXPLAIN SELECT customer_id FROM identifiers "
            "WHERE kind = %(kind)s AND value = ANY(%(values)s)",
            {"kind": "email", "values": values},
        ).all()
    return "\n".join(row[0] for row in plan)


def _analyse_when_counted(keeper: StatisticsKeeper) -> list[str]:
    # Each backend reports its changes to the server's statistics within a second or so.
    deadline = time.monotonic() + STATS_FLUSH_SECONDS
    while True:
        analysed = keeper.analyse_due()
        if analysed or time.monotonic() > deadline:
            return analysed
        time.sleep(0.2)


def test_a_table_that_grew_is_analysed_once_and_then_probed_by_key(engine: Engine) -> None:
    _fill(engine, 0, ROWS)
    keeper = StatisticsKeeper(engine, ["identifiers", "untouched"], interval_seconds=1.0)

    assert _analyse_when_counted(keeper) == ["identifiers"]
    assert _analysed_rows(engine, "identifiers") == 2 * ROWS
    assert keeper.analyse_due() == []
    plan = _lookup_plan(engine)
    assert re.search(r"Index Cond: .*kind.* AND .*value.* = ANY", plan), plan


def test_a_few_changes_do_not_make_a_large_table_due(engine: Engine) -> None:
    _fill(engine, 0, ROWS)
    keeper = StatisticsKeeper(engine, ["identifiers"], interval_seconds=1.0)
    assert _analyse_when_counted(keeper) == ["identifiers"]

    _fill(engine, ROWS, 10 * MIN_CHANGES)  # 20,000 rows: fewer than 1,000 + a fifth of 200,000

    time.sleep(2.0)
    assert keeper.analyse_due() == []


def test_rows_updated_in_place_do_not_make_a_table_due(engine: Engine) -> None:
    _fill(engine, 0, ROWS)
    keeper = StatisticsKeeper(engine, ["identifiers"], interval_seconds=1.0)
    assert _analyse_when_counted(keeper) == ["identifiers"]

    with engine.begin() as conn:
        conn.execute(text("UPDATE identifiers SET customer_id = customer_id + 1"))

    time.sleep(2.0)
    assert keeper.analyse_due() == []


def test_one_worker_analyses_while_the_others_skip(engine: Engine) -> None:
    _fill(engine, 0, ROWS)
    keeper = StatisticsKeeper(engine, ["identifiers"], interval_seconds=1.0)
    with engine.connect() as other:
        other.execute(text("SELECT pg_advisory_lock(:key)"), {"key": 0x5354_4154})
        time.sleep(1.5)
        assert keeper.analyse_due() == []
        other.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": 0x5354_4154})
        other.commit()

    assert _analyse_when_counted(keeper) == ["identifiers"]


def test_the_keeper_runs_until_stopped(engine: Engine) -> None:
    _fill(engine, 0, ROWS)
    keeper = StatisticsKeeper(engine, ["identifiers"], interval_seconds=0.2)
    stop = threading.Event()
    thread = threading.Thread(target=keeper.run, args=(stop,))
    thread.start()
    try:
        deadline = time.monotonic() + STATS_FLUSH_SECONDS
        while _analysed_rows(engine, "identifiers") <= 0 and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop.set()
        thread.join(5)

    assert not thread.is_alive()
    assert _analysed_rows(engine, "identifiers") == 2 * ROWS
