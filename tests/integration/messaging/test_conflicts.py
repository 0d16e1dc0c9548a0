"""A consumer batch that meets a deadlock is applied again at once, with its effect once."""

from pathlib import Path
from typing import Any

import pytest
from kafka.consumer.fetcher import ConsumerRecord
from sqlalchemy import text
from sqlalchemy.orm import Session

from services.segmentation.bootstrap import DEFINITION as SEGMENTATION
from shared.db.migrations import upgrade_to_head
from shared.events import topics
from shared.messaging.consumer import CONFLICT_ATTEMPTS
from shared.messaging.handling import Decoded, MessageHandler
from shared.runtime import Runtime
from tests.fixtures.cloudevents import as_message, customer_event
from tests.fixtures.state import directory_customers, inbox_rows

pytestmark = pytest.mark.integration

# PostgreSQL reports a real deadlock with this SQLSTATE; raised by the server, it travels
# through the driver and SQLAlchemy exactly as one the lock manager detected.
DEADLOCK = "DO $$ BEGIN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = '40P01'; END $$"


class Deadlocking:
    """The service's own handler, whose batches first meet `deadlocks` deadlocks."""

    def __init__(self, inner: MessageHandler, deadlocks: int) -> None:
        self._inner = inner
        self.deadlocks_left = deadlocks
        self.batches = 0

    def decode(self, record: ConsumerRecord) -> Decoded | None:
        return self._inner.decode(record)

    def prepare(self, session: Session, messages: list[Decoded]) -> None:
        self.batches += 1
        self._inner.prepare(session, messages)
        if self.deadlocks_left:
            self.deadlocks_left -= 1
            session.execute(text(DEADLOCK))

    def handle(self, session: Session, message: Decoded) -> None:
        self._inner.handle(session, message)


def _records(count: int) -> tuple[list[str], list[ConsumerRecord]]:
    events = [customer_event() for _ in range(count)]
    records = []
    for offset, event in enumerate(events):
        key, value = as_message(event)
        encoded = key.encode() if key else None
        size = len(encoded or b"")
        args: list[Any] = [topics.CUSTOMERS.name, 0, None, offset, 0, 0, encoded, value, []]
        records.append(ConsumerRecord(*args, None, size, len(value), 0))
    return [str(e.subject) for e in events], records


@pytest.fixture
def runtime(postgres: Any, api_keys: tuple[Path, dict[str, str]]) -> Any:
    url = postgres.create("segmentation")
    upgrade_to_head("segmentation", SEGMENTATION.migrations_dir, url)
    settings = SEGMENTATION.settings(
        database_url=url, kafka_bootstrap_servers="127.0.0.1:9", api_keys_file=api_keys[0]
    )
    built = Runtime.build(settings, SEGMENTATION.tables, SEGMENTATION.migrations_dir)
    yield built
    built.engine.dispose()


def test_a_deadlocked_batch_is_applied_again_at_once_and_counts_once(runtime: Any) -> None:
    handler = Deadlocking(SEGMENTATION.build_consumers(runtime)[0]._handler, deadlocks=2)
    loop = runtime.consumer("deadlocking", [topics.CUSTOMERS.name], handler)
    customers, records = _records(5)

    offsets = loop.process(records)

    assert handler.batches == 3  # two deadlocks, then the batch went through
    assert sorted(directory_customers(runtime)) == sorted(customers)
    assert {row["outcome"] for row in inbox_rows(runtime, loop.name)} == {"processed"}
    assert len(inbox_rows(runtime, loop.name)) == len(customers)
    assert [o.offset for o in offsets.values()] == [len(records)]


def test_a_batch_that_keeps_deadlocking_is_left_to_the_back_off(runtime: Any) -> None:
    handler = Deadlocking(
        SEGMENTATION.build_consumers(runtime)[0]._handler, deadlocks=CONFLICT_ATTEMPTS
    )
    loop = runtime.consumer("deadlocking", [topics.CUSTOMERS.name], handler)
    _, records = _records(3)

    with pytest.raises(Exception, match="deadlock detected"):
        loop.process(records)

    assert handler.batches == CONFLICT_ATTEMPTS
    assert directory_customers(runtime) == {}
    assert inbox_rows(runtime, loop.name) == []
