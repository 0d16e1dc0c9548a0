"""The outbox relay: publishes pending rows in order, marks them sent, backs off when down."""

import logging
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from kafka import KafkaProducer
from sqlalchemy import Row, Table, delete, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from shared.db.lookup import one_of
from shared.metrics import ServiceMetrics

log = logging.getLogger(__name__)

# Held for the length of one publishing transaction; a constant per database (each service
# has its own).
RELAY_LOCK = text("SELECT pg_try_advisory_xact_lock(727311)")


class OutboxRelay:
    def __init__(
        self,
        *,
        session_factory: sessionmaker[Session],
        outbox: Table,
        producer_factory: Callable[[], KafkaProducer],
        metrics: ServiceMetrics,
        batch_size: int = 500,
        idle_seconds: float = 0.2,
        max_backoff_seconds: float = 10.0,
        retention: timedelta = timedelta(hours=24),
    ) -> None:
        self._session_factory = session_factory
        self._outbox = outbox
        self._producer_factory = producer_factory
        self._producer: KafkaProducer | None = None
        self._metrics = metrics
        self._batch_size = batch_size
        self._idle_seconds = idle_seconds
        self._max_backoff = max_backoff_seconds
        self._retention = retention
        self._last_cleanup = datetime.min.replace(tzinfo=UTC)
        bind = session_factory.kw.get("bind")
        self._is_postgres = bind is not None and bind.dialect.name == "postgresql"

    def run(self, stop: threading.Event) -> None:
        """Publish until `stop` is set; a broker outage only delays, never drops."""
        backoff = self._idle_seconds
        while not stop.is_set():
            try:
                published = self.publish_batch()
                backoff = self._idle_seconds
                self._cleanup_sent()
            except Exception as error:
                log.warning(
                    "outbox relay cannot publish, retrying in %.1fs",
                    backoff,
                    extra={"error": repr(error)},
                )
                self._reset_producer()
                stop.wait(backoff)
                backoff = min(backoff * 2, self._max_backoff)
                continue
            if published < self._batch_size:
                stop.wait(self._idle_seconds)
        self._reset_producer()

    def publish_batch(self) -> int:
        """Publish up to one batch of pending rows; return how many were published."""
        o = self._outbox.c
        query = (
            select(o.id, o.topic, o.message_key, o.payload, o.headers)
            .where(self._outbox.c.sent_at.is_(None))
            .order_by(self._outbox.c.id)
            .limit(self._batch_size)
        )
        if self._is_postgres:
            with self._session_factory() as session, session.begin():
                # One relay publishes at a time, so one customer's events reach Kafka in the
                # order they were written; the others stand by. Row locks (SKIP LOCKED) keep
                # a row from being published twice should the lock ever be bypassed.
                if not session.execute(RELAY_LOCK).scalar_one():
                    return 0
                rows = session.execute(query.with_for_update(skip_locked=True)).all()
                self._send(rows)
                self._mark_sent(session, [row.id for row in rows])
            return len(rows)
        # SQLite: do not hold the single write lock while waiting on the broker.
        with self._session_factory() as session:
            rows = session.execute(query).all()
        self._send(rows)
        if rows:
            with self._session_factory() as session, session.begin():
                self._mark_sent(session, [row.id for row in rows])
        return len(rows)

    def pending(self) -> tuple[int, float]:
        """Number of unpublished rows and the age in seconds of the oldest one."""
        return self.depth(self._session_factory, self._outbox)

    @staticmethod
    def depth(session_factory: sessionmaker[Session], outbox: Table) -> tuple[int, float]:
        with session_factory() as session:
            count, oldest = session.execute(
                select(func.count(), func.min(outbox.c.created_at)).where(
                    outbox.c.sent_at.is_(None)
                )
            ).one()
        if oldest is None:
            return 0, 0.0
        if oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)
        return int(count), max(0.0, (datetime.now(UTC) - oldest).total_seconds())

    def _send(self, rows: Sequence[Row[Any, Any, Any, Any, Any]]) -> None:
        if not rows:
            return
        producer = self._producer or self._producer_factory()
        self._producer = producer
        futures = [
            producer.send(
                row.topic,
                key=row.message_key.encode() if row.message_key is not None else None,
                value=bytes(row.payload),
                headers=[(k, str(v).encode()) for k, v in (row.headers or {}).items()],
            )
            for row in rows
        ]
        producer.flush(timeout=30)
        for future in futures:
            future.get(timeout=0)
        for topic, count in Counter(row.topic for row in rows).items():
            self._metrics.events_published.labels(topic).inc(count)

    def _mark_sent(self, session: Session, ids: list[int]) -> None:
        if ids:
            session.execute(
                update(self._outbox)
                .where(one_of(session, self._outbox.c.id, ids))
                .values(sent_at=datetime.now(UTC), attempts=self._outbox.c.attempts + 1)
            )

    def _cleanup_sent(self) -> None:
        now = datetime.now(UTC)
        if now - self._last_cleanup < timedelta(minutes=5):
            return
        self._last_cleanup = now
        with self._session_factory() as session, session.begin():
            session.execute(
                delete(self._outbox).where(self._outbox.c.sent_at < now - self._retention)
            )

    def _reset_producer(self) -> None:
        if self._producer is not None:
            try:
                self._producer.close(timeout=1)
            except Exception:
                log.debug("producer close failed", exc_info=True)
            self._producer = None
