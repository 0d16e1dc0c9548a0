"""A consumer that dies between its database commit and its offset commit has no second effect."""

from pathlib import Path

import pytest
from kafka import KafkaConsumer
from kafka.consumer.fetcher import ConsumerRecord

from services.segmentation.bootstrap import DEFINITION as SEGMENTATION
from shared.broker import EmbeddedBroker
from shared.events import topics
from shared.messaging.consumer import ConsumerLoop
from shared.messaging.kafka import make_consumer
from shared.runtime import Runtime
from tests.fixtures.cloudevents import as_message, customer_event
from tests.fixtures.services import build_runtime
from tests.fixtures.state import directory_customers, inbox_rows, metric
from tests.fixtures.topics import produce

pytestmark = pytest.mark.integration

CUSTOMERS = topics.CUSTOMERS.name


def group_consumer(runtime: Runtime, loop: ConsumerLoop) -> KafkaConsumer:
    """A member of the loop's consumer group, configured as the loop's own factory does."""
    s = runtime.settings
    consumer = make_consumer(
        s.kafka_bootstrap_servers,
        loop.name,
        max_poll_records=s.consumer_max_poll_records,
        max_poll_interval_ms=s.consumer_max_poll_interval_ms,
        session_timeout_ms=s.consumer_session_timeout_ms,
    )
    consumer.subscribe([CUSTOMERS])
    return consumer


def poll_exactly(
    consumer: KafkaConsumer, count: int, timeout_ms: int = 30_000
) -> list[ConsumerRecord]:
    records: list[ConsumerRecord] = []
    waited = 0
    while len(records) < count and waited < timeout_ms:
        for batch in consumer.poll(timeout_ms=500).values():
            records.extend(batch)
        waited += 500
    assert len(records) == count, f"polled {len(records)} records, expected {count}"
    return records


def positions(records: list[ConsumerRecord]) -> list[tuple[int, int]]:
    return sorted((r.partition, r.offset) for r in records)


def test_records_processed_but_not_acknowledged_are_redelivered_without_a_second_effect(
    private_broker: EmbeddedBroker, database_factory, api_keys: tuple[Path, dict[str, str]]
) -> None:
    runtime = build_runtime(
        SEGMENTATION,
        database_url=database_factory("segmentation"),
        bootstrap_servers=private_broker.bootstrap_servers,
        api_keys_file=api_keys[0],
    )
    loop = SEGMENTATION.build_consumers(runtime)[0]
    acknowledged = [customer_event() for _ in range(4)]
    produce(private_broker.bootstrap_servers, CUSTOMERS, map(as_message, acknowledged))
    first = group_consumer(runtime, loop)
    first.commit(loop.process(poll_exactly(first, len(acknowledged))))

    unacknowledged = [customer_event() for _ in range(6)]
    produce(private_broker.bootstrap_servers, CUSTOMERS, map(as_message, unacknowledged))
    delivered = poll_exactly(first, len(unacknowledged))
    loop.process(delivered)  # the database transaction commits here
    first.close(autocommit=False)  # the process dies before committing the offsets
    after_first_delivery = directory_customers(runtime)
    duplicates_before = metric(
        "segmentation_events_consumed_total", topic=CUSTOMERS, outcome="duplicate"
    )

    second = group_consumer(runtime, loop)
    try:
        redelivered = poll_exactly(second, len(unacknowledged))
        second.commit(loop.process(redelivered))
    finally:
        second.close(autocommit=False)

    assert positions(redelivered) == positions(delivered)
    assert {r.value for r in redelivered} == {as_message(e)[1] for e in unacknowledged}
    assert directory_customers(runtime) == after_first_delivery
    assert len(after_first_delivery) == len(acknowledged) + len(unacknowledged)
    assert {row["revision"] for row in after_first_delivery.values()} == {1}
    duplicates = metric("segmentation_events_consumed_total", topic=CUSTOMERS, outcome="duplicate")
    assert duplicates - duplicates_before == len(unacknowledged)
    inbox = inbox_rows(runtime, loop.name)
    assert len(inbox) == len(acknowledged) + len(unacknowledged)
    assert {row["outcome"] for row in inbox} == {"processed"}
