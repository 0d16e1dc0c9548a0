"""The consumer loop: one transaction per polled batch, inbox dedupe, DLQ through the outbox."""

import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import CommitFailedError, KafkaError
from kafka.structs import OffsetAndMetadata
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from shared.db.buffer import discard_buffer, flush_buffer, insert_rows
from shared.db.errors import is_conflict
from shared.db.uow import UnitOfWork
from shared.logs import event_id_var
from shared.messaging.handling import Decoded, MessageHandler, PoisonMessageError
from shared.messaging.inbox import already_seen
from shared.messaging.outbox import Outbox
from shared.messaging.rebalance import DropLagOnRevoke
from shared.messaging.tables import MessagingTables
from shared.metrics import ServiceMetrics

log = logging.getLogger(__name__)
CONFLICT_ATTEMPTS = 4


def _text(value: str) -> str:
    # Databases refuse NUL in text; a dead letter must be storable whatever it carried.
    return value.replace("\x00", "\ufffd")


def _is_infrastructure_error(error: BaseException) -> bool:
    if isinstance(error, OperationalError | InterfaceError):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


@dataclass
class _Item:
    record: ConsumerRecord
    decoded: Decoded | None = None
    poison: str | None = None

    @property
    def inbox_key(self) -> tuple[str, str]:
        if self.decoded is not None:
            return self.decoded.source, self.decoded.event_id
        r = self.record
        return f"kafka:{r.topic}", f"{r.partition}:{r.offset}"


class ConsumerLoop:
    def __init__(
        self,
        *,
        name: str,
        topics: list[str],
        handler: MessageHandler,
        session_factory: sessionmaker[Session],
        tables: MessagingTables,
        outbox: Outbox,
        consumer_factory: Callable[[], KafkaConsumer],
        metrics: ServiceMetrics,
        max_attempts: int = 3,
        poll_timeout_ms: int = 500,
    ) -> None:
        self.name = name
        self._topics = topics
        self._handler = handler
        self._session_factory = session_factory
        self._inbox = tables.inbox
        self._outbox = outbox
        self._consumer_factory = consumer_factory
        self._metrics = metrics
        self._max_attempts = max_attempts
        self._poll_timeout_ms = poll_timeout_ms

    def run(self, stop: threading.Event) -> None:
        """Consume until `stop` is set; then leave the group cleanly."""
        backoff = 0.5
        while not stop.is_set():
            try:
                consumer = self._consumer_factory()
            except KafkaError as error:
                log.warning("consumer %s cannot connect: %r", self.name, error)
                stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            try:
                consumer.subscribe(self._topics, listener=DropLagOnRevoke(self.name, self._metrics))
                self._consume(consumer, stop)
                backoff = 0.5
            except Exception:
                # Never let the loop die silently: log, reconnect, carry on from the
                # committed offsets (the inbox makes the replay harmless).
                log.exception("consumer %s failed; reconnecting", self.name)
                stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
            finally:
                consumer.close(autocommit=False)

    def _consume(self, consumer: KafkaConsumer, stop: threading.Event) -> None:
        backoff = 0.5
        while not stop.is_set():
            polled = consumer.poll(timeout_ms=self._poll_timeout_ms)
            records = [record for batch in polled.values() for record in batch]
            if not records:
                continue
            started = time.perf_counter()
            try:
                offsets = self.process(records)
            except Exception as error:
                # Database away or similar: nothing was committed, re-read the batch later.
                log.warning("consumer %s batch failed, retrying: %r", self.name, error)
                for tp, batch in polled.items():
                    if tp in consumer.assignment():
                        consumer.seek(tp, batch[0].offset)
                stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            backoff = 0.5
            try:
                consumer.commit(offsets)
            except (CommitFailedError, KafkaError) as error:
                # The partitions moved to another member; it redelivers, the inbox dedupes.
                log.warning("consumer %s offset commit failed: %r", self.name, error)
            self._metrics.batch_duration.observe(time.perf_counter() - started)
            self._record_lag(consumer, offsets)

    def process(self, records: list[ConsumerRecord]) -> dict[TopicPartition, OffsetAndMetadata]:
        """Apply a batch in one transaction and return the offsets to commit after it."""
        items = [self._decode(record) for record in records]
        try:
            outcomes = self._apply_again_on_conflict(items, isolate=False)
        except Exception as error:
            if _is_infrastructure_error(error):
                raise
            # One message failed: redo the batch with a savepoint per message.
            try:
                outcomes = self._apply_again_on_conflict(items, isolate=True)
            except Exception as again:
                if _is_infrastructure_error(again):
                    raise
                # Something outside any one handler failed (the inbox lookup or a batch
                # preparation choked on a message): one transaction per message, so the
                # culprit alone goes to the dead-letter topic and the partition moves on.
                outcomes = [self._apply_alone(item) for item in items]
        pairs = zip(items, outcomes, strict=True)
        tally = Counter((item.record.topic, outcome) for item, outcome in pairs)
        for (topic, outcome), count in tally.items():
            self._metrics.events_consumed.labels(topic, outcome).inc(count)
            if outcome == "dead_lettered":
                self._metrics.dlq_messages.labels(topic).inc(count)
        offsets: dict[TopicPartition, OffsetAndMetadata] = {}
        for record in records:
            tp = TopicPartition(record.topic, record.partition)
            offsets[tp] = OffsetAndMetadata(record.offset + 1, "", -1)
        return offsets

    def _apply_again_on_conflict(self, items: list[_Item], *, isolate: bool) -> list[str]:
        """Apply the batch; a deadlock or lock timeout with another transaction (an API
        request writing the same rows) is retried at once, not after the reconnect back-off
        meant for a database that is away."""
        attempt = 1
        while True:
            try:
                return self._apply(items, isolate=isolate)
            except Exception as error:
                if attempt == CONFLICT_ATTEMPTS or not is_conflict(error):
                    raise
            log.info("consumer %s batch met a concurrent transaction; again", self.name)
            time.sleep(random.uniform(0.01, 0.05) * attempt)
            attempt += 1

    def _apply_alone(self, item: _Item) -> str:
        try:
            return self._apply([item], isolate=True)[0]
        except Exception as error:
            if _is_infrastructure_error(error):
                raise
            reason = f"{type(error).__name__}: {error}"
        coordinates = _Item(item.record)  # keyed by topic/partition/offset, nothing decoded
        with UnitOfWork(self._session_factory) as uow:
            key = coordinates.inbox_key
            if already_seen(uow.session, self._inbox, self.name, [key]):
                return "duplicate"
            outcome = self._dead_letter(uow.session, item, reason, self._max_attempts)
            flush_buffer(uow.session)
            insert_rows(uow.session, self._inbox, [self._inbox_row(key, outcome)])
            uow.commit()
        return outcome

    def _decode(self, record: ConsumerRecord) -> _Item:
        try:
            return _Item(record, decoded=self._handler.decode(record))
        except PoisonMessageError as error:
            return _Item(record, poison=str(error))

    def _apply(self, items: list[_Item], *, isolate: bool) -> list[str]:
        kept = [item for item in items if item.decoded is not None or item.poison is not None]
        if not kept:
            # Events of types this service does not handle: nothing to write, not even to
            # the inbox, so no transaction either.
            return ["ignored"] * len(items)
        with UnitOfWork(self._session_factory) as uow:
            session = uow.session
            seen = already_seen(session, self._inbox, self.name, (item.inbox_key for item in kept))
            fresh = [i.decoded for i in items if i.decoded and i.inbox_key not in seen]
            self._handler.prepare(session, fresh)
            outcomes = []
            new_inbox: list[dict[str, Any]] = []
            for item in items:
                key = item.inbox_key
                if item.decoded is None and item.poison is None:
                    outcomes.append("ignored")
                    continue
                if key in seen:
                    outcomes.append("duplicate")
                    continue
                seen.add(key)
                if item.poison is not None:
                    outcome = self._dead_letter(session, item, item.poison, attempts=0)
                elif isolate:
                    outcome = self._apply_isolated(session, item)
                else:
                    self._handle(session, item)
                    outcome = "processed"
                new_inbox.append(self._inbox_row(key, outcome))
                outcomes.append(outcome)
            flush_buffer(session)
            insert_rows(session, self._inbox, new_inbox)
            uow.commit()
        return outcomes

    def _apply_isolated(self, session: Session, item: _Item) -> str:
        error: Exception | None = None
        for attempt in range(1, self._max_attempts + 1):
            # Write what earlier messages buffered (their effects, dead letters) first, so a
            # failed attempt discards only its own writes.
            flush_buffer(session)
            try:
                with session.begin_nested():
                    self._handle(session, item)
                    flush_buffer(session)
                return "processed"
            except Exception as caught:
                discard_buffer(session)
                if _is_infrastructure_error(caught):
                    raise
                error = caught
                log.warning("consumer %s attempt %d failed: %r", self.name, attempt, caught)
                time.sleep(0.05 * attempt)
        assert error is not None
        return self._dead_letter(session, item, f"{type(error).__name__}: {error}", attempt)

    def _handle(self, session: Session, item: _Item) -> None:
        assert item.decoded is not None
        token = event_id_var.set(item.decoded.event_id)
        try:
            self._handler.handle(session, item.decoded)
        finally:
            event_id_var.reset(token)

    def _dead_letter(self, session: Session, item: _Item, reason: str, attempts: int) -> str:
        record = item.record
        headers = {
            "dlq.error": reason[:2000],
            "dlq.consumer": self.name,
            "dlq.attempts": str(attempts),
            "dlq.original_topic": record.topic,
            "dlq.original_partition": str(record.partition),
            "dlq.original_offset": str(record.offset),
            "dlq.failed_at": datetime.now(UTC).isoformat(),
        }
        for name, value in record.headers or []:
            headers.setdefault(name, value.decode(errors="replace") if value else "")
        self._outbox.add_raw(
            session,
            topic=f"{record.topic}.dlq",
            key=_text(record.key.decode(errors="replace")) if record.key else None,
            payload=record.value or b"",
            headers={name: _text(value) for name, value in headers.items()},
        )
        log.error(
            "consumer %s dead-lettered %s/%d@%d: %s",
            self.name,
            record.topic,
            record.partition,
            record.offset,
            reason,
        )
        return "dead_lettered"

    def _inbox_row(self, key: tuple[str, str], outcome: str) -> dict[str, Any]:
        return {
            "consumer": self.name,
            "source": key[0],
            "event_id": key[1],
            "outcome": outcome,
            "received_at": datetime.now(UTC),
        }

    def _record_lag(
        self, consumer: KafkaConsumer, offsets: dict[TopicPartition, OffsetAndMetadata]
    ) -> None:
        for tp, committed in offsets.items():
            highwater = consumer.highwater(tp)
            if highwater is not None:
                lag = max(0, highwater - committed.offset)
                self._metrics.consumer_lag.labels(tp.topic, str(tp.partition)).set(lag)
