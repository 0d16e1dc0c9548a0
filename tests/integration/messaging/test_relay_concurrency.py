"""Several relays may run against one outbox on PostgreSQL: each row is published once,
and one customer's events keep the order in which they were written."""

import dataclasses
from collections import Counter as Tally
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, Counter

from services.profiles.bootstrap import DEFINITION as PROFILES
from shared.broker import EmbeddedBroker
from shared.events import topics
from shared.messaging.kafka import make_producer
from shared.messaging.relay import OutboxRelay
from shared.runtime import Runtime
from tests.fixtures.background import running_in_background
from tests.fixtures.cloudevents import customer_event
from tests.fixtures.services import build_runtime, wait_for
from tests.fixtures.state import outbox_rows, pending_outbox
from tests.fixtures.topics import headers_of, read_topic

pytestmark = pytest.mark.integration

CUSTOMERS = 30
REVISIONS = 20
ROWS = CUSTOMERS * REVISIONS
BATCH = 20


def counted_relay(runtime: Runtime, name: str) -> tuple[OutboxRelay, CollectorRegistry]:
    """A relay over `runtime`'s outbox whose published messages are counted on their own."""
    registry = CollectorRegistry()
    published = Counter(
        "events_published_total", "Published by this relay.", ["topic"], registry=registry
    )
    relay = OutboxRelay(
        session_factory=runtime.session_factory,
        outbox=runtime.tables.outbox,
        producer_factory=lambda: make_producer(runtime.settings.kafka_bootstrap_servers, name),
        metrics=dataclasses.replace(runtime.metrics, events_published=published),
        batch_size=BATCH,
        idle_seconds=0.05,
    )
    return relay, registry


def test_two_relays_on_one_outbox_publish_every_row_once_in_written_order(
    broker: EmbeddedBroker,
    database_kind: str,
    database_factory,
    api_keys: tuple[Path, dict[str, str]],
) -> None:
    if database_kind == "sqlite":
        pytest.skip("SQLite has no row locks; there one relay per outbox is the supported setup")
    runtime = build_runtime(
        PROFILES,
        database_url=database_factory("profiles"),
        bootstrap_servers=broker.bootstrap_servers,
        api_keys_file=api_keys[0],
    )
    customers = [f"cust-{n}-{id(runtime)}" for n in range(CUSTOMERS)]
    events = [
        customer_event(customer_id=customer, revision=revision, event_type="customer.updated")
        for revision in range(1, REVISIONS + 1)
        for customer in customers
    ]
    with runtime.session_factory() as session, session.begin():
        for event in events:
            runtime.outbox.add(session, event)
    assert pending_outbox(runtime) == ROWS
    (first, first_counts), (second, second_counts) = (
        counted_relay(runtime, f"relay-{n}") for n in (1, 2)
    )

    with running_in_background(first.run, second.run):
        assert wait_for(lambda: pending_outbox(runtime) == 0, timeout=60)

    wanted = {event.id for event in events}
    records = [
        record
        for record in read_topic(broker.bootstrap_servers, topics.CUSTOMERS.name)
        if headers_of(record).get("ce_id") in wanted
    ]
    on_topic = Tally(headers_of(record)["ce_id"] for record in records)
    assert set(on_topic) == wanted
    assert [event_id for event_id, copies in on_topic.items() if copies > 1] == []
    labels = {"topic": topics.CUSTOMERS.name}
    by_first = first_counts.get_sample_value("events_published_total", labels) or 0
    by_second = second_counts.get_sample_value("events_published_total", labels) or 0
    assert by_first + by_second == ROWS
    revision_of = {event.id: event.data["revision"] for event in events}
    per_customer: dict[str, list[int]] = {}
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        per_customer.setdefault(record.key.decode(), []).append(
            revision_of[headers_of(record)["ce_id"]]
        )
    assert per_customer == {c: list(range(1, REVISIONS + 1)) for c in customers}
    assert {row["attempts"] for row in outbox_rows(runtime)} == {1}
