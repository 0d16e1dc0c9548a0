"""Two workers of one consumer group, at the same time, leave what one worker leaves.

Every customer's events stay with one worker (they are keyed by the customer), but all
customers add to the same day and month cells: the workers meet on those rows, and on
deadlocks when a batch that detaches customers (a new segment) takes them early.
"""

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from kafka.consumer.fetcher import ConsumerRecord
from sqlalchemy import func, select

from services.experience import handlers, models
from services.experience.bootstrap import DEFINITION, DIRECTORY, build_writer
from shared.db.migrations import upgrade_to_head
from shared.events import topics
from shared.events.envelope import CloudEvent
from shared.messaging.kafka import key_partition
from shared.runtime import Runtime
from tests.fixtures.cloudevents import as_message
from tests.integration.experience.support import segment, touchpoint

pytestmark = pytest.mark.integration

CUSTOMERS = 40
POLL = 60
KINDS = [
    ("website_visit", "web"),
    ("quote_request", "email"),
    ("purchase", "store"),
    ("complaint", "phone"),
    ("service_request", "chat"),
]


def _events() -> list[CloudEvent]:
    """Touchpoints of 40 customers over four months, in time order, and a new segment for
    every fifth customer halfway through."""
    start = datetime.now(UTC) - timedelta(days=120)
    events = []
    for step in range(30):
        for number in range(CUSTOMERS):
            customer_id = f"c-{number:03d}"
            kind, channel = KINDS[(number + step) % len(KINDS)]
            at = start + timedelta(days=step * 4, hours=number % 24, minutes=number)
            csat = {"csat": 1 + (number + step) % 5} if step % 3 == 0 else {}
            events.append(touchpoint(customer_id, at, kind, channel, **csat))
            if step == 15 and number % 5 == 0:
                events.append(segment(customer_id, "grow" if number % 2 else "retain"))
    return events


def _records(events: list[CloudEvent]) -> list[ConsumerRecord]:
    records = []
    for offset, event in enumerate(events):
        key, value = as_message(event)
        encoded = (key or "").encode()
        topic = topics.SEGMENTS if event.type == "segment.assigned" else topics.TOUCHPOINTS
        args: list[Any] = [topic.name, 0, None, offset, 0, 0, encoded, value, []]
        records.append(ConsumerRecord(*args, None, len(encoded), len(value), 0))
    return records


def _runtime(url: str, keys_file: Path) -> Runtime:
    settings = DEFINITION.settings(
        database_url=url, kafka_bootstrap_servers="127.0.0.1:9", api_keys_file=keys_file
    )
    return Runtime.build(settings, DEFINITION.tables, DEFINITION.migrations_dir)


def _consume(runtime: Runtime, records: list[ConsumerRecord], start: threading.Barrier) -> None:
    loop = handlers.build_consumers(runtime, DIRECTORY, build_writer(runtime))[0]
    start.wait()
    for first in range(0, len(records), POLL):
        loop.process(records[first : first + POLL])


def _state(runtime: Runtime) -> dict[str, Any]:
    """What the workers leave: touchpoints, journeys, steps, cells, inbox outcomes."""
    tables = (models.touchpoints, models.journeys, models.journey_steps)
    with runtime.session_factory() as session:
        state: dict[str, Any] = {
            table.name: sorted(
                tuple(str(value) for value in row) for row in session.execute(select(table))
            )
            for table in tables
        }
        for table in (models.contact_days, models.contact_months):
            key = [column for column in table.primary_key.columns]
            measures = [column for column in table.columns if not column.primary_key]
            rows = session.execute(
                select(*key, *(func.sum(column) for column in measures)).group_by(*key)
            )
            # A cell a detach emptied and nothing refilled counts like no cell at all.
            state[table.name] = sorted(
                tuple(str(value) for value in row) for row in rows if any(row[len(key) :])
            )
        inbox = runtime.tables.inbox
        state["inbox"] = dict(
            session.execute(select(inbox.c.outcome, func.count()).group_by(inbox.c.outcome)).all()
        )
    return state


def test_two_workers_at_once_leave_what_one_worker_leaves(
    postgres: Any, api_keys: tuple[Path, dict[str, str]]
) -> None:
    records = _records(_events())
    alone, pair = postgres.create("experience_alone"), postgres.create("experience_pair")
    for url in (alone, pair):
        upgrade_to_head("experience", DEFINITION.migrations_dir, url)

    single = _runtime(alone, api_keys[0])
    _consume(single, records, threading.Barrier(1))

    # Partitions dealt out as a consumer group deals them, keys placed as producers place them.
    partitions = single.settings.topic_partitions
    shares: list[list[ConsumerRecord]] = [[], []]
    for record in records:
        shares[key_partition(record.key, partitions) % 2].append(record)
    assert all(shares)
    workers = [_runtime(pair, api_keys[0]) for _ in shares]
    start = threading.Barrier(len(shares))
    failures: list[BaseException] = []

    def work(runtime: Runtime, share: list[ConsumerRecord]) -> None:
        try:
            _consume(runtime, share, start)
        except BaseException as error:  # reported by the test below
            failures.append(error)
            start.abort()

    threads = [
        threading.Thread(target=work, args=(runtime, share))
        for runtime, share in zip(workers, shares, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    expected = _state(single)
    assert expected["inbox"] == {"processed": len(records)}
    assert len(expected["touchpoints"]) == 30 * CUSTOMERS
    assert _state(workers[0]) == expected
    for runtime in (single, *workers):
        runtime.engine.dispose()
