"""The inbox lookup of a batch stays a probe per event id as the inbox grows, also on a
PostgreSQL server whose statistics of the table are stale (autovacuum off or behind)."""

import json
from typing import Any

import pytest
from sqlalchemy import MetaData, select, text
from sqlalchemy.orm import Session

from shared.db.engine import make_engine
from shared.db.lookup import one_of
from shared.messaging.inbox import already_seen
from shared.messaging.tables import messaging_tables
from tests.fixtures.databases import PostgresDatabases

pytestmark = pytest.mark.integration


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [plan, *(node for child in plan.get("Plans", []) for node in _nodes(child))]


def test_a_batch_lookup_probes_the_key_by_event_id_however_large_the_inbox(
    postgres: PostgresDatabases,
) -> None:
    engine = make_engine(postgres.create("inbox"))
    metadata = MetaData()
    inbox = messaging_tables(metadata).inbox
    metadata.create_all(engine)
    handled = [f"e{number:09d}" for number in range(1, 200_001)]
    with Session(engine) as session, session.begin():
        session.execute(
            text(
                "INSERT INTO inbox (consumer, source, event_id, outcome, received_at) "
                "SELECT 'c', '/profiles', 'e' || lpad(n::text, 9, '0'), 'ok', now() "
                "FROM generate_series(1, 200000) AS n"
            )
        )
    # Never analysed, as on a server without autovacuum: the planner has no statistics.
    wanted = handled[-300:] + [f"x{number}" for number in range(200)]

    with Session(engine) as session:
        assert already_seen(session, inbox, "c", [("/profiles", i) for i in wanted]) == {
            ("/profiles", i) for i in handled[-300:]
        }
        statement = select(inbox.c.event_id).where(
            inbox.c.consumer == "c",
            inbox.c.source == "/profiles",
            one_of(session, inbox.c.event_id, wanted),
        )
        compiled = statement.compile(engine)
        explained = (
            session.connection()
            .exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {compiled}", compiled.params)
            .scalar_one()
        )
    plan = (explained if isinstance(explained, list) else json.loads(explained))[0]["Plan"]
    scans = [node for node in _nodes(plan) if node.get("Relation Name") == "inbox"]
    assert scans and all(node["Node Type"] != "Seq Scan" for node in scans), plan
    # Every id is an index condition; no handled event is read only to be filtered out.
    assert all("event_id" in node.get("Index Cond", "") for node in scans), plan
    assert sum(node.get("Rows Removed by Filter", 0) for node in scans) == 0, plan
    assert sum(node["Actual Rows"] for node in scans) == 300
    engine.dispose()
