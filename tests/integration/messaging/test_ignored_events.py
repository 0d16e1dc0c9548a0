"""Events of types a consumer does not handle cost it neither a parse nor a transaction."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from kafka.consumer.fetcher import ConsumerRecord
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.profiles.bootstrap import DEFINITION as PROFILES
from shared.db.migrations import upgrade_to_head
from shared.events import topics
from shared.events.envelope import CloudEvent, new_event
from shared.events.gdpr import CustomerErased
from shared.messaging.consumer import ConsumerLoop
from shared.messaging.dispatch import CloudEventDispatcher
from shared.runtime import Runtime
from tests.fixtures.cloudevents import customer_event

CUSTOMERS = topics.CUSTOMERS.name


def _record(offset: int, value: bytes, headers: list[tuple[str, bytes]]) -> ConsumerRecord:
    return ConsumerRecord(
        CUSTOMERS, 0, None, offset, 0, 0, b"key", value, headers, None, 3, len(value), 0
    )


def _relayed(offset: int, event: CloudEvent) -> ConsumerRecord:
    """As the outbox relay produces it: the type and id in headers."""
    headers = [("ce_type", event.type.encode()), ("ce_id", event.id.encode())]
    return _record(offset, event.to_json_bytes(), headers)


def _runtime(tmp_path: Path) -> Runtime:
    url = f"sqlite:///{tmp_path / 'profiles.db'}"
    upgrade_to_head("profiles", PROFILES.migrations_dir, url)
    settings = PROFILES.settings(database_url=url, kafka_bootstrap_servers="127.0.0.1:9")
    return Runtime.build(settings, PROFILES.tables, PROFILES.migrations_dir)


def _loop(runtime: Runtime, handled: list[str], sessions: Any) -> ConsumerLoop:
    def record(session: Session, event: CloudEvent, payload: Any) -> None:
        handled.append(event.id)

    return ConsumerLoop(
        name="profiles.erasures",
        topics=[CUSTOMERS],
        handler=CloudEventDispatcher(runtime.registry, {"customer.erased": record}),
        session_factory=cast(sessionmaker[Session], sessions),
        tables=runtime.tables,
        outbox=runtime.outbox,
        consumer_factory=lambda: None,  # type: ignore[arg-type,return-value]
        metrics=runtime.metrics,
    )


def test_a_batch_of_ignored_events_opens_no_transaction(tmp_path: Path) -> None:
    runtime = _runtime(tmp_path)

    def no_session() -> Session:
        raise AssertionError("a batch of ignored events opened a transaction")

    loop = _loop(runtime, [], no_session)
    records = [_relayed(offset, customer_event()) for offset in range(3)]

    offsets = loop.process(records)

    assert [o.offset for o in offsets.values()] == [3]


def test_a_header_naming_an_unhandled_type_spares_the_parse_and_the_inbox(
    tmp_path: Path,
) -> None:
    runtime = _runtime(tmp_path)
    handled: list[str] = []
    loop = _loop(runtime, handled, runtime.session_factory)
    payload = CustomerErased(
        customer_id="cust-1", erasure_id="er-1", requested_at=datetime.now(UTC)
    )
    erasure = new_event(source="/profiles", type="customer.erased", subject="cust-1", data=payload)
    # The body is not even JSON: only the header tells what it is, and it is not wanted here.
    unwanted = _record(1, b"not json", [("ce_type", b"customer.registered")])

    loop.process([_relayed(0, erasure), unwanted, _relayed(2, customer_event())])

    assert handled == [erasure.id]
    with runtime.session_factory() as session:
        inbox = session.execute(select(runtime.tables.inbox.c.event_id)).scalars().all()
    assert inbox == [erasure.id]


def test_a_record_without_the_header_is_read_in_full_and_dead_lettered_if_broken(
    tmp_path: Path,
) -> None:
    runtime = _runtime(tmp_path)
    loop = _loop(runtime, [], runtime.session_factory)
    stranger = _record(0, b"not json", [])
    unknown_type = _record(1, b"not json", [("ce_type", b"customer.teleported")])

    loop.process([stranger, unknown_type])

    with runtime.session_factory() as session:
        outbox = runtime.tables.outbox
        dead = session.execute(select(outbox.c.topic)).scalars().all()
    assert dead == [f"{CUSTOMERS}.dlq", f"{CUSTOMERS}.dlq"]
