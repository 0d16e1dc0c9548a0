"""Messages that cannot be handled go to the dead-letter topic and never block the partition."""

import json
import uuid
from collections import Counter
from pathlib import Path

import pytest
from kafka.consumer.fetcher import ConsumerRecord
from sqlalchemy.orm import Session

from services.segmentation.bootstrap import DEFINITION as SEGMENTATION
from services.segmentation.bootstrap import DIRECTORY
from shared.broker import EmbeddedBroker
from shared.events import topics
from shared.events.customers import CustomerSnapshot
from shared.events.envelope import CloudEvent
from shared.messaging.dispatch import CloudEventDispatcher
from shared.messaging.kafka import ensure_topics
from shared.runtime import Runtime
from tests.fixtures.background import running_in_background
from tests.fixtures.cloudevents import as_message, customer_event
from tests.fixtures.services import build_runtime, running_worker, wait_for
from tests.fixtures.state import directory_customers, metric
from tests.fixtures.topics import headers_of, produce, read_topic

pytestmark = pytest.mark.integration

CUSTOMERS = topics.CUSTOMERS.name


@pytest.fixture
def segmentation(
    broker: EmbeddedBroker, database_factory, api_keys: tuple[Path, dict[str, str]]
) -> Runtime:
    return build_runtime(
        SEGMENTATION,
        database_url=database_factory("segmentation"),
        bootstrap_servers=broker.bootstrap_servers,
        api_keys_file=api_keys[0],
    )


def dead_letters(
    broker: EmbeddedBroker, topic: str, key: str | None = None
) -> list[ConsumerRecord]:
    return [
        record
        for record in read_topic(broker.bootstrap_servers, f"{topic}.dlq")
        if key is None or record.key == key.encode()
    ]


def test_poison_messages_are_dead_lettered_with_the_reason_and_the_partition_moves_on(
    broker: EmbeddedBroker, segmentation: Runtime
) -> None:
    valid = customer_event(name="Metzgerei Wolf")
    key = valid.subject
    unknown_type = customer_event(customer_id=key, event_type="customer.teleported")
    invalid_payload = customer_event(customer_id=key, revision=0, name=None)
    poison = [b"{not json at all", unknown_type.to_json_bytes(), invalid_payload.to_json_bytes()]
    dead_lettered_before = metric("segmentation_dlq_messages_total", topic=CUSTOMERS)

    with running_worker(segmentation, SEGMENTATION):
        landed = produce(
            broker.bootstrap_servers,
            CUSTOMERS,
            [(key, value) for value in poison] + [as_message(valid)],
        )
        assert len({metadata.partition for metadata in landed}) == 1
        assert wait_for(lambda: key in directory_customers(segmentation))
        assert wait_for(lambda: len(dead_letters(broker, CUSTOMERS, key)) == 3)

    assert directory_customers(segmentation)[key]["name"] == "Metzgerei Wolf"
    letters = dead_letters(broker, CUSTOMERS, key)
    assert [letter.value for letter in letters] == poison
    headers = [headers_of(letter) for letter in letters]
    for header, original in zip(headers, landed, strict=False):
        assert header["dlq.original_topic"] == CUSTOMERS
        assert header["dlq.original_partition"] == str(original.partition)
        assert header["dlq.original_offset"] == str(original.offset)
        assert header["dlq.consumer"] == "segmentation.events"
    reasons = [header["dlq.error"] for header in headers]
    assert "not a CloudEvent" in reasons[0]
    assert "JSON" in reasons[0]
    assert "unknown event type customer.teleported" in reasons[1]
    assert "invalid customer.registered" in reasons[2]
    assert "revision" in reasons[2]
    assert "name" in reasons[2]
    dead_lettered = metric("segmentation_dlq_messages_total", topic=CUSTOMERS)
    assert dead_lettered - dead_lettered_before == 3


def private_topic(broker: EmbeddedBroker) -> str:
    """A one-partition topic of the test's own, so its messages arrive in one batch."""
    name = f"test.retries.{uuid.uuid4().hex[:12]}"
    ensure_topics(broker.bootstrap_servers, [name, f"{name}.dlq"], partitions=1)
    return name


class FailingFor:
    """Stores the snapshot like segmentation does, then fails for the given customers."""

    def __init__(self, *customer_ids: str) -> None:
        self.customer_ids = set(customer_ids)
        self.calls: Counter[str] = Counter()

    def __call__(self, session: Session, event: CloudEvent, snapshot: CustomerSnapshot) -> None:
        self.calls[snapshot.customer_id] += 1
        DIRECTORY.apply(session, event, snapshot)  # written first: a failure must undo it
        if snapshot.customer_id in self.customer_ids:
            raise ValueError(f"credit check refused {snapshot.customer_id}")


def consumed_from(topic: str) -> float:
    return sum(
        metric("segmentation_events_consumed_total", topic=topic, outcome=outcome)
        for outcome in ("processed", "duplicate", "ignored", "dead_lettered")
    )


def consume_all(
    broker: EmbeddedBroker, runtime: Runtime, topic: str, handler: FailingFor, count: int
) -> list[ConsumerRecord]:
    """Run a consumer loop and the relay until `count` messages are handled; the dead letters."""
    dispatcher = CloudEventDispatcher(runtime.registry, {"customer.registered": handler})
    loop = runtime.consumer(f"retries-{uuid.uuid4().hex[:8]}", [topic], dispatcher)
    with running_in_background(loop.run, runtime.relay().run):
        assert wait_for(lambda: consumed_from(topic) == count)
        assert wait_for(lambda: runtime.relay().pending()[0] == 0)
    return dead_letters(broker, topic)


def test_a_message_whose_handler_keeps_failing_is_retried_then_dead_lettered_alone(
    broker: EmbeddedBroker, segmentation: Runtime
) -> None:
    topic = private_topic(broker)
    events = [customer_event() for _ in range(4)]
    failing = events[1]
    handler = FailingFor(failing.subject)
    landed = produce(broker.bootstrap_servers, topic, map(as_message, events))

    letters = consume_all(broker, segmentation, topic, handler, count=len(events))

    max_attempts = segmentation.settings.consumer_max_attempts
    assert len(letters) == 1
    header = headers_of(letters[0])
    assert letters[0].value == failing.to_json_bytes()
    assert header["dlq.attempts"] == str(max_attempts)
    assert header["dlq.error"] == f"ValueError: credit check refused {failing.subject}"
    assert header["dlq.original_offset"] == str(landed[1].offset)
    assert handler.calls[failing.subject] >= max_attempts
    stored = directory_customers(segmentation)
    assert set(stored) == {event.subject for event in events if event is not failing}
    assert metric("segmentation_dlq_messages_total", topic=topic) == 1
    assert metric("segmentation_events_consumed_total", topic=topic, outcome="processed") == 3


def test_every_failure_in_a_batch_redone_message_by_message_reaches_the_dead_letter_topic(
    broker: EmbeddedBroker, segmentation: Runtime
) -> None:
    topic = private_topic(broker)
    poison = json.dumps({"specversion": "1.0", "id": "no-type"}).encode()
    first_failing, applied, second_failing = customer_event(), customer_event(), customer_event()
    handler = FailingFor(first_failing.subject, second_failing.subject)
    produce(
        broker.bootstrap_servers,
        topic,
        [
            (applied.subject, poison),
            as_message(first_failing),
            as_message(applied),
            as_message(second_failing),
        ],
    )

    letters = consume_all(broker, segmentation, topic, handler, count=4)

    assert [letter.value for letter in letters] == [
        poison,
        first_failing.to_json_bytes(),
        second_failing.to_json_bytes(),
    ]
    assert set(directory_customers(segmentation)) == {applied.subject}
    assert metric("segmentation_dlq_messages_total", topic=topic) == 3
