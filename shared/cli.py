"""One command line for every service: serve, worker, migrate, all, topics."""

import argparse
import logging
import signal
import threading
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from types import FrameType
from typing import Any

import uvicorn
from fastapi import FastAPI
from prometheus_client import start_http_server
from starlette.concurrency import run_in_threadpool

from shared.collector import tune_collector
from shared.db.migrations import upgrade_to_head
from shared.db.statistics import StatisticsKeeper
from shared.logs import configure_logging
from shared.messaging.kafka import ensure_topics
from shared.runtime import BackgroundLoop, Runtime, ServiceDefinition

log = logging.getLogger(__name__)


class Worker:
    """The relay, the consumers and (on PostgreSQL) the statistics keeper of one service,
    each in its own thread."""

    def __init__(self, runtime: Runtime, definition: ServiceDefinition) -> None:
        self.stop = threading.Event()
        self._threads = [
            threading.Thread(
                target=runtime.relay().run, args=(self.stop,), name="relay", daemon=True
            )
        ]
        loops: list[BackgroundLoop] = list(definition.build_consumers(runtime))
        interval = runtime.settings.statistics_interval_seconds
        if runtime.engine.dialect.name == "postgresql" and interval > 0:
            tables = list(definition.metadata.tables)
            loops.append(StatisticsKeeper(runtime.engine, tables, interval))
        for loop in loops:
            self._threads.append(
                threading.Thread(target=loop.run, args=(self.stop,), name=loop.name, daemon=True)
            )

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def shutdown(self, timeout: float = 15.0) -> None:
        if self.stop.is_set():
            return
        self.stop.set()
        for thread in self._threads:
            thread.join(timeout)
        log.info("worker stopped: relay and consumers closed")


def _provision(runtime: Runtime, definition: ServiceDefinition) -> None:
    created = ensure_topics(
        runtime.settings.kafka_bootstrap_servers,
        definition.topics,
        partitions=runtime.settings.topic_partitions,
        replication_factor=runtime.settings.topic_replication_factor,
    )
    if created:
        log.info("created topics %s", ", ".join(created))


def _serve(runtime: Runtime, definition: ServiceDefinition, worker: Worker | None = None) -> None:
    s = runtime.settings
    app = definition.build_app(runtime)
    if worker is not None:
        _stop_with_app(app, worker)
    uvicorn.run(
        app,
        host=s.host,
        port=s.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
    )


def _stop_with_app(app: FastAPI, worker: Worker) -> None:
    """Stop the worker in the app's shutdown phase.

    uvicorn re-raises SIGTERM once it has shut down, which ends the process before any code
    after `uvicorn.run` could leave the consumer group or close the producer.
    """
    serving = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[Any]:
        async with serving(application) as state:
            yield state
        await run_in_threadpool(worker.shutdown)

    app.router.lifespan_context = lifespan


def _work(runtime: Runtime, definition: ServiceDefinition) -> None:
    start_http_server(runtime.settings.metrics_port, addr=runtime.settings.host)
    _provision(runtime, definition)
    worker = Worker(runtime, definition)
    done = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %d: stopping worker", signum)
        done.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    worker.start()
    log.info("worker running, metrics on port %d", runtime.settings.metrics_port)
    done.wait()
    worker.shutdown()


def _all(runtime: Runtime, definition: ServiceDefinition) -> None:
    _provision(runtime, definition)
    worker = Worker(runtime, definition)
    worker.start()
    try:
        _serve(runtime, definition, worker)
    finally:
        worker.shutdown()  # also when the server fails to start


def main(definition: ServiceDefinition, argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m services.{definition.name}")
    parser.add_argument(
        "command",
        choices=["serve", "worker", "migrate", "all", "topics"],
        help="serve: the API; worker: relay and consumers; migrate: database to head; "
        "all: API and worker in one process; topics: create the Kafka topics",
    )
    parser.add_argument("--migrate", action="store_true", help="migrate before starting")
    args = parser.parse_args(argv)
    settings = definition.settings()
    configure_logging(definition.name, settings.log_level)
    if args.command == "migrate" or args.migrate:
        upgrade_to_head(definition.name, definition.migrations_dir, settings.database_url)
        log.info("database of %s at head", definition.name)
        if args.command == "migrate":
            return
    runtime = definition.runtime()
    if args.command != "topics":
        tune_collector(settings.gc_young_threshold)
    if args.command == "topics":
        _provision(runtime, definition)
    elif args.command == "serve":
        _serve(runtime, definition)
    elif args.command == "worker":
        _work(runtime, definition)
    else:
        _all(runtime, definition)
