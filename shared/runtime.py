"""A service's composition root: engine, sessions, outbox, relay, consumers, readiness."""

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Protocol

from fastapi import FastAPI
from sqlalchemy import Engine, MetaData
from sqlalchemy.orm import Session, sessionmaker

from shared.api.auth import ApiKeyStore
from shared.api.readiness import Readiness
from shared.db.engine import make_engine, make_session_factory, snapshot_engine
from shared.events.catalog import REGISTRY
from shared.events.registry import EventRegistry
from shared.messaging.consumer import ConsumerLoop
from shared.messaging.handling import MessageHandler
from shared.messaging.kafka import make_consumer, make_producer
from shared.messaging.outbox import Outbox
from shared.messaging.relay import OutboxRelay
from shared.messaging.tables import MessagingTables
from shared.metrics import ServiceMetrics, metrics_for, register_outbox_collector
from shared.settings import ServiceSettings


@dataclass
class Runtime:
    settings: ServiceSettings
    engine: Engine
    session_factory: sessionmaker[Session]
    tables: MessagingTables
    outbox: Outbox
    metrics: ServiceMetrics
    migrations_dir: Path
    read_session_factory: sessionmaker[Session]
    """For requests that only read: on SQLite they do not wait for the write lock; on
    PostgreSQL every statement is a read-only transaction of its own."""
    snapshot_session_factory: sessionmaker[Session]
    """For long reads of many statements (a segmentation run): one read-only transaction
    that sees the database as it was at its first statement, server-side cursors allowed."""
    registry: EventRegistry = field(default=REGISTRY)

    @classmethod
    def build(
        cls, settings: ServiceSettings, tables: MessagingTables, migrations_dir: Path
    ) -> "Runtime":
        engine = make_engine(settings.database_url)
        reader = make_engine(settings.database_url, writes=False)
        runtime = cls(
            settings=settings,
            engine=engine,
            session_factory=make_session_factory(engine),
            read_session_factory=make_session_factory(reader),
            snapshot_session_factory=make_session_factory(snapshot_engine(reader)),
            tables=tables,
            outbox=Outbox(tables.outbox, REGISTRY),
            metrics=metrics_for(settings.service_name),
            migrations_dir=migrations_dir,
        )
        register_outbox_collector(settings.service_name, runtime.outbox_depth)
        return runtime

    @property
    def service(self) -> str:
        return self.settings.service_name

    def outbox_depth(self) -> tuple[int, float]:
        """Pending outbox rows and the age of the oldest, read without taking a write lock."""
        return OutboxRelay.depth(self.read_session_factory, self.tables.outbox)

    def relay(self) -> OutboxRelay:
        s = self.settings
        return OutboxRelay(
            session_factory=self.session_factory,
            outbox=self.tables.outbox,
            producer_factory=lambda: make_producer(
                s.kafka_bootstrap_servers, f"{self.service}-relay"
            ),
            metrics=self.metrics,
            batch_size=s.relay_batch_size,
            idle_seconds=s.relay_idle_seconds,
            max_backoff_seconds=s.relay_max_backoff_seconds,
            retention=timedelta(hours=s.outbox_retention_hours),
        )

    def consumer(self, name: str, topics: list[str], handler: MessageHandler) -> ConsumerLoop:
        s = self.settings
        group = f"{self.service}.{name}"
        return ConsumerLoop(
            name=group,
            topics=topics,
            handler=handler,
            session_factory=self.session_factory,
            tables=self.tables,
            outbox=self.outbox,
            consumer_factory=lambda: make_consumer(
                s.kafka_bootstrap_servers,
                group,
                max_poll_records=s.consumer_max_poll_records,
                max_poll_interval_ms=s.consumer_max_poll_interval_ms,
                session_timeout_ms=s.consumer_session_timeout_ms,
            ),
            metrics=self.metrics,
            max_attempts=s.consumer_max_attempts,
        )

    def readiness(self) -> Readiness:
        return Readiness(
            service=self.service,
            engine=self.read_session_factory.kw["bind"],
            migrations_dir=self.migrations_dir,
            bootstrap_servers=self.settings.kafka_bootstrap_servers,
        )

    def key_store(self) -> ApiKeyStore:
        return ApiKeyStore(self.settings.api_keys_file)


class BackgroundLoop(Protocol):
    """Work a worker process runs in a thread of its own until `stop` is set."""

    name: str

    def run(self, stop: threading.Event) -> None: ...


@dataclass(frozen=True)
class ServiceDefinition:
    """What the CLI needs to know of a service to serve, work and migrate it."""

    name: str
    settings: type[ServiceSettings]
    metadata: MetaData
    tables: MessagingTables
    migrations_dir: Path
    build_app: Callable[[Runtime], FastAPI]
    build_consumers: Callable[[Runtime], Sequence[BackgroundLoop]]
    topics: tuple[str, ...]

    def runtime(self) -> Runtime:
        return Runtime.build(self.settings(), self.tables, self.migrations_dir)
